import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning
import XCTest

/// T5 without weights: small random T5ForConditionalGeneration checkpoints (v1.0: ReLU, tied
/// and scaled head; v1.1: gated GELU, its own head, attention width ≠ d_model, more decoder
/// layers) against transformers — encoder hidden states, the first decoder step's logits, the
/// prompt gradient against autograd and central differences (fixtures from make_fixtures.py).
final class T5Tests: XCTestCase {
    let variants = ["t5-tiny", "t5-v1_1-tiny"]

    func fixture(_ name: String) throws -> JSON {
        try Fixture.json(name.replacingOccurrences(of: "-", with: "_") + ".json")
    }

    func testUnidirectionalBucketsEqualTransformers() throws {
        let expected = try fixture("t5-tiny")["unidirectional_buckets_from_minus_300"]!.array!.map { $0.int! }
        for (k, want) in expected.enumerated() {
            XCTAssertEqual(RelativePositionBias.bucket(k - 300, bidirectional: false), want, "relative \(k - 300)")
        }
    }

    func testConfigsAreReadAsTheyWereWritten() throws {
        let v10 = try T5Model(folder: Fixture.dir.appendingPathComponent("t5-tiny").path).config
        XCTAssertEqual(v10.feedForward, .relu)
        XCTAssertTrue(v10.scaleDecoderOutputs)
        let v11 = try T5Model(folder: Fixture.dir.appendingPathComponent("t5-v1_1-tiny").path)
        XCTAssertEqual(v11.config.feedForward, .gatedGelu)
        XCTAssertFalse(v11.config.scaleDecoderOutputs)
        XCTAssertEqual(v11.config.inner, 64)
        XCTAssertEqual(v11.config.decoderLayers, 3)
        XCTAssertFalse(v11.weights.decoder!.head === v11.weights.words, "v1.1 has its own lm_head")
    }

    func testEncoderStatesAndFirstStepLogitsMatchTransformers() throws {
        for name in variants {
            let model = try T5Model(folder: Fixture.dir.appendingPathComponent(name).path)
            let fx = try fixture(name)
            let seqs = fx["sequences"]!.array!.map { Fixture.ints($0) }
            XCTAssertGreaterThan(seqs.map(\.count).max()!, 160, "a sequence must reach the last bucket")
            var batch = Batch()
            for s in seqs { batch.append(ids: s) }
            let C = model.config.hidden
            let hidden = try model.encode(batch)
            var worst: Float = 0
            for (i, want) in fx["encoder_hidden"]!.array!.enumerated() {
                worst = max(worst, maxAbsDiff(hidden + batch.offsets[i] * C, Fixture.floats(want)))
            }
            print("\(name) encoder hidden max abs error \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5)
            let logits = try model.firstStepLogits(batch)
            let logitError = maxAbsDiff(logits.data, Fixture.floats(fx["first_step_logits"]))
            print("\(name) first-step logits max abs error \(logitError)")
            XCTAssertLessThanOrEqual(logitError, 1e-5)
        }
    }

    func testPromptGradientMatchesAutogradAndFiniteDifferences() throws {
        for name in variants {
            let model = try T5Model(folder: Fixture.dir.appendingPathComponent(name).path)
            let f = try fixture(name)["prompt_gradient"]!
            let n = f["n"]!.int!
            let words = f["words"]!.array!.map { $0.int! }
            let labels = f["labels"]!.array!.map { $0.int! }
            var batch = Batch()
            var tokens: [Int32] = []
            for text in f["texts"]!.array!.map({ Fixture.ints($0) }) {
                batch.append(ids: Array(repeating: 0, count: n) + text)
                tokens += (0..<n).map { Int32($0) } + Array(repeating: -1, count: text.count)
            }
            let C = model.config.hidden
            func lossAndGradient(_ prompt: [Float]) throws -> (Float, [Float]) {
                try prompt.withUnsafeBufferPointer { p in
                    let logits = try model.firstStepLogits(batch, prompt: (tokens, p.baseAddress!, n), words: words)
                    let (loss, dLogits, _) = crossEntropy(logits.array, labels: labels, classes: words.count)
                    var gradient = [Float](repeating: 0, count: n * C)
                    model.backward(dLogits, dPrompt: &gradient, promptLength: n)
                    return (loss, gradient)
                }
            }
            let prompt = Fixture.floats(f["prompt"])
            let (loss, gradient) = try lossAndGradient(prompt)
            let rel = relativeError(gradient, Fixture.floats(f["grad"]))
            print("\(name) prompt gradient relative error \(rel), loss \(loss) vs \(f["loss"]!.double!)")
            XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-5)
            XCTAssertLessThanOrEqual(rel, 1e-3)
            // a small step: v1.0's ReLU has kinks a wide difference can straddle
            let step: Float = 3e-3
            var worst: Float = 0
            for index in stride(from: 0, to: prompt.count, by: 7) {
                var plus = prompt
                var minus = prompt
                plus[index] += step
                minus[index] -= step
                let numeric = (try lossAndGradient(plus).0 - lossAndGradient(minus).0) / (2 * step)
                worst = max(worst, abs(numeric - gradient[index]))
            }
            print("\(name) finite differences max abs error \(worst)")
            XCTAssertLessThanOrEqual(worst, 2e-3)
        }
    }

    /// The T5 pipeline from tokenizer.json (Precompiled nmt_nfkc rules, Strip, Replace, Metaspace,
    /// Unigram, "$A </s>"): ids equal to `tokenizers` on the edge cases, pairs and all of SST-2 dev.
    func testT5TokenizerIdsEqualTokenizers() throws {
        let tok = try Tokenizer.load(folder: Fixture.dir.appendingPathComponent("t5-tiny").path)
        let fx = try Fixture.json("tokenizer_t5.json")
        XCTAssertEqual(tok.vocabSize + 10, fx["vocab_size"]!.int!, "1,000 pieces and 10 extra ids")
        for c in fx["cases"]!.array! {
            let enc = try tok.encode(c["text_a"]!.string!, c["text_b"]?.string)
            XCTAssertEqual(enc.encoding.ids, Fixture.ints(c["input_ids"]), c.text)
        }
        let sst2 = try sst2DevMismatches(tok, fx)
        XCTAssertEqual(sst2.sentences, sst2.hashes)
        XCTAssertEqual(sst2.bad, 0, "SST-2 dev sentences whose ids differ from tokenizers'")
    }
}
