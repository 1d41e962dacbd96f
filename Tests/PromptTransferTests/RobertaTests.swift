import Analysis
import Foundation
import Models
import Pipelines
import Plumbing
import TensorFiles
import Tensors
import Tokenizers
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
        let worst = try mlmLogitsError(enc, try Fixture.json("roberta_tiny.json"))
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
        let seqs = f["sequences"]!.array!.map { Fixture.ints($0) }
        let s = PromptGradientCase(
            enc: PromptEncoder(encoder: enc),
            readout: try Readout(.mlm, words: f["words"]!.array!.map { $0.int! }, encoder: enc),
            input: promptAfterStart(seqs, n: n, firstPosition: enc.config.firstPosition),
            labels: f["labels"]!.array!.map { $0.int! }, n: n)
        let (loss, g, _) = try s.lossAndGrad(Fixture.floats(f["prompt"]))
        let rel = relativeError(g, Fixture.floats(f["grad"]))
        print("roberta-tiny prompt gradient relative error \(rel)")
        XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-5)
        XCTAssertLessThanOrEqual(rel, 1e-3)
    }
}

extension RobertaTests {
    /// The tiny RoBERTa checkpoint, its tokenizer and the paper-layout fixture.
    func paperLayoutFixture() throws -> (Encoder, Tokenizer, JSON) {
        let folder = Fixture.dir.appendingPathComponent("roberta-tiny").path
        return (
            try Encoder(folder: folder), try Tokenizer.load(folder: folder),
            try Fixture.json("roberta_paper_layout.json")
        )
    }

    /// The paper's 1.0 layout (`--template paper-1.0`) built from texts by PromptTemplate,
    /// against a PyTorch re-implementation of the paper's embeddings on the same checkpoint:
    /// the sequences, the logits at row 0 over the whole vocabulary, the loss, and the
    /// prompt gradient (vector 0 is replaced by <mask>, so its gradient is zero).
    func testPaperLayoutMatchesPyTorchReimplementation() throws {
        let (enc, tok, f) = try paperLayoutFixture()
        let n = f["n"]!.int!
        let C = enc.config.hidden
        let template = try PromptTemplate("paper-1.0", tokenizer: tok)
        XCTAssertTrue(template.maskFirst && template.promptWithoutPositions && template.truncateTail)
        var input = PromptInput()
        for (t, want) in zip(f["texts"]!.array!, f["sequences"]!.array!) {
            let e = template.encode(
                Fixture.ints(t["a"]), t["b"].map { Fixture.ints($0) }, promptLength: n, typeVocab: enc.config.typeVocab)
            // the paper's ids: -1..-n for the prompt slots; ours: <mask> then prompt vectors 1..n-1
            let paper = Fixture.ints(want)
            XCTAssertEqual(Array(e.ids[n...]), Array(paper[n...]))
            XCTAssertEqual(e.ids[0], tok.special.mask)
            XCTAssertEqual(Array(e.promptToken[..<n]), [-1] + (1..<n).map { Int32($0) })
            XCTAssertEqual(e.readRow, 0)
            XCTAssertEqual(e.positionless, 0..<n)
            input.append(
                ids: e.ids, typeIds: e.types, promptToken: e.promptToken, readRow: e.readRow,
                firstPosition: enc.config.firstPosition, positionless: e.positionless)
        }
        let pe = PromptEncoder(encoder: enc)
        let prompt = Fixture.floats(f["prompt"])
        let h = try pe.forward(input, prompt: prompt, promptLength: n)
        let full = try enc.mlmLogits(h, rows: input.readRow.count)
        let err = maxAbsDiff(full.data, Fixture.floats(f["logits_row0"]))
        print("paper-1.0 layout: max abs logit error at row 0 \(err)")
        XCTAssertLessThanOrEqual(err, 1e-4)

        let s = PromptGradientCase(
            enc: pe, readout: try Readout(.mlm, words: f["words"]!.array!.map { $0.int! }, encoder: enc),
            input: input, labels: f["labels"]!.array!.map { $0.int! }, n: n)
        let (loss, g, _) = try s.lossAndGrad(prompt)
        let rel = relativeError(g, Fixture.floats(f["grad"]))
        print("paper-1.0 layout: prompt gradient relative error \(rel)")
        XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-5)
        XCTAssertLessThanOrEqual(rel, 1e-3)
        XCTAssertEqual(g[0..<C].map(abs).max(), 0)
    }

    /// The paper cuts a pair at its end: text_b first, then text_a.
    func testTailTruncation() {
        var a: [Int32] = [1, 2, 3]
        var b: [Int32]? = [4, 5, 6, 7]
        XCTAssertTrue(Truncation.tail(&a, &b, maxLength: 5))
        XCTAssertEqual(a, [1, 2, 3])
        XCTAssertEqual(b, [4, 5])
        var c: [Int32] = [1, 2, 3, 4]
        var d: [Int32]? = [5]
        XCTAssertTrue(Truncation.tail(&c, &d, maxLength: 2))
        XCTAssertEqual(c, [1, 2])
        XCTAssertEqual(d, [])
        var e: [Int32] = [1, 2]
        var none: [Int32]? = nil
        XCTAssertFalse(Truncation.tail(&e, &none, maxLength: 2))
    }
}

