import Foundation
import Plumbing
import TensorFiles
import XCTest

/// The executables as a user runs them: stdin/stdout, exit codes, `FILE:LINE: reason`,
/// atomic outputs.
final class ToolTests: XCTestCase {
    func testTokenizeAddsIdsAndPassesFieldsThrough() throws {
        let m = try Fixture.model("minilm")
        let r = try runTool(
            "tokenize", ["--model", m],
            stdin: #"{"id":"x1","text_a":"A man is playing a guitar.","text_b":"Someone plays music.","#
                + #""label":2,"extra":[1.50,null]}"# + "\n" + #"{"text_a":"Hello [MASK]!"}"#)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(
            lines[0],
            #"{"id":"x1","text_a":"A man is playing a guitar.","text_b":"Someone plays music.","label":2,"#
            + #""extra":[1.50,null],"input_ids":[101,1037,2158,2003,2652,1037,2858,1012,102,2619,3248,2189,1012,102],"#
            + #""token_type_ids":[0,0,0,0,0,0,0,0,0,1,1,1,1,1]}"#
        )
        XCTAssertEqual(lines[1], #"{"text_a":"Hello [MASK]!","input_ids":[101,7592,103,999,102]}"#)
    }

    func testTokenizeTruncatesAndCounts() throws {
        let m = try Fixture.model("minilm")
        let r = try runTool(
            "tokenize", ["--model", m, "--max-length", "5"],
            stdin: "{\"text_a\":\"one two three four five\"}\n{\"text_a\":\"one\"}\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(
            r.out.hasPrefix(#"{"text_a":"one two three four five","input_ids":[101,2028,2048,2093,102]}"#), r.out)
        XCTAssertTrue(r.err.contains("1 of 2 records truncated to 5 tokens"), r.err)
    }

    func testMalformedLineNamesFileAndLineAndWritesNothing() throws {
        let m = try Fixture.model("minilm")
        let dir = try Fixture.tempDir()
        let input = dir.appendingPathComponent("in.jsonl")
        let output = dir.appendingPathComponent("out.jsonl")
        try Data("{\"text_a\":\"fine\"}\n{\"text_a\":\"fine\"}\n{\"text\":\"no text_a\"}\n".utf8).write(to: input)
        for tool in ["tokenize", "embed"] {
            let r = try runTool(tool, ["--model", m, "--output", output.path, input.path])
            XCTAssertEqual(r.status, 65, tool)
            XCTAssertEqual(r.err, "\(input.path):3: missing \"text_a\"\n", tool)
            XCTAssertEqual(
                try FileManager.default.contentsOfDirectory(atPath: dir.path), ["in.jsonl"],
                "\(tool) left a file behind")
        }
        let bad = try runTool("tokenize", ["--model", m], stdin: "{\"text_a\":\"ok\"}\nnot json\n")
        XCTAssertEqual(bad.status, 65)
        XCTAssertTrue(bad.err.hasPrefix("<stdin>:2: invalid JSON"), bad.err)
    }

    func testEmbedPoolsAndWritesJSONOrSafetensors() throws {
        let m = try Fixture.model("minilm")
        let input =
            "{\"id\":\"a\",\"text_a\":\"the movie was [MASK] .\"}\n{\"id\":\"b\",\"text_a\":\"great fun\","
            + "\"input_ids\":[101,2307,4569,102]}\n"
        let mean = try runTool("embed", ["--model", m], stdin: input)
        XCTAssertEqual(mean.status, 0, mean.err)
        let recs = try mean.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(recs.count, 2)
        XCTAssertEqual(recs[0]["embedding"]?.array?.count, 384)
        XCTAssertEqual(recs[1]["id"]?.string, "b")

        let dir = try Fixture.tempDir()
        let out = dir.appendingPathComponent("e.safetensors").path
        let t = try runTool("embed", ["--model", m, "--pool", "cls", "--normalize", "--output", out], stdin: input)
        XCTAssertEqual(t.status, 0, t.err)
        let f = try SafetensorsFile(path: out)
        XCTAssertEqual(f.metadata["ids"], #"["a","b"]"#)
        XCTAssertEqual(f.metadata["pool"], "cls")
        let e = try f.tensor("embeddings")
        XCTAssertEqual(e.shape, [2, 384])
        var norm: Float = 0
        for i in 0..<384 { norm += e.data[i] * e.data[i] }
        XCTAssertEqual(norm, 1, accuracy: 1e-4)

        let noMask = try runTool("embed", ["--model", m, "--pool", "mask"], stdin: input)
        XCTAssertEqual(noMask.status, 65)
        XCTAssertEqual(noMask.err, "<stdin>:2: no [MASK] token to pool at\n")
    }

    func testEmbedRefusesOverlongInputUnlessTruncating() throws {
        let m = try Fixture.model("minilm")
        let long = "{\"text_a\":\"" + String(repeating: "word ", count: 600) + "\"}\n"
        let r = try runTool("embed", ["--model", m], stdin: long)
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.contains("<stdin>:1: 602 tokens, more than the model's 512"), r.err)
        let ok = try runTool("embed", ["--model", m, "--max-length", "512"], stdin: long)
        XCTAssertEqual(ok.status, 0, ok.err)
    }

    func testHelpHasExamplesAndBadFlagsAreUsageErrors() throws {
        for tool in ["tokenize", "embed"] {
            let h = try runTool(tool, ["--help"])
            XCTAssertEqual(h.status, 0)
            XCTAssertTrue(h.out.contains("Examples:"), tool)
            let bad = try runTool(tool, ["--no-such-flag"])
            XCTAssertEqual(bad.status, 64, tool)
        }
        let missing = try runTool("embed", ["--model", "/nonexistent"], stdin: "")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("/nonexistent"), missing.err)
    }
}
