import Foundation
import Plumbing
import Tuning
import XCTest

/// Every tool on a RoBERTa model folder (the tiny random checkpoint with its byte-level BPE
/// tokenizer.json), as a user with roberta-base would run them.
final class RobertaToolTests: XCTestCase {
    let roberta = Fixture.dir.appendingPathComponent("roberta-tiny").path
    // label words of the tiny 300-token vocabulary: " the" and " and" (with the space marker)
    let words = " the, and"

    func dataDir() throws -> URL { try Fixture.sst2DataDir() }

    func testTokenizeAndEmbedUseRobertasFormat() throws {
        let t = try runTool(
            "tokenize", ["--model", roberta], stdin: "{\"text_a\":\"a good film\",\"text_b\":\"the end\"}\n")
        XCTAssertEqual(t.status, 0, t.err)
        let ids = Fixture.ints(try JSON.parse(t.out)["input_ids"])
        XCTAssertEqual(ids.first, 0)  // <s>
        XCTAssertEqual(ids.filter { $0 == 2 }.count, 3)  // </s></s> between the texts, </s> at the end
        let e = try runTool(
            "embed", ["--model", roberta, "--pool", "mask"], stdin: "{\"text_a\":\"the film was <mask> .\"}\n")
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertEqual(try JSON.parse(e.out)["embedding"]?.array?.count, 32)
    }

    func testTuneEvalScoreAndProjectOnRoberta() throws {
        let data = try dataDir()
        let dir = try Fixture.tempDir()
        var prompts: [String] = []
        for (name, template) in [("default", nil), ("paper", "paper-1.0")] as [(String, String?)] {
            let out = dir.appendingPathComponent("\(name).safetensors").path
            let r = try runTool(
                "tune-prompt",
                [
                    "--model", roberta, "--task", "sst2", "--data-dir", data.path, "--verbalizer", words,
                    "--prompt-length", "4", "--max-text-tokens", "48", "--steps", "6", "--batch-size", "8",
                    "--eval-every", "3", "--output", out,
                ] + (template.map { ["--template", $0] } ?? []))
            XCTAssertEqual(r.status, 0, r.err)
            let f = try PromptFile.read(out)
            XCTAssertEqual(f.metadata["template"], template == nil ? PromptTemplate.roberta : PromptTemplate.paper10)
            XCTAssertEqual(f.metadata["model"], "roberta-tiny")
            prompts.append(out)
        }
        let ev = try runTool(
            "eval-prompt",
            ["--model", roberta, "--task", "sst2", "--data-dir", data.path, "--verbalizer", words] + prompts)
        XCTAssertEqual(ev.status, 0, ev.err)
        XCTAssertEqual(ev.out.split(separator: "\n").count, 2)
        for line in ev.out.split(separator: "\n") { XCTAssertEqual(try JSON.parse(String(line))["n"]?.int, 24) }

        let sim = try runTool("score-similarity", ["--model", roberta] + prompts)
        XCTAssertEqual(sim.status, 0, sim.err)
        let pair = try JSON.parse(String(sim.out.split(separator: "\n")[1]))
        XCTAssertNotNil(pair["on_jaccard"]?.double)
        XCTAssertNotNil(pair["cosine_token"]?.double)

        // RoBERTa as the source of a projector (task objective through SPLADE-tiny), then applied
        let proj = dir.appendingPathComponent("proj.safetensors").path
        let splade = try Fixture.model("splade-tiny")
        let tr = try runTool(
            "project",
            [
                "train", "--source-model", roberta, "--target-model", splade, "--tasks", "sst2",
                "--source-prompts", prompts[0], "--steps", "3", "--hidden", "8", "--batch-size", "4",
                "--data-dir", data.path, "--output", proj,
            ])
        XCTAssertEqual(tr.status, 0, tr.err)
        let ap = try runTool(
            "project",
            ["apply", "--projector", proj, "--output-dir", dir.appendingPathComponent("projected").path, prompts[0]])
        XCTAssertEqual(ap.status, 0, ap.err)
        let projected = try PromptFile.read(dir.appendingPathComponent("projected/sst2.safetensors").path)
        XCTAssertEqual(projected.prompt.shape, [4, 128])
        XCTAssertEqual(projected.metadata["template"], PromptTemplate.bert)  // the target's layout

        // RoBERTa as the target (distance objective to its paper-1.0 prompt): projected prompts carry that layout
        let src = dir.appendingPathComponent("splade.safetensors").path
        let tune = try tuneTinySpladePrompt(data: data, output: src)
        XCTAssertEqual(tune.status, 0, tune.err)
        let proj2 = dir.appendingPathComponent("proj2.safetensors").path
        let d = try runTool(
            "project",
            [
                "train", "--source-model", splade, "--target-model", roberta, "--tasks", "sst2", "--objective",
                "distance",
                "--source-prompts", src, "--target-prompts", prompts[1], "--steps", "3", "--hidden", "8", "--output",
                proj2,
            ])
        XCTAssertEqual(d.status, 0, d.err)
        let out2 = dir.appendingPathComponent("projected2").path
        XCTAssertEqual(try runTool("project", ["apply", "--projector", proj2, "--output-dir", out2, src]).status, 0)
        let p2 = try PromptFile.read(out2 + "/sst2.safetensors")
        XCTAssertEqual(p2.metadata["template"], PromptTemplate.paper10)
        let ev2 = try runTool(
            "eval-prompt",
            [
                "--model", roberta, "--task", "sst2", "--data-dir", data.path, "--verbalizer", words,
                "--max-text-tokens", "48", out2 + "/sst2.safetensors",
            ])
        XCTAssertEqual(ev2.status, 0, ev2.err)
    }

    func testRobertaLabelWordsMustBeSingleTokens() throws {
        let data = try dataDir()
        let r = try runTool(
            "tune-prompt",
            [
                "--model", roberta, "--task", "sst2", "--data-dir", data.path, "--steps", "1",
                "--prompt-length", "2", "--output", data.appendingPathComponent("x.safetensors").path,
            ])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("label word 'negative' is"), r.err)
    }
}
