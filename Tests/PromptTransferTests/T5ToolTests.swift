import Foundation
import Plumbing
import Tuning
import XCTest

/// Every tool on a T5 model folder (the tiny random checkpoint with its T5-format
/// tokenizer.json), as a user with t5-base would run them: the label is read at the first
/// decoder step, each label word by its first token (SST-2's "negative" starts with "▁",
/// "positive" with "▁positi").
final class T5ToolTests: XCTestCase {
    let t5 = Fixture.dir.appendingPathComponent("t5-tiny").path

    func testTokenizeAndEmbedOnT5() throws {
        let t = try runTool("tokenize", ["--model", t5], stdin: "{\"text_a\":\"a good film\",\"text_b\":\"the end\"}\n")
        XCTAssertEqual(t.status, 0, t.err)
        let ids = Fixture.ints(try JSON.parse(t.out)["input_ids"])
        XCTAssertEqual(ids.filter { $0 == 1 }.count, 2, "</s> after each text")
        XCTAssertEqual(ids.last, 1)
        let e = try runTool("embed", ["--model", t5, "--pool", "mean"], stdin: "{\"text_a\":\"a good film\"}\n")
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssertEqual(try JSON.parse(e.out)["embedding"]?.array?.count, 32)
    }

    func testTuneEvalScoreAndProjectOnT5() throws {
        let data = try Fixture.sst2DataDir()
        let dir = try Fixture.tempDir()
        var prompts: [String] = []
        for (name, template) in [("default", nil), ("paper", "paper-1.0-t5")] as [(String, String?)] {
            let out = dir.appendingPathComponent("\(name).safetensors").path
            let r = try runTool(
                "tune-prompt",
                [
                    "--model", t5, "--task", "sst2", "--data-dir", data.path, "--prompt-length", "4",
                    "--max-text-tokens", "48", "--steps", "6", "--batch-size", "8", "--eval-every", "3", "--lr", "0.3",
                    "--output", out,
                ] + (template.map { ["--template", $0] } ?? []))
            XCTAssertEqual(r.status, 0, r.err)
            let f = try PromptFile.read(out)
            XCTAssertEqual(f.metadata["template"], template == nil ? PromptTemplate.t5 : PromptTemplate.paper10T5)
            XCTAssertEqual(f.metadata["readout"], "decoder")
            XCTAssertEqual(f.metadata["label_word_ids"], "[3,830]", "the first tokens of negative and positive")
            let losses = r.out.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
                .filter { $0["event"]?.string == "train" }.compactMap { $0["loss"]?.double }
            XCTAssertFalse(losses.isEmpty)
            XCTAssertTrue(losses.allSatisfy(\.isFinite))
            prompts.append(out)
        }
        let ev = try runTool("eval-prompt", ["--model", t5, "--task", "sst2", "--data-dir", data.path] + prompts)
        XCTAssertEqual(ev.status, 0, ev.err)
        XCTAssertEqual(ev.out.split(separator: "\n").count, 2)
        for line in ev.out.split(separator: "\n") {
            let j = try JSON.parse(String(line))
            XCTAssertEqual(j["n"]?.int, 24)
            XCTAssertEqual(j["readout"]?.string, "decoder")
        }
        let sim = try runTool("score-similarity", ["--model", t5] + prompts)
        XCTAssertEqual(sim.status, 0, sim.err)
        let pair = try JSON.parse(String(sim.out.split(separator: "\n")[1]))
        XCTAssertNotNil(pair["on_jaccard"]?.double, "ON on T5's encoder feed-forward")

        // T5 as the target of a projector trained through its decoder (task objective), then applied and evaluated
        let splade = try Fixture.model("splade-tiny")
        let src = dir.appendingPathComponent("splade.safetensors").path
        let tune = try tuneTinySpladePrompt(data: data, output: src)
        XCTAssertEqual(tune.status, 0, tune.err)
        let proj = dir.appendingPathComponent("proj.safetensors").path
        let tr = try runTool(
            "project",
            [
                "train", "--source-model", splade, "--target-model", t5, "--tasks", "sst2", "--source-prompts", src,
                "--steps", "3", "--hidden", "8", "--batch-size", "4", "--data-dir", data.path, "--output", proj,
            ])
        XCTAssertEqual(tr.status, 0, tr.err)
        let projected = dir.appendingPathComponent("projected").path
        XCTAssertEqual(try runTool("project", ["apply", "--projector", proj, "--output-dir", projected, src]).status, 0)
        let p = try PromptFile.read(projected + "/sst2.safetensors")
        XCTAssertEqual(p.prompt.shape, [4, 32])
        XCTAssertEqual(p.metadata["readout"], "decoder")
        let ev2 = try runTool(
            "eval-prompt", ["--model", t5, "--task", "sst2", "--data-dir", data.path, projected + "/sst2.safetensors"])
        XCTAssertEqual(ev2.status, 0, ev2.err)

        // T5 as the source (distance objective to a SPLADE-tiny prompt)
        let proj2 = dir.appendingPathComponent("proj2.safetensors").path
        let d = try runTool(
            "project",
            [
                "train", "--source-model", t5, "--target-model", splade, "--tasks", "sst2", "--objective", "distance",
                "--source-prompts", prompts[0], "--target-prompts", src, "--steps", "3", "--hidden", "8",
                "--output", proj2,
            ])
        XCTAssertEqual(d.status, 0, d.err)
    }

    func testAnEncoderReadoutOnT5IsRefused() throws {
        let data = try Fixture.sst2DataDir()
        let r = try runTool(
            "tune-prompt",
            [
                "--model", t5, "--task", "sst2", "--data-dir", data.path, "--readout", "mlm", "--steps", "1",
                "--prompt-length", "2", "--output", data.appendingPathComponent("x.safetensors").path,
            ])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("T5 reads labels at its decoder"), r.err)
    }
}
