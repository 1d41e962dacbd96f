import Foundation
import Models
import PipelineIO
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
