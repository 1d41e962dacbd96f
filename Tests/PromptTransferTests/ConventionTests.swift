// The conventions every tool shares, tried as a new user would: --version, output folders
// created, progress, one name per prompt, one value per heatmap cell, your own examples.
import Foundation
import Plumbing
import XCTest

final class ConventionTests: XCTestCase {
    let tools = [
        "tokenize", "embed", "prepare-data", "tune-prompt", "eval-prompt", "heatmap-csv",
        "score-similarity", "project", "pt-bench", "overlap", "results-table", "inspect-prompt",
        "rank-sources", "score-rankings", "cross-model-results",
        "compare-runs",
    ]

    func testEveryToolPrintsItsVersion() throws {
        for tool in tools {
            let r = try runTool(tool, ["--version"])
            XCTAssertEqual(r.status, 0, tool)
            XCTAssertEqual(r.out.trimmingCharacters(in: .whitespacesAndNewlines), toolkitVersion, tool)
        }
    }

    /// Every option two tools offer stands in the README's table of the option vocabulary, and no
    /// tool shows an old spelling.
    func testEveryOptionTwoToolsShareIsInTheREADMEsVocabulary() throws {
        let readme = try String(contentsOf: Fixture.root.appendingPathComponent("README.md"), encoding: .utf8)
        let toolNames = try FileManager.default.contentsOfDirectory(
            atPath: Fixture.root.appendingPathComponent("Sources/Tools").path)
        var offeredBy: [String: Set<String>] = [:]
        for tool in toolNames {
            let commands = tool == "project" ? [["train", "--help"], ["apply", "--help"]] : [["--help"]]
            for args in commands {
                let r = try runTool(tool, args)
                XCTAssertEqual(r.status, 0, "\(tool) \(args): \(r.err)")
                guard let options = r.out.components(separatedBy: "\nOPTIONS:\n").last else { continue }
                for line in options.split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    guard line.hasPrefix("  "), !line.hasPrefix("    "), let first = words.first else { continue }
                    let option = first.hasPrefix("--") ? first : (words.count > 1 ? words[1] : "")
                    guard option.hasPrefix("--") else { continue }
                    offeredBy[option.trimmingCharacters(in: CharacterSet(charactersIn: ","))] = (
                        offeredBy[option.trimmingCharacters(in: CharacterSet(charactersIn: ","))] ?? []
                    ).union([tool])
                }
            }
        }
        XCTAssertNotNil(offeredBy["--model"], "the help was parsed: \(offeredBy.keys.sorted())")
        XCTAssertNil(offeredBy["--limit"], "--limit is the hidden old spelling of --eval-limit")
        let shared = offeredBy.filter { $0.value.count >= 2 && !["--help", "--version"].contains($0.key) }
        XCTAssertGreaterThan(shared.count, 20)
        let table = readme.components(separatedBy: "One vocabulary of options").last?
            .components(separatedBy: "\n\n").dropFirst().first ?? ""
        XCTAssertTrue(table.hasPrefix("| option |"), "the README's option table: \(table.prefix(80))")
        for (option, tools) in shared.sorted(by: { $0.key < $1.key }) {
            XCTAssertTrue(
                [" ", "`", ","].contains { table.contains(option + $0) },
                "\(option) (\(tools.sorted().joined(separator: ", "))) is missing from the README's option table")
        }
    }

    /// A small prompt on SPLADE-tiny (tuned for 2 steps), written into a folder that does not exist yet.
    func tinyPrompt(_ dir: URL) throws -> String {
        let data = try Fixture.sst2DataDir()
        let out = dir.appendingPathComponent("new/folder/p.safetensors").path
        let r = try runTool(
            "tune-prompt",
            [
                "--model", try Fixture.model("splade-tiny"), "--task", "sst2",
                "--data-dir", data.path, "--prompt-length", "4", "--steps", "2",
                "--batch-size", "4", "--eval-every", "0", "--output", out,
            ])
        XCTAssertEqual(r.status, 0, r.err)
        return out
    }

    func testOutputFoldersAreCreatedByEveryDataWritingTool() throws {
        let dir = try Fixture.tempDir()
        let prompt = try tinyPrompt(dir)
        let texts = dir.appendingPathComponent("texts.jsonl")
        try "{\"text_a\":\"a fine film\",\"label\":1}\n{\"text_a\":\"dull\",\"label\":0}\n"
            .write(to: texts, atomically: true, encoding: .utf8)
        let model = try Fixture.model("splade-tiny")
        let runs: [(String, [String])] = [
            ("tokenize", ["--model", model, texts.path, "-o"]),
            ("embed", ["--model", model, texts.path, "-o"]),
            (
                "eval-prompt",
                [
                    "--model", model, "--examples", texts.path, "--verbalizer", "negative,positive",
                    prompt, "-o",
                ]
            ),
            ("score-similarity", [prompt, prompt, "-o"]),
        ]
        for (k, run) in runs.enumerated() {
            let out = dir.appendingPathComponent("out\(k)/deeper/result.jsonl").path
            let r = try runTool(run.0, run.1 + [out])
            XCTAssertEqual(r.status, 0, "\(run.0): \(r.err)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out), run.0)
        }
    }

    func testEvalPromptTakesYourOwnExamplesAndRecordsItsSettings() throws {
        let dir = try Fixture.tempDir()
        let prompt = try tinyPrompt(dir)
        let texts = dir.appendingPathComponent("mine.jsonl")
        let examples = [#"{"text_a":"a fine film","label":1}"#, #"{"text_a":"dull","label":0}"#,
                        #"{"text_a":"great","label":1}"#]
        try (examples.joined(separator: "\n") + "\n").write(to: texts, atomically: true, encoding: .utf8)
        let model = try Fixture.model("splade-tiny")
        let r = try runTool(
            "eval-prompt",
            [
                "--model", model, "--examples", texts.path, "--verbalizer", "bad,good",
                "--progress", prompt,
            ])
        XCTAssertEqual(r.status, 0, r.err)
        let line = try JSON.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(line["target"]?.string, "mine")
        XCTAssertEqual(line["n"]?.int, 3)
        XCTAssertEqual(line["settings"]?["verbalizer"]?.array?.compactMap(\.string), ["bad", "good"])
        XCTAssertEqual(line["settings"]?["toolkit_version"]?.string, toolkitVersion)
        XCTAssertTrue(r.err.contains("3/3"), "progress on stderr with --progress: \(r.err)")
        // into a pipe: plain lines, one every 30 s and at the end, no terminal codes
        XCTAssertFalse(r.err.contains("\u{1b}") || r.err.contains("\r"), "terminal codes in a file: \(r.err)")
        XCTAssertEqual(r.err.split(separator: "\n").filter { $0.contains("3/3") }.count, 1, r.err)
        // without --verbalizer: the label words the prompt recorded (SST-2's)
        let recorded = try runTool("eval-prompt", ["--model", model, "--examples", texts.path, prompt])
        XCTAssertEqual(recorded.status, 0, recorded.err)
        let recordedLine = try JSON.parse(recorded.out.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(
            recordedLine["settings"]?["verbalizer"]?.array?.compactMap(\.string), ["negative", "positive"])
        let neither = try runTool("eval-prompt", ["--model", model, prompt])
        XCTAssertEqual(neither.status, 64)
    }

    func testRepeatedPromptNamesAreMadeUniqueWithAWarning() throws {
        let dir = try Fixture.tempDir()
        let prompt = try tinyPrompt(dir)
        let r = try runTool("score-similarity", [prompt, prompt])
        XCTAssertEqual(r.status, 0, r.err)
        let pairs = Set(
            r.out.split(separator: "\n").map { line -> String in
                let j = try! JSON.parse(String(line))
                return "\(j["source"]!.string!)|\(j["target"]!.string!)"
            })
        XCTAssertEqual(pairs.count, 4, "every (source, target) pair once: \(pairs)")
        XCTAssertTrue(pairs.contains("sst2#2|sst2"), "\(pairs)")
        XCTAssertTrue(r.err.contains("two prompts are named \"sst2\""), r.err)
    }

    func testARepeatedHeatmapCellIsAnError() throws {
        let lines =
            "{\"source\":\"a\",\"target\":\"b\",\"accuracy\":0.5}\n{\"source\":\"a\",\"target\":\"b\","
            + "\"accuracy\":0.7}\n"
        let r = try runTool("heatmap-csv", [], stdin: lines)
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("-:2:") || r.err.contains(":2:"), r.err)
        XCTAssertTrue(r.err.contains("row \"a\", column \"b\""), r.err)
        XCTAssertTrue(r.out.isEmpty)
    }

    func testTheSVGKeepsTheLastColumnLabelInside() throws {
        let dir = try Fixture.tempDir()
        let svg = dir.appendingPathComponent("h.svg").path
        let label = String(repeating: "long_target_name_", count: 4)
        let line = "{\"source\":\"a\",\"target\":\"\(label)\",\"accuracy\":0.5}\n"
        XCTAssertEqual(try runTool("heatmap-csv", ["--svg", svg], stdin: line).status, 0)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        let width = Double(text.components(separatedBy: "width=\"")[1].prefix { $0 != "\"" })!
        // the label starts at the column's centre and runs cos 40° × (6.6 px per character) to the right
        let labelStart = Double(text.components(separatedBy: "<text x=\"")[2].prefix { $0 != "\"" })!
        XCTAssertGreaterThan(width, labelStart + Double(label.count) * 6.6 * cos(40 * Double.pi / 180))
    }
}
