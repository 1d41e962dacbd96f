import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning
import XCTest

/// MPNet (relative position bias, no token types, positions from padding_idx + 1, the
/// `mpnet.` prefix, lm_head): a small random MPNetForMaskedLM against transformers, and the
/// real all-mpnet-base-v2 (models/mpnet-base) against transformers and sentence-transformers
/// (fixtures from scripts/make_fixtures.py).
final class MPNetTests: XCTestCase {
    let tiny = Fixture.dir.appendingPathComponent("mpnet-tiny").path

    func testRelativePositionBucketsEqualTransformers() throws {
        let expected = try Fixture.json("mpnet_tiny.json")["buckets_from_minus_600"]!.array!.map { $0.int! }
        for (k, want) in expected.enumerated() {
            XCTAssertEqual(RelativePositionBias.bucket(k - 600), want, "relative position \(k - 600)")
        }
    }

    func testRandomMPNetMLMLogitsMatchTransformers() throws {
        let enc = try Encoder(folder: tiny)
        XCTAssertEqual(enc.config.family, .mpnet)
        XCTAssertEqual(enc.config.firstPosition, 2)
        XCTAssertTrue(enc.hasHead)
        let fx = try Fixture.json("mpnet_tiny.json")
        let longest = fx["sequences"]!.array!.map { Fixture.ints($0).count }.max()!
        XCTAssertGreaterThan(longest, 160, "a sequence must reach the last bucket (distance > 128)")
        let worst = try mlmLogitsError(enc, fx)
        print("mpnet-tiny max abs logit error \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-4)
    }

    func testMPNetPromptGradientMatchesAutogradAndFiniteDifferences() throws {
        let enc = try Encoder(folder: tiny)
        let f = try Fixture.json("mpnet_tiny.json")["prompt_gradient"]!
        let n = f["n"]!.int!
        let seqs = f["sequences"]!.array!.map { Fixture.ints($0) }
        let readout = try Readout(.mlm, words: f["words"]!.array!.map { $0.int! }, encoder: enc)
        let check = PromptGradientCase(
            enc: PromptEncoder(encoder: enc), readout: readout,
            input: promptAfterStart(seqs, n: n, firstPosition: enc.config.firstPosition),
            labels: f["labels"]!.array!.map { $0.int! }, n: n)
        let prompt = Fixture.floats(f["prompt"])
        let (loss, gradient, _) = try check.lossAndGrad(prompt)
        let rel = relativeError(gradient, Fixture.floats(f["grad"]))
        print("mpnet-tiny prompt gradient relative error \(rel)")
        XCTAssertEqual(Double(loss), f["loss"]!.double!, accuracy: 1e-5)
        XCTAssertLessThanOrEqual(rel, 1e-3)
        // central differences on a spread of coordinates (in double the loss is smooth enough at 1e-2)
        let step: Float = 1e-2
        var worst: Float = 0
        for index in stride(from: 0, to: prompt.count, by: 13) {
            var plus = prompt
            var minus = prompt
            plus[index] += step
            minus[index] -= step
            let numeric = (try check.lossAndGrad(plus).0 - check.lossAndGrad(minus).0) / (2 * step)
            worst = max(worst, abs(numeric - gradient[index]))
        }
        print("mpnet-tiny finite differences max abs error \(worst)")
        XCTAssertLessThanOrEqual(worst, 2e-3)
    }

    func testMPNetTokenizerIdsEqualTheFastTokenizer() throws {
        let folder = try Fixture.model("mpnet-base")
        let tok = try Tokenizer.load(folder: folder)
        let fx = try Fixture.json("tokenizer_mpnet.json")
        for c in fx["cases"]!.array! {
            let enc = try tok.encode(c["text_a"]!.string!, c["text_b"]?.string, maxLength: c["max_length"]?.int)
            XCTAssertEqual(enc.encoding.ids, Fixture.ints(c["input_ids"]), c.text)
        }
        let sst2 = try sst2DevMismatches(tok, fx)
        XCTAssertEqual(sst2.sentences, sst2.hashes)
        XCTAssertEqual(sst2.bad, 0, "SST-2 dev sentences tokenized differently")
        var bad = 0
        var total = 0
        for name in ["rt-polarity.pos", "rt-polarity.neg"] {
            let data = try Data(contentsOf: try Fixture.data("rotten_tomatoes/\(name)"))
            let text = String(data.map { Character(Unicode.Scalar($0)) })
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
            let hashes = fx["rotten_tomatoes"]![name]!.array!.map { $0.string! }
            XCTAssertEqual(lines.count, hashes.count)
            for (s, h) in zip(lines, hashes) where fnv1a(try tok.encode(s).encoding.ids) != h {
                bad += 1
            }
            total += lines.count
        }
        XCTAssertEqual(total, 10_662)
        XCTAssertEqual(bad, 0, "rotten_tomatoes sentences tokenized differently")
    }

    func testRealMPNetHiddenStatesAndSentenceEmbeddings() throws {
        let folder = try Fixture.model("mpnet-base")
        let enc = try Encoder(folder: folder)
        let fx = try Fixture.json("forward_mpnet.json")
        let columns = fx["columns"]!.array!.map { $0.int! }
        let cases = fx["cases"]!.array!
        XCTAssertEqual(cases.count, 25)
        let C = enc.config.hidden
        var worst: Float = 0
        for c in cases {
            var batch = Batch()
            batch.append(ids: Fixture.ints(c["input_ids"]), firstPosition: enc.config.firstPosition)
            let h = try enc.forward(batch)
            let want = Fixture.floats(c["hidden_columns"])
            for row in 0..<batch.rows {
                for (k, column) in columns.enumerated() {
                    worst = max(worst, abs(h[row * C + column] - want[row * columns.count + k]))
                }
            }
        }
        print("mpnet-base max abs error (last hidden states, \(columns.count) columns at every row): \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-4)

        // embed --pool mean --normalize against sentence-transformers, single sentences
        let singles = cases.filter { $0["text_b"] == nil }
        let input = singles.map { JSON.object([.init("text_a", $0["text_a"]!)]).text }.joined(separator: "\n") + "\n"
        let result = try runTool(
            "embed", ["--model", folder, "--pool", "mean", "--normalize", "--max-length", "384"],
            stdin: input)
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(lines.count, singles.count)
        var worstEmbedding: Float = 0
        for (line, c) in zip(lines, singles) {
            let got = line["embedding"]!.array!.map { Float($0.double!) }
            let want = Fixture.floats(c["sentence_embedding"])
            for i in want.indices { worstEmbedding = max(worstEmbedding, abs(got[i] - want[i])) }
        }
        print("mpnet-base sentence embeddings vs \(fx["sentence_reference"]!.string!): max abs error \(worstEmbedding)")
        XCTAssertLessThanOrEqual(worstEmbedding, 1e-4)
    }
}

/// Every tool on the real MPNet folder, as a user runs them (tiny budgets: this checks the
/// plumbing, not accuracy): tokenize, embed, tune-prompt, eval-prompt, score-similarity with
/// neuron overlap, and a projector from MiniLM-L6 to MPNet.
final class MPNetToolTests: XCTestCase {
    func testEveryToolRunsOnMPNet() throws {
        let mpnet = try Fixture.model("mpnet-base")
        let minilm = try Fixture.model("minilm")
        let data = try Fixture.sst2DataDir()
        let dir = try Fixture.tempDir()
        let t = try runTool(
            "tokenize", ["--model", mpnet], stdin: "{\"text_a\":\"a good film\",\"text_b\":\"the end\"}\n")
        XCTAssertEqual(t.status, 0, t.err)
        XCTAssertEqual(Fixture.ints(try JSON.parse(t.out)["input_ids"]), [0, 1041, 2208, 2147, 2, 2, 2000, 2207, 2])
        let e = try runTool(
            "embed", ["--model", mpnet, "--pool", "mask"], stdin: "{\"text_a\":\"the film was <mask> .\"}\n")
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertEqual(try JSON.parse(e.out)["embedding"]?.array?.count, 768)
        let small = ["--prompt-length", "4", "--max-text-tokens", "16", "--batch-size", "4", "--data-dir", data.path]
        let prompt = dir.appendingPathComponent("sst2.safetensors").path
        let tune = try runTool(
            "tune-prompt",
            [
                "--model", mpnet, "--task", "sst2", "--steps", "2", "--eval-every", "2",
                "--output", prompt,
            ] + small)
        XCTAssertEqual(tune.status, 0, tune.err)
        let file = try PromptFile.read(prompt)
        XCTAssertEqual(file.metadata["readout"], "tied")
        XCTAssertEqual(file.metadata["template"], PromptTemplate.roberta)
        let eval = try runTool("eval-prompt", ["--model", mpnet, "--task", "sst2", "--data-dir", data.path, prompt])
        XCTAssertEqual(eval.status, 0, eval.err)
        XCTAssertEqual(try JSON.parse(eval.out)["n"]?.int, 24)
        let sim = try runTool("score-similarity", ["--model", mpnet, prompt, prompt])
        XCTAssertEqual(sim.status, 0, sim.err)
        XCTAssertEqual(try JSON.parse(String(sim.out.split(separator: "\n")[0]))["on_jaccard"]?.double, 1)
        // MiniLM-L6 → MPNet (small → large), task objective through MPNet
        let source = dir.appendingPathComponent("minilm.safetensors").path
        XCTAssertEqual(
            try runTool(
                "tune-prompt",
                [
                    "--model", minilm, "--task", "sst2", "--steps", "2", "--eval-every", "2",
                    "--output", source,
                ] + small
            ).status, 0)
        let projector = dir.appendingPathComponent("projector.safetensors").path
        let train = try runTool(
            "project",
            [
                "train", "--source-model", minilm, "--target-model", mpnet, "--tasks", "sst2",
                "--source-prompts", source, "--steps", "2", "--hidden", "8", "--batch-size", "4",
                "--max-text-tokens", "16", "--data-dir", data.path, "--output", projector,
            ])
        XCTAssertEqual(train.status, 0, train.err)
        let projected = dir.appendingPathComponent("projected").path
        XCTAssertEqual(
            try runTool("project", ["apply", "--projector", projector, "--output-dir", projected, source]).status, 0)
        let mapped = try PromptFile.read(projected + "/sst2.safetensors")
        XCTAssertEqual(mapped.prompt.shape, [4, 768])
        let again = try runTool(
            "eval-prompt",
            [
                "--model", mpnet, "--task", "sst2", "--data-dir", data.path,
                projected + "/sst2.safetensors",
            ])
        XCTAssertEqual(again.status, 0, again.err)
    }
}
