import Foundation
import Plumbing
import XCTest

/// Corrupt and hostile inputs: every one refused with exit 64/65 and a message naming the
/// file and the problem, never a crash; the fuzz harnesses replay the corpus; options out
/// of range are usage errors.
final class HardeningTests: XCTestCase {
    let corrupt = Fixture.dir.appendingPathComponent("corrupt")

    /// Each case of Fixtures/corrupt/cases.json (written by scripts/make_fixtures.py).
    func testEveryCorruptFileIsRefusedByNameAndNoToolDiesOfASignal() throws {
        let minilm = try Fixture.model("minilm")
        let good = Fixture.dir.appendingPathComponent("prompts/v1_f4.npy").path
        let cases = try Fixture.json("corrupt/cases.json").array ?? []
        XCTAssertGreaterThan(cases.count, 30)
        for entry in cases {
            let name = entry["file"]!.string!
            let tool = entry["tool"]!.string!
            let path = corrupt.appendingPathComponent(name).path
            let result: ToolResult
            switch tool {
            case "prompt", "accept":
                result = try runTool("score-similarity", [path, path])
            case "projector":
                let out = try Fixture.tempDir().path
                result = try runTool("project", ["apply", "--projector", path, "--output-dir", out, good])
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "\(name): wrote output")
            case "jsonl":
                result = try runTool("tokenize", ["--model", minilm, path])
            case "tokenizer":
                result = try runTool("tokenize", ["--model", path], stdin: "{\"text_a\":\"a\"}\n")
            default:
                XCTFail("unknown tool \(tool) for \(name)")
                continue
            }
            XCTAssertFalse(result.signaled, "\(name): \(tool) died of signal \(result.status)")
            if tool == "accept" {
                XCTAssertEqual(result.status, 0, "\(name): \(result.err)")
                continue
            }
            XCTAssertEqual(result.status, 65, "\(name): \(result.err)")
            XCTAssertTrue(result.err.contains(name), "\(name): message does not name the file: \(result.err)")
            XCTAssertTrue(result.err.contains(entry["expect"]!.string!), "\(name): \(result.err)")
            XCTAssertTrue(result.out.isEmpty || tool == "jsonl", "\(name): printed data before refusing")
        }
    }

    /// A model folder whose config or weights are wrong is bad input like any file: exit 65, the
    /// file named, nothing on stdout (these once exited 1).
    func testABrokenModelFolderExits65NamingTheFile() throws {
        let tiny = Fixture.dir.appendingPathComponent("roberta-tiny")
        let config = try String(contentsOf: tiny.appendingPathComponent("config.json"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("\"model_type\": \"roberta\"", "\"model_type\": \"gpt2\"", "model_type 'gpt2' is not supported"),
            ("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\"", "hidden_act 'relu' is not supported"),
            ("\"num_attention_heads\": 4", "\"num_attention_heads\": 5", "not a multiple of num_attention_heads"),
            ("\"hidden_size\": 32", "\"hidden_size\": 36", "has shape"),
        ]
        for (from, to, expect) in cases {
            let dir = try Fixture.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            for file in ["model.safetensors", "tokenizer.json"] {
                try FileManager.default.copyItem(
                    at: tiny.appendingPathComponent(file), to: dir.appendingPathComponent(file))
            }
            XCTAssertTrue(config.contains(from), from)
            try config.replacingOccurrences(of: from, with: to).write(
                to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            let r = try runTool("embed", ["--model", dir.path], stdin: "{\"text_a\":\"a b\"}\n")
            XCTAssertEqual(r.status, 65, "\(to): \(r.err)")
            XCTAssertTrue(r.err.contains(dir.path), "\(to): does not name the file: \(r.err)")
            XCTAssertTrue(r.err.contains(expect), "\(to): \(r.err)")
            XCTAssertTrue(r.out.isEmpty, "\(to): \(r.out)")
        }
    }

    /// A tool that refuses its arguments exits without reading stdin; the test that fed it 1 MiB
    /// (more than a pipe holds) must see the refusal, not die of SIGPIPE itself.
    func testAToolThatExitsBeforeReadingStdinDoesNotKillTheTests() throws {
        let refused = corrupt.appendingPathComponent("tok_huge_id").path
        let input = String(repeating: "{\"text_a\":\"a\"}\n", count: 1 << 16)
        let result = try runTool("tokenize", ["--model", refused], stdin: input)
        XCTAssertFalse(result.signaled, result.err)
        XCTAssertEqual(result.status, 65, result.err)
        XCTAssertTrue(result.err.contains("tok_huge_id"), result.err)
    }

    /// The seed corpus, the corrupt files and every kept crasher through each fuzz harness in
    /// the ordinary build: nothing may crash.
    func testFuzzHarnessesReplayTheCorpusWithoutACrash() throws {
        let files = FileManager.default
        var inputs: [String] = []
        for folder in ["corrupt", "prompts", "prompts/peft_adapter", "roberta-tiny", "fuzz"] {
            let url = Fixture.dir.appendingPathComponent(folder)
            guard let enumerator = files.enumerator(atPath: url.path) else { continue }
            for case let relative as String in enumerator {
                var isFolder: ObjCBool = false
                let path = url.appendingPathComponent(relative).path
                if files.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                    inputs.append(path)
                }
            }
        }
        XCTAssertGreaterThan(inputs.count, 40)
        for harness in ["pickle", "torch", "npy", "safetensors", "jsonl", "tokenizer", "semeval"] {
            let result = try runTool("fuzz-readers", [harness] + inputs)
            XCTAssertFalse(result.signaled, "\(harness) crashed: \(result.err)")
            XCTAssertEqual(result.status, 0, "\(harness): \(result.err)")
            XCTAssertTrue(result.out.contains("\(inputs.count) inputs replayed"), result.out)
        }
    }

    func testOptionsOutOfRangeAreUsageErrors() throws {
        let m = try Fixture.model("minilm")
        let prompt = Fixture.dir.appendingPathComponent("prompts/v1_f4.npy").path
        let cases: [(String, [String], String)] = [
            (
                "eval-prompt", ["--model", m, "--task", "sst2", "--batch-size", "0", prompt],
                "--batch-size must be between 1"
            ),
            (
                "eval-prompt", ["--model", m, "--task", "sst2", "--limit", "-5", prompt],
                "--eval-limit must be at least 1"
            ),
            ("eval-prompt", ["--model", m, "--task", "sst2", "--threads", "0", prompt], "--threads must be between 1"),
            ("eval-prompt", ["--model", m, "--task", "sst2"], "no prompts: name prompt files"),
            ("tune-prompt", ["--model", m, "--task", "sst2", "--steps", "2", "--epochs", "1"], "not both"),
            ("tune-prompt", ["--model", m, "--task", "sst2", "--max-text-tokens", "0"], "--max-text-tokens must be"),
            ("tune-prompt", ["--model", m, "--task", "sst2", "--eval-limit", "0"], "--eval-limit must be at least 1"),
            ("tune-prompt", ["--model", m, "--task", "sst2", "--force", "--resume"], "give one"),
            ("pt-bench", ["--model", m, "--mode", "backward"], "--mode must be forward or train"),
            (
                "pt-bench", ["--model", m, "--mode", "train", "--sequence-length", "10", "--prompt-length", "20"],
                "--sequence-length must be at least 24"
            ),
            ("embed", ["--model", m, "--batch-size", "0"], "--batch-size must be between 1"),
            ("score-similarity", [], "no prompts"),
        ]
        for (tool, args, expect) in cases {
            let result = try runTool(tool, args)
            XCTAssertEqual(result.status, 64, "\(tool) \(args): \(result.err)")
            XCTAssertTrue(result.err.contains(expect), "\(tool) \(args): \(result.err)")
        }
        let empty = try runTool("embed", ["--model", m], stdin: "{\"input_ids\":[]}\n")
        XCTAssertEqual(empty.status, 65, empty.err)
        XCTAssertTrue(empty.err.contains("<stdin>:1: no tokens to embed"), empty.err)
    }

    func testATemplateWhoseMaskIsOnlyInTheOptionalPartIsAUsageError() throws {
        let m = try Fixture.model("minilm")
        let dir = try Fixture.tempDir()
        let data = dir.appendingPathComponent("d.jsonl").path
        try "{\"text_a\":\"good\",\"label\":1}\n{\"text_a\":\"bad\",\"label\":0}\n".write(
            toFile: data, atomically: true,
            encoding: .utf8)
        let base = [
            "--model", m, "--train", data, "--validation", data, "--select-on-validation", "--verbalizer", "bad,good",
            "--steps", "1",
            "--prompt-length", "2", "--output", dir.appendingPathComponent("p.safetensors").path,
        ]
        for template in [
            "[CLS] <prompt> <text_a> [SEP] { [MASK] <text_b> [SEP] }", "[CLS] <prompt> [MASK] <text_a> {",
            "[CLS] <prompt> [MASK] { <text_a> } [SEP]",
        ] {
            let result = try runTool("tune-prompt", base + ["--template", template])
            XCTAssertEqual(result.status, 64, "\(template): \(result.err)")
            XCTAssertTrue(result.err.contains("template"), result.err)
            XCTAssertFalse(result.signaled)
        }
    }
}
