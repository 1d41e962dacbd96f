import Foundation
import Models
import PipelineIO
import Tuning
import XCTest

/// The RoBERTa path of the encoder (positions from padding_idx + 1, a single token type, the
/// `roberta.` prefix, lm_head with a tied decoder) on a small random RobertaForMaskedLM that
/// transformers saved, against its MLM logits for a padded batch.
final class RobertaTests: XCTestCase {
    func testRandomRobertaMLMLogitsMatchTransformers() throws {
        let folder = Fixture.dir.appendingPathComponent("roberta-tiny").path
        let enc = try Encoder(folder: folder)
        XCTAssertEqual(enc.config.family, .roberta)
        XCTAssertEqual(enc.config.firstPosition, 2)
        XCTAssertTrue(enc.hasHead)
        let fx = try Fixture.json("roberta_tiny.json")
        let seqs = fx["sequences"]!.array!.map { Fixture.ints($0) }
        var b = Batch()
        for s in seqs { b.append(ids: s, firstPosition: enc.config.firstPosition) }
        let h = try enc.forward(b)
        var worst: Float = 0
        for (i, want) in fx["logits"]!.array!.enumerated() {
            let logits = try enc.mlmLogits(h + b.offsets[i] * enc.config.hidden, rows: b.length(i))
            worst = max(worst, maxAbsDiff(logits.data, Fixture.floats(want)))
        }
        print("roberta-tiny max abs logit error \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-4)
    }
}

extension RobertaTests {
    /// Prompt gradient through the RoBERTa encoder and lm_head against PyTorch autograd.
    func testRobertaPromptGradientMatchesAutograd() throws {
        let enc = try Encoder(folder: Fixture.dir.appendingPathComponent("roberta-tiny").path)
        let f = try Fixture.json("roberta_tiny.json")["prompt_gradient"]!
        let n = f["n"]!.int!
        var input = PromptInput()
        for s in f["sequences"]!.array!.map({ Fixture.ints($0) }) {
            let tokens = (0..<s.count).map { ($0 >= 1 && $0 <= n) ? Int32($0 - 1) : -1 }
            input.append(ids: s, typeIds: Array(repeating: 0, count: s.count), promptToken: tokens, readRow: 1 + n,
                         firstPosition: enc.config.firstPosition)
        }
        let readout = try Readout(.mlm, words: f["words"]!.array!.map { $0.int! }, encoder: enc)
        let pe = PromptEncoder(encoder: enc)
        let prompt = Fixture.floats(f["prompt"])
        let h = try pe.forward(input, prompt: prompt, promptLength: n)
        let labels = f["labels"]!.array!.map { $0.int! }
        let (loss, dlogits, _) = crossEntropy(readout.forward(h, rows: labels.count), labels: labels, classes: 3)
        var g = [Float](repeating: 0, count: prompt.count)
        pe.backward(readout.backward(dlogits), dPrompt: &g, promptLength: n)
        let want = Fixture.floats(f["grad"])
        var diff: Float = 0, norm: Float = 0
        for i in want.indices { diff += (g[i] - want[i]) * (g[i] - want[i]); norm += want[i] * want[i] }
        print("roberta-tiny prompt gradient relative error \((diff / norm).squareRoot())")
        XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-5)
        XCTAssertLessThanOrEqual((diff / norm).squareRoot(), 1e-3)
    }
}
