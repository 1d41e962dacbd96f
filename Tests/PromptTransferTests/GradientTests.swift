import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tuning
import XCTest

/// The backward pass: prompt gradients against PyTorch autograd on the real checkpoints,
/// and against finite differences on a tiny random model (every op of the encoder and both
/// readouts).
final class GradientTests: XCTestCase {
    func testPromptGradientMatchesPyTorchAutogradOnRealCheckpoints() throws {
        let fx = try Fixture.json("prompt_gradients.json")
        for (name, folder) in [("splade", "splade-tiny"), ("minilm", "minilm")] {
            let f = fx[name]!
            let enc = try Encoder(folder: try Fixture.model(folder))
            let n = f["n"]!.int!
            let seqs = f["sequences"]!.array!.map { Fixture.ints($0) }
            let readout = try Readout(
                Readout.Kind(rawValue: f["readout"]!.string!)!, words: f["words"]!.array!.map { $0.int! }, encoder: enc)
            let s = PromptGradientCase(
                enc: PromptEncoder(encoder: enc), readout: readout, input: promptAfterStart(seqs, n: n),
                labels: f["labels"]!.array!.map { $0.int! }, n: n)
            let (loss, grad, logits) = try s.lossAndGrad(Fixture.floats(f["prompt"]))
            let want = Fixture.floats(f["grad"])
            let rel = relativeError(grad, want)
            let maxAbs = maxAbsDiff(grad, want)
            print(
                "\(folder) (\(readout.kind)): loss \(loss) vs \(f["loss"]!.double!), gradient relative error \(rel), "
                + "max abs \(maxAbs)"
            )
            XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-4)
            XCTAssertLessThanOrEqual(maxAbsDiff(logits, Fixture.floats(f["logits"])), 1e-4)
            XCTAssertLessThanOrEqual(rel, 1e-3, folder)
        }
    }

    /// A tiny random BERT with an MLM head, written as a Hugging Face folder.
    static func tinyModel(layers: Int = 2) throws -> String {
        let dir = try Fixture.tempDir()
        let C = 8
        let I = 16
        let V = 40
        let P = 32
        var rng = SplitMix64(seed: 7)
        func rand(_ shape: [Int], _ scale: Float = 0.5, _ offset: Float = 0) -> Tensor {
            let n = shape.reduce(1, *)
            return Tensor(
                shape: shape, values: (0..<n).map { _ in offset + scale * (Float(rng.next() % 20001) / 10000 - 1) })
        }
        var t: [(String, Tensor)] = [
            ("bert.embeddings.word_embeddings.weight", rand([V, C])),
            ("bert.embeddings.position_embeddings.weight", rand([P, C])),
            ("bert.embeddings.token_type_embeddings.weight", rand([2, C])),
            ("bert.embeddings.LayerNorm.gamma", rand([C], 0.3, 1)), ("bert.embeddings.LayerNorm.beta", rand([C], 0.1)),
        ]
        for l in 0..<layers {
            let p = "bert.encoder.layer.\(l)."
            for (n, o, i) in [
                ("attention.self.query", C, C), ("attention.self.key", C, C), ("attention.self.value", C, C),
                ("attention.output.dense", C, C), ("intermediate.dense", I, C), ("output.dense", C, I),
            ] {
                t += [(p + n + ".weight", rand([o, i])), (p + n + ".bias", rand([o], 0.1))]
            }
            for n in ["attention.output.LayerNorm", "output.LayerNorm"] {
                t += [(p + n + ".weight", rand([C], 0.3, 1)), (p + n + ".bias", rand([C], 0.1))]
            }
        }
        t += [
            ("cls.predictions.transform.dense.weight", rand([C, C])),
            ("cls.predictions.transform.dense.bias", rand([C], 0.1)),
            ("cls.predictions.transform.LayerNorm.weight", rand([C], 0.3, 1)),
            ("cls.predictions.transform.LayerNorm.bias", rand([C], 0.1)),
            ("cls.predictions.bias", rand([V], 0.1)),
        ]
        try SafetensorsWriter.write(t, metadata: [:], to: dir.appendingPathComponent("model.safetensors").path)
        let config =
            #"{"model_type":"bert","vocab_size":40,"hidden_size":8,"num_hidden_layers":\#(layers),"#
            + #""num_attention_heads":2,"intermediate_size":16,"max_position_embeddings":32,"type_vocab_size":2,"#
            + #""layer_norm_eps":1e-12,"hidden_act":"gelu"}"#
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        return dir.path
    }

    func testPromptGradientMatchesFiniteDifferencesOnTinyModel() throws {
        for layers in [1, 2] {
            for kind in Readout.Kind.allCases where kind != .decoder {  // decoder: T5Tests
                let enc = try Encoder(folder: try Self.tinyModel(layers: layers))
                let n = 3
                let seqs: [[Int32]] = [
                    [1, 0, 0, 0, 4, 10, 11, 12, 2], [1, 0, 0, 0, 4, 13, 2, 14, 15, 2], [1, 0, 0, 0, 4, 2],
                ]
                let types: [[Int32]] = [
                    Array(repeating: 0, count: 9), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1], Array(repeating: 0, count: 6),
                ]
                let s = PromptGradientCase(
                    enc: PromptEncoder(encoder: enc), readout: try Readout(kind, words: [20, 21, 22], encoder: enc),
                    input: promptAfterStart(seqs, n: n, types: types), labels: [0, 2, 1], n: n)
                var rng = SplitMix64(seed: 3)
                let prompt = (0..<(n * 8)).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
                let (_, g, _) = try s.lossAndGrad(prompt)
                // directional derivatives along random directions, and a few coordinates
                var directions: [[Float]] = (0..<4).map { _ in
                    (0..<prompt.count).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
                }
                for i in [0, 7, 13, 23] {
                    var e = [Float](repeating: 0, count: prompt.count)
                    e[i] = 1
                    directions.append(e)
                }
                for d in directions {
                    let eps: Float = 1e-2
                    let plus = try s.lossAndGrad(zip(prompt, d).map { $0 + eps * $1 }).0
                    let minus = try s.lossAndGrad(zip(prompt, d).map { $0 - eps * $1 }).0
                    let numeric = (plus - minus) / (2 * eps)
                    let analytic = zip(g, d).map { $0 * $1 }.reduce(0, +)
                    XCTAssertEqual(analytic, numeric, accuracy: 2e-3 * max(1, abs(numeric)), "layers \(layers) \(kind)")
                }
            }
        }
    }

    /// The forward that computes the last layer at the read rows only equals the full forward.
    func testReadRowForwardEqualsFullForward() throws {
        let enc = try Encoder(folder: try Fixture.model("minilm"))
        let seqs: [[Int32]] = [
            [101, 2023, 3185, 2001, 103, 1012, 102], [101, 103, 2307, 102],
            [101, 1037, 2204, 2143, 2000, 3422, 103, 102],
        ]
        var p = PromptInput()
        var b = Batch()
        for s in seqs {
            let read = s.firstIndex(of: 103)!
            p.append(
                ids: s, typeIds: Array(repeating: 0, count: s.count), promptToken: Array(repeating: -1, count: s.count),
                readRow: read, firstPosition: 0)
            b.append(ids: s)
        }
        let pe = PromptEncoder(encoder: enc)
        let h = try pe.forward(p, prompt: [Float](repeating: 0, count: 384), promptLength: 1)
        let readRows = Array(UnsafeBufferPointer(start: h, count: 3 * 384))
        let full = try enc.forward(b)
        for (i, s) in seqs.enumerated() {
            let row = b.offsets[i] + s.firstIndex(of: 103)!
            XCTAssertLessThanOrEqual(maxAbsDiff(full + row * 384, Array(readRows[(i * 384)..<(i * 384 + 384)])), 1e-5)
        }
    }
}
