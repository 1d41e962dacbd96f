import Foundation
import Models
import Plumbing
import Tensors
import Tuning

/// `pt-bench forward`: throughput of the encoder's forward pass on random token ids of a
/// fixed shape, for comparison with PyTorch on the same shapes (scripts/bench.py).
public struct BenchRun {
    public var model: String
    public var batchSize = 16
    public var sequenceLength = 128
    public var iterations = 5
    public var seed: UInt64 = 0
    /// `forward`: encoder forward over every token; `train`: one prompt-tuning step
    /// (forward + backward to the prompt, head only at [MASK]) with `promptLength` of the
    /// `sequenceLength` tokens being prompt vectors.
    public var mode = "forward"
    public var promptLength = 100

    /// The defaults the tool's options show.
    public static let defaults = BenchRun(model: "")

    public init(model: String) { self.model = model }

    /// GFLOP/s of the backend's product alone on the shapes of the model's linear layers over
    /// the benchmark's rows (weights [out,in], the transposed-B product the encoder runs).
    func sgemmRates(_ c: ModelConfig, rows: Int) -> JSON {
        var members: [JSON.Member] = []
        for (outDim, inDim) in [(c.hidden, c.hidden), (c.intermediate, c.hidden), (c.hidden, c.intermediate)] {
            let a = Tensor(zeros: [rows, inDim])
            let w = Tensor(zeros: [outDim, inDim])
            let out = Tensor(zeros: [rows, outDim])
            var rng = SplitMix64(seed: seed)
            for i in 0..<a.count { a.data[i] = rng.normal() }
            for i in 0..<w.count { w.data[i] = 0.02 * rng.normal() }
            let product = {
                BLAS.gemmNT(rows, outDim, inDim, a.data, lda: inDim, w.data, ldb: inDim, out.data, ldc: outDim)
            }
            product()
            let repeats = 10
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { product() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let flops = 2 * Double(rows * outDim * inDim * repeats)
            members.append(.init("\(rows)x\(outDim)x\(inDim)", .number((flops / seconds / 1e8).rounded() / 10)))
        }
        return .object(members)
    }

    func trainStep(_ enc: Encoder, _ rng: inout SplitMix64) throws -> JSON {
        let n = promptLength
        let C = enc.config.hidden
        var input = PromptInput()
        for _ in 0..<batchSize {
            let text = sequenceLength - n - 3
            let ids: [Int32] =
                [101] + Array(repeating: 0, count: n) + [103]
                + (0..<text).map { _ in Int32(1000 + rng.next() % 28_000) } + [102]
            let tokens: [Int32] = [-1] + (0..<n).map(Int32.init) + Array(repeating: -1, count: text + 2)
            input.append(
                ids: ids, typeIds: Array(repeating: 0, count: ids.count), promptToken: tokens, readRow: n + 1,
                firstPosition: enc.config.firstPosition)
        }
        let pe = PromptEncoder(encoder: enc)
        let readout = try Readout(enc.hasHead ? .mlm : .tied, words: [4997, 3893], encoder: enc)
        let prompt = (0..<(n * C)).map { _ in 0.02 * rng.normal() }
        var grad = [Float](repeating: 0, count: n * C)
        let labels = (0..<batchSize).map { $0 % 2 }
        func step() throws {
            let h = try pe.forward(input, prompt: prompt, promptLength: n)
            let (_, d, _) = crossEntropy(readout.forward(h, rows: batchSize), labels: labels, classes: 2)
            pe.backward(readout.backward(d), dPrompt: &grad, promptLength: n)
        }
        try step()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { try step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return .object([
            .init("engine", .string("swift")), .init("mode", .string("train")), .init("model", .string(model)),
            .init("batch", .number(batchSize)), .init("seq", .number(sequenceLength)), .init("prompt", .number(n)),
            .init("readout", .string(readout.kind.rawValue)), .init("iterations", .number(iterations)),
            .init("seq_per_s", .number(Double(batchSize * iterations) / seconds)),
            .init("gflops", .number(trainFlops(enc.config) * Double(iterations) / seconds / 1e9)),
            .init("matrix_backend", JSON.matrixBackend),
            .init("sgemm_gflops", sgemmRates(enc.config, rows: batchSize * sequenceLength)),
        ])
    }

    /// FLOPs of one training step as computed (forward at every row but the last layer's
    /// queries, backward to the inputs only): about twice the forward's matrix products.
    func trainFlops(_ c: ModelConfig) -> Double {
        let T = Double(sequenceLength)
        let B = Double(batchSize)
        let H = Double(c.hidden)
        let I = Double(c.intermediate)
        let full = 2 * T * (4 * H * H + 2 * H * I) + 2 * 2 * T * T * H  // a layer, all rows
        let last = 2 * (2 * T * H * H + 2 * H * H + 2 * H * I) + 2 * 2 * T * H  // K,V on all rows, the rest at [MASK]
        return 2 * B * (full * Double(c.layers - 1) + last)
    }

    public func run() throws -> JSON {
        let enc = try Encoder(folder: model)
        var rng = SplitMix64(seed: seed)
        if mode == "train" { return try trainStep(enc, &rng) }
        var batch = Batch()
        for _ in 0..<batchSize {
            batch.append(
                ids: (0..<sequenceLength).map { _ in Int32(1000 + rng.next() % 28_000) },
                firstPosition: enc.config.firstPosition)
        }
        _ = try enc.forward(batch)  // warm-up: page in the weights, size the arena
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
            .init("matrix_backend", JSON.matrixBackend),
            .init("sgemm_gflops", sgemmRates(c, rows: batchSize * sequenceLength)),
        ])
    }
}
