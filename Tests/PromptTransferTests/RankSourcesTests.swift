// rank-sources end to end on SPLADE-tiny: one row per source with every estimator, ranked by the
// chosen one, on the target's selection slice of train (or the user's own examples); the same
// output twice; bad input refused like every tool.
import Foundation
import Plumbing
import XCTest

final class RankSourcesTests: XCTestCase {
    func testRankSourcesScoresAndRanksEverySource() throws {
        let data = try Fixture.tinyTaskData()
        let dir = try Fixture.tempDir()
        let model = try Fixture.model("splade-tiny")
        var prompts: [String] = []
        for (task, steps) in [("sst2", "4"), ("rotten_tomatoes", "0")] {
            let out = dir.appendingPathComponent("\(task).safetensors").path
            let r = try runTool(
                "tune-prompt",
                [
                    "--model", model, "--task", task, "--data-dir", data.path, "--prompt-length", "4", "--steps", steps,
                    "--batch-size", "4", "--eval-every", "0", "--output", out,
                ])
            XCTAssertEqual(r.status, 0, r.err)
            prompts.append(out)
        }
        let args = ["--model", model, "--task", "rotten_tomatoes", "--data-dir", data.path, "--by", "leep"]
        let r = try runTool("rank-sources", args + prompts)
        XCTAssertEqual(r.status, 0, r.err)
        let rows = try r.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows.map { $0["rank"]?.int }, [1, 2], "written best first")
        XCTAssertGreaterThanOrEqual(rows[0]["leep"]?.double ?? -1e9, rows[1]["leep"]?.double ?? 1e9)
        for row in rows {
            XCTAssertEqual(row["split"]?.string, "train:selection", "never a reported split")
            XCTAssertEqual(row["n"]?.int, 6, "a tenth of 60 training sentences")
            XCTAssertEqual(row["by"]?.string, "leep")
            XCTAssertTrue(row["leep"]?.double.map { $0.isFinite && $0 <= 0 } ?? false, "\(row.text)")
            XCTAssertTrue(row["logme"]?.double?.isFinite ?? false, "\(row.text)")
            XCTAssertEqual(row["hscore"], .null, "6 examples for 128 dimensions")
            XCTAssertTrue(row["hscore_regularized"]?.double?.isFinite ?? false, "shrinkage: defined \(row.text)")
            XCTAssertTrue((0...1).contains(row["probe_accuracy"]?.double ?? -1))
        }
        XCTAssertTrue(r.err.contains("H-score needs more examples than dimensions"), r.err)
        let again = try runTool("rank-sources", args + prompts)
        XCTAssertEqual(again.out, r.out, "seeded: the same ranking twice")

        // the user's own target examples, paths from stdin
        var lines: [String] = []
        for i in 0..<30 { lines.append(#"{"text_a":"a \#(i % 2 == 0 ? "fine" : "dull") film","label":\#(i % 2)}"#) }
        let mine = dir.appendingPathComponent("mine.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: mine, atomically: true, encoding: .utf8)
        let own = try runTool(
            "rank-sources", ["--model", model, "--examples", mine, "--verbalizer", "negative,positive"],
            stdin: prompts.joined(separator: "\n") + "\n")
        XCTAssertEqual(own.status, 0, own.err)
        let ownRows = try own.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(ownRows.map { $0["n"]?.int }, [30, 30])
        XCTAssertEqual(ownRows.first?["by"]?.string, "logme", "the default estimator")

        // with the target's own prompt as the reference: the prompt-only indicators; itself is nearest
        let referenced = try runTool(
            "rank-sources", args.dropLast(2) + ["--by", "cosine_concat", "--reference", prompts[1]] + prompts)
        XCTAssertEqual(referenced.status, 0, referenced.err)
        let refRows = try referenced.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(refRows.first?["source"]?.string, "rotten_tomatoes", "the reference itself ranks first")
        XCTAssertEqual(refRows.first?["cosine_concat"]?.double ?? 0, 1, accuracy: 1e-6)
        XCTAssertEqual(refRows.first?["euclidean_concat"]?.double ?? 0, 1, accuracy: 1e-6, "1 / (1 + 0)")
        XCTAssertLessThan(refRows.last?["cosine_concat"]?.double ?? 1, 1)
        XCTAssertEqual(refRows.first?["on_cosine"]?.double ?? 0, 1, accuracy: 1e-12, "the same neurons")
        XCTAssertEqual(refRows.first?["on_jaccard"]?.double ?? 0, 1, accuracy: 1e-12)
        XCTAssertTrue((0...1).contains(refRows.last?["on_cosine"]?.double ?? -1), "\(refRows.last?.text ?? "")")
        XCTAssertNotEqual(refRows.first?["settings"]?["on_stimulus"], .null, "the stimulus recorded")
        let byOverlap = try runTool(
            "rank-sources", args.dropLast(2) + ["--by", "on_jaccard", "--reference", prompts[1]] + prompts)
        XCTAssertEqual(byOverlap.status, 0, byOverlap.err)
        XCTAssertTrue(byOverlap.out.hasPrefix(#"{"source":"rotten_tomatoes""#), byOverlap.out)
        let noReference = try runTool("rank-sources", args.dropLast(2) + ["--by", "cosine_token"] + prompts)
        XCTAssertEqual(noReference.status, 64, noReference.err)
        let badBy = try runTool("rank-sources", args.dropLast(2) + ["--by", "magic"] + prompts)
        XCTAssertEqual(badBy.status, 64)
        let noTarget = try runTool("rank-sources", ["--model", model] + prompts)
        XCTAssertEqual(noTarget.status, 64)
        let minilm = try Fixture.model("minilm")
        let otherModel = try runTool(
            "rank-sources", ["--model", minilm, "--task", "sst2", "--data-dir", data.path] + prompts)
        XCTAssertEqual(otherModel.status, 65, otherModel.err)
        XCTAssertTrue(otherModel.out.isEmpty)
    }
}
