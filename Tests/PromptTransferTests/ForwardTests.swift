import Foundation
import Models
import Plumbing
import Tensors
import XCTest

/// The encoder against transformers on the real checkpoints: SPLADE-tiny's MLM logits at
/// every position and MiniLM-L6's last hidden states, max abs error ≤ 1e-4 in fp32.
final class ForwardTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func batch(_ cases: [JSON], _ enc: Encoder) -> Batch {
        var b = Batch()
        for c in cases {
            b.append(
                ids: Fixture.ints(c["input_ids"]), typeIds: Fixture.ints(c["token_type_ids"]),
                firstPosition: enc.config.firstPosition)
        }
        return b
    }

    /// Tensors and arena slices start on 64-byte boundaries (one AVX-512 vector), as promised.
    func testTensorsAndArenaSlicesAre64ByteAligned() {
        for count in [1, 3, 17, 1000] {
            XCTAssertEqual(Int(bitPattern: Tensor(zeros: [count]).data) % 64, 0)
        }
        let arena = Arena(capacity: 10)
        arena.reserve(5000)
        for count in [1, 7, 16, 33, 100] {
            XCTAssertEqual(Int(bitPattern: arena.take(count)) % 64, 0, "slice of \(count)")
        }
    }

    func testSpladeTinyMLMLogitsMatchTransformers() throws {
        let enc = try Encoder(folder: try Fixture.model("splade-tiny"))
        let fx = try Fixture.json("forward_splade.json")
        let cols = fx["columns"]!.array!.map { $0.int! }
        let cases = fx["cases"]!.array!
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        let b = batch(cases, enc)
        let h = try enc.forward(b)
        let V = enc.config.vocabSize
        let C = enc.config.hidden
        var worstHidden: Float = 0
        var worstLogit: Float = 0
        var worstLSE: Float = 0
        for (i, c) in cases.enumerated() {
            let off = b.offsets[i]
            let len = b.length(i)
            worstHidden = max(worstHidden, maxAbsDiff(h + off * C, Fixture.floats(c["hidden"])))
            let logits = try enc.mlmLogits(h + off * C, rows: len)
            let wantCols = Fixture.floats(c["logit_columns"])
            let wantLSE = Fixture.floats(c["logsumexp"])
            let wantMax = Fixture.floats(c["max"])
            let wantArg = c["argmax"]!.array!.map { $0.int! }
            for t in 0..<len {
                let row = logits.row(t)
                for (j, col) in cols.enumerated() {
                    worstLogit = max(worstLogit, abs(row[col] - wantCols[t * cols.count + j]))
                }
                var mx = -Float.infinity
                var arg = 0
                for v in 0..<V where row[v] > mx {
                    mx = row[v]
                    arg = v
                }
                var sum: Double = 0
                for v in 0..<V { sum += exp(Double(row[v] - mx)) }
                worstLSE = max(worstLSE, abs(mx + Float(log(sum)) - wantLSE[t]))
                worstLogit = max(worstLogit, abs(mx - wantMax[t]))
                XCTAssertEqual(arg, wantArg[t], "argmax of case \(i) position \(t)")
            }
        }
        print("splade-tiny max abs error: hidden \(worstHidden), logits \(worstLogit), logsumexp \(worstLSE)")
        XCTAssertLessThanOrEqual(worstHidden, Self.tolerance)
        XCTAssertLessThanOrEqual(worstLogit, Self.tolerance)
        XCTAssertLessThanOrEqual(worstLSE, Self.tolerance)
    }

    func testMiniLMHiddenStatesMatchTransformers() throws {
        let enc = try Encoder(folder: try Fixture.model("minilm"))
        XCTAssertFalse(enc.hasHead)
        let cases = try Fixture.json("forward_minilm.json")["cases"]!.array!
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        let b = batch(cases, enc)
        let h = try enc.forward(b)
        var worst: Float = 0
        for (i, c) in cases.enumerated() {
            let want = Fixture.floats(c["hidden"])
            XCTAssertEqual(want.count, b.length(i) * enc.config.hidden)
            worst = max(worst, maxAbsDiff(h + b.offsets[i] * enc.config.hidden, want))
        }
        print("minilm max abs error: hidden \(worst)")
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
    }

    /// A batch of sequences of different lengths gives each sequence what it gets alone.
    func testBatchEqualsEachSentenceAlone() throws {
        let enc = try Encoder(folder: try Fixture.model("minilm"))
        let cases = Array(try Fixture.json("forward_minilm.json")["cases"]!.array!.prefix(8))
        let b = batch(cases, enc)
        let C = enc.config.hidden
        let together = Array(UnsafeBufferPointer(start: try enc.forward(b), count: b.rows * C))
        for (i, c) in cases.enumerated() {
            let alone = try enc.forward(batch([c], enc))
            let d = maxAbsDiff(alone, Array(together[(b.offsets[i] * C)..<(b.offsets[i + 1] * C)]))
            XCTAssertLessThanOrEqual(d, 1e-5, "sentence \(i)")
        }
    }

    func testRestrictedHeadEqualsFullHeadColumns() throws {
        let enc = try Encoder(folder: try Fixture.model("splade-tiny"))
        var b = Batch()
        b.append(ids: [101, 1996, 3185, 2001, 103, 1012, 102])
        let h = try enc.forward(b)
        let full = try enc.mlmLogits(h + 4 * enc.config.hidden, rows: 1)
        let words = [2053, 2748, 3893, 4997]
        let some = try enc.mlmLogits(h + 4 * enc.config.hidden, rows: 1, words: words)
        for (j, w) in words.enumerated() { XCTAssertEqual(some.data[j], full.data[w], accuracy: 1e-5) }
    }

    func testTooLongSequenceAndBadIdsAreErrors() throws {
        let enc = try Encoder(folder: try Fixture.model("splade-tiny"))
        var long = Batch()
        long.append(ids: [Int32](repeating: 1000, count: enc.config.maxSequence + 1))
        XCTAssertThrowsError(try enc.forward(long))
        var bad = Batch()
        bad.append(ids: [101, 999_999, 102])
        XCTAssertThrowsError(try enc.forward(bad))
    }
}