extension RobertaTests {
    /// A RobertaModel checkpoint (names without `roberta.`, no `lm_head`) gives the same
    /// hidden states as the RobertaForMaskedLM it was cut from, and has no head.
    func testCheckpointWithoutPrefixOrHead() throws {
        let folder = Fixture.dir.appendingPathComponent("roberta-tiny").path
        let full = try SafetensorsFile(path: folder + "/model.safetensors")
        var tensors: [(String, Tensor)] = []
        for name in full.names where name.hasPrefix("roberta.") {
            tensors.append((String(name.dropFirst("roberta.".count)), try full.tensor(name)))
        }
        XCTAssertFalse(tensors.isEmpty)
        let dir = try Fixture.tempDir()
        try SafetensorsWriter.write(
            tensors, metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors").path)
        try FileManager.default.copyItem(
            atPath: folder + "/config.json", toPath: dir.appendingPathComponent("config.json").path)
        let bare = try Encoder(folder: dir.path)
        let withHead = try Encoder(folder: folder)
        XCTAssertFalse(bare.hasHead)
        XCTAssertTrue(withHead.hasHead)
        var b = Batch()
        b.append(ids: [0, 17, 99, 250, 2], firstPosition: 2)
        let n = b.rows * withHead.config.hidden
        let h1 = Array(UnsafeBufferPointer(start: try bare.forward(b), count: n))
        let h2 = Array(UnsafeBufferPointer(start: try withHead.forward(b), count: n))
        XCTAssertEqual(h1, h2)
    }
}

extension RobertaTests {
    /// The neuron-overlap stimulus in the paper's layout (`--layout paper-1.0`): the prompt
    /// with <mask> in slot 0 and no position embeddings, then <s>; the FFN activations at <s>
    /// of every layer against PyTorch (and the bits ON uses, away from the threshold).
    func testPaperLayoutStimulusMatchesPyTorch() throws {
        let (enc, tok, f) = try paperLayoutFixture()
        let n = f["n"]!.int!
        let C = enc.config.hidden
        var s = Stimulation()
        try s.useLayout(of: "paper-1.0")
        XCTAssertTrue(s.maskFirst && s.promptWithoutPositions)
        let prompt = Tensor(shape: [n, C], values: Fixture.floats(f["prompt"]))
        let want = Fixture.floats(f["start_activations"])
        let acts = try s.activations(prompt, template: nil, model: enc, tokenizer: tok)
        let err = maxAbsDiff(acts, want)
        print("paper-1.0 stimulus: FFN activations at <s> max abs error \(err)")
        XCTAssertLessThanOrEqual(err, 1e-5)
        // the plain start-token stimulus (prompt rows with positions, vector 0 used) is a different one
        var plain = Stimulation()
        try plain.useLayout(of: "bert")
        let other = maxAbsDiff(try plain.activations(prompt, template: nil, model: enc, tokenizer: tok), want)
        print("default layout differs by \(other)")
        XCTAssertGreaterThan(other, 100 * max(err, 1e-7))
        let bits = try s.mask(prompt, template: nil, model: enc, tokenizer: tok)
        XCTAssertEqual(bits.count, want.count)
        var compared = 0
        for (b, a) in zip(bits, want) where abs(a) > 1e-5 {
            XCTAssertEqual(b, a > 0 ? 1 : 0)
            compared += 1
        }
        XCTAssertGreaterThan(compared, want.count / 2)
    }
}
