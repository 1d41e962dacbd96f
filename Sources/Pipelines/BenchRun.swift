import Foundation
import Models
import PipelineIO

/// `pt-bench forward`: throughput of the encoder's forward pass on random token ids of a
/// fixed shape, for comparison with PyTorch on the same shapes (scripts/bench.py).
public struct BenchRun {
    public var model: String
    public var batchSize = 16
    public var sequenceLength = 128
    public var iterations = 5
    public var seed: UInt64 = 0

    public init(model: String) { self.model = model }

    public func run() throws -> JSON {
        let enc = try Encoder(folder: model)
        var rng = SplitMix64(seed: seed)
        var batch = Batch()
        for _ in 0..<batchSize {
            batch.append(ids: (0..<sequenceLength).map { _ in Int32(1000 + rng.next() % 28_000) },
                         firstPosition: enc.config.firstPosition)
        }
        _ = try enc.forward(batch)   // warm-up: page in the weights, size the arena
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { _ = try enc.forward(batch) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let c = enc.config
        // Multiply-adds of the linear layers and attention, ×2 for FLOPs.
        let perToken = 4 * c.hidden * c.hidden + 2 * c.hidden * c.intermediate + 2 * sequenceLength * c.hidden
        let flops = 2.0 * Double(perToken * c.layers) * Double(batchSize * sequenceLength) * Double(iterations)
        return .object([
            .init("engine", .string("swift")), .init("model", .string(model)),
            .init("batch", .number(batchSize)), .init("seq", .number(sequenceLength)),
            .init("iterations", .number(iterations)),
            .init("seq_per_s", .number(Double(batchSize * iterations) / seconds)),
            .init("gflops", .number(flops / seconds / 1e9)),
        ])
    }
}

