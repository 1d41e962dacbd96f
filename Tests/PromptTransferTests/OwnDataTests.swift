// A researcher's own data and their own look at a prompt: CSV/TSV and JSON-lines example files
// with named fields and string labels, tune-prompt and eval-prompt on them without a manifest,
// and inspect-prompt checked against prompts whose nearest tokens are known by construction.
import Foundation
import Plumbing
import TensorFiles
import Tuning
import XCTest

final class OwnDataTests: XCTestCase {
    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCSVAndTSVAreReadAsRFC4180WithTheirHeaderRow() throws {
        let dir = try Fixture.tempDir()
        var fields = ExampleFields()
        fields.text = "review"
        fields.label = "sentiment"
        fields.labels = ["bad", "good"]
        let csv = try write(
            "\u{FEFF}review,sentiment,id\r\n\"fine, and \"\"funny\"\"\",good,a\r\n\"two\nlines\",bad,b\n"
                + "plain,1,c\n\n",
            "reviews.csv", in: dir)
        let rows = try ExampleFile.read(csv, fields: fields, classes: 2)
        XCTAssertEqual(rows.map(\.a), ["fine, and \"funny\"", "two\nlines", "plain"])
        XCTAssertEqual(rows.map(\.label), [1, 0, 1], "names map through --labels; an index stays an index")
        XCTAssertEqual(rows.map(\.id), ["a", "b", "c"])
        let tsv = try write("review\tpremise\tsentiment\nit was \"ok\"\tsecond\tgood\n", "pairs.tsv", in: dir)
        fields.textB = "premise"
        let pair = try ExampleFile.read(tsv, fields: fields, classes: 2)
        XCTAssertEqual(pair.first?.a, "it was \"ok\"")
        XCTAssertEqual(pair.first?.b, "second")
        XCTAssertEqual(pair.first?.id, "\(tsv):2")

        func failure(_ text: String, _ fields: ExampleFields) throws -> ToolError {
            let path = try write(text, "bad.csv", in: dir)
            do {
                _ = try ExampleFile.read(path, fields: fields, classes: 2)
            } catch let e as ToolError {
                return e
            }
            XCTFail("\(text) was accepted")
            return ToolError("")
        }
        let short = try failure("review,sentiment\nfine,good\nno label\n", fields)
        XCTAssertEqual(short.exitCode, 65)
        XCTAssertTrue(short.description.hasSuffix("bad.csv:3: 1 cells; the header has 2 columns"), short.description)
        let open = try failure("review,sentiment\n\"never closed,good\n", fields)
        XCTAssertTrue(open.description.contains("bad.csv:2: a quoted field is not closed"), open.description)
        let unknown = try failure("review,sentiment\nfine,great\n", fields)
        XCTAssertTrue(unknown.description.contains("neither one of --labels bad,good"), unknown.description)
        let noNames = try failure("review,sentiment\nfine,good\n", { var f = fields; f.labels = []; return f }())
        XCTAssertTrue(noNames.description.contains("give --labels NAME,NAME"), noNames.description)
        let noText = try failure("text,sentiment\nfine,good\n", fields)
        XCTAssertTrue(noText.description.contains("fields here: sentiment, text; --text-field"), noText.description)
    }

    func testAJSONLinesFileTakesLabelsAsNamesOrIndices() throws {
        let dir = try Fixture.tempDir()
        let path = try write(
            #"{"text":"a","y":"pos"}"# + "\n" + #"{"text":"b","y":0}"# + "\n" + #"{"text":"c","y":"1"}"# + "\n",
            "m.jsonl", in: dir)
        var fields = ExampleFields()
        fields.text = "text"
        fields.label = "y"
        fields.labels = ["neg", "pos"]
        XCTAssertEqual(try ExampleFile.read(path, fields: fields, classes: 2).map(\.label), [1, 0, 1])
        XCTAssertEqual(try ExampleFile.labelValues(path, field: "y"), ["pos", "0", "1"])
    }

    /// The README's worked example at toy scale: a CSV with string labels, no manifest.
    func testTuneAndEvaluateOnYourOwnCSVWithStringLabels() throws {
        let dir = try Fixture.tempDir()
        let model = try Fixture.model("splade-tiny")
        var lines = ["review,sentiment"]
        let words = ["fine", "dull", "great", "awful", "lovely", "boring", "superb", "tedious"]
        for i in 0..<40 {
            lines.append("\"a \(words[i % 8]) film, take \(i)\",\(i % 2 == 0 ? "positive" : "negative")")
        }
        let train = try write(lines.joined(separator: "\n") + "\n", "reviews.csv", in: dir)
        let test = try write(
            "review,sentiment\n\"a superb film\",positive\n\"a dull film\",negative\n\"quite tedious\",negative\n",
            "held-out.csv", in: dir)
        let prompt = dir.appendingPathComponent("reviews.safetensors").path
        let tune = [
            "--model", model, "--train", train, "--text-field", "review", "--label-field", "sentiment",
            "--labels", "negative,positive", "--prompt-length", "4", "--steps", "3", "--batch-size", "4",
            "--eval-every", "3", "--selection-size", "4", "--output", prompt,
        ]
        let r = try runTool("tune-prompt", tune)
        XCTAssertEqual(r.status, 0, r.err)
        let file = try PromptFile.read(prompt)
        XCTAssertEqual(file.metadata["name"], "reviews", "named after the training file")
        XCTAssertEqual(file.metadata["task"], "")
        XCTAssertEqual(file.metadata["verbalizer"], #"["negative","positive"]"#, "label words from --labels")
        XCTAssertEqual(file.metadata["labels"], #"["negative","positive"]"#)
        let recordedFields = try JSON.parse(file.metadata["example_fields"] ?? "")
        XCTAssertEqual(recordedFields["text"]?.string, "review")
        XCTAssertEqual(recordedFields["label"]?.string, "sentiment")

        // evaluation reads the held-out CSV the way tuning read the training one
        let e = try runTool(
            "eval-prompt", ["--model", model, "--examples", test, "--majority-from", train, prompt])
        XCTAssertEqual(e.status, 0, e.err)
        let rows = try e.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(rows.map { $0["source"]?.string }, ["reviews", "majority"])
        XCTAssertEqual(rows.first?["target"]?.string, "held-out")
        XCTAssertEqual(rows.first?["n"]?.int, 3)
        XCTAssertEqual(rows.last?["majority_label"]?.int, 0, "20 of each: the tie goes to the lower index")
        XCTAssertEqual(rows.last?["accuracy"]?.double ?? 0, 2.0 / 3, accuracy: 1e-12)

        // usage errors say what to give
        let noLabels = try runTool("tune-prompt", ["--model", model, "--train", train, "--steps", "1"])
        XCTAssertEqual(noLabels.status, 64)
        XCTAssertTrue(noLabels.err.contains("--labels NAME,NAME"), noLabels.err)
        let multiToken = try runTool(
            "tune-prompt",
            tune.filter { $0 != prompt && $0 != "--output" }.map { $0 == "negative,positive" ? "meh,xylophonist" : $0 }
                + ["--output", dir.appendingPathComponent("x.safetensors").path])
        XCTAssertEqual(multiToken.status, 64, multiToken.err)
        XCTAssertTrue(multiToken.err.contains("give --verbalizer"), multiToken.err)
        let unknown = try runTool("tune-prompt", ["--model", model, "--task", "mine"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.err.contains("--train FILE"), unknown.err)
    }

    /// A prompt made of word embeddings is nearest to those words (cosine 1) and, recomputed from
    /// its recorded init, has not moved; a tuned one has.
    func testInspectPromptFindsTheWordsAPromptIsMadeOf() throws {
        let dir = try Fixture.tempDir()
        let model = try Fixture.model("splade-tiny")
        let data = try Fixture.sst2DataDir()
        let made = dir.appendingPathComponent("words.safetensors").path
        let tuned = dir.appendingPathComponent("tuned.safetensors").path
        for (out, steps) in [(made, "0"), (tuned, "3")] {
            let r = try runTool(
                "tune-prompt",
                [
                    "--model", model, "--task", "sst2", "--data-dir", data.path, "--prompt-length", "3",
                    "--init", "text:good film", "--steps", steps, "--batch-size", "4", "--eval-every", "0",
                    "--lr", "0.5", "--output", out,
                ])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let r = try runTool("inspect-prompt", ["--model", model, "--nearest", "2", "--json"], stdin: made + "\n")
        XCTAssertEqual(r.status, 0, r.err)
        let rows = try r.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(rows.count, 3)
        let prompt = try PromptFile.read(made).prompt.array
        for (i, word) in ["good", "film", "good"].enumerated() {
            let nearest = rows[i]["nearest_cosine"]?.array?.first
            XCTAssertEqual(nearest?["token"]?.string, word)
            XCTAssertEqual(nearest?["score"]?.double ?? 0, 1, accuracy: 1e-5)
            XCTAssertEqual(rows[i]["moved"]?.double, 0, "init text:good film recomputed")
            let vector = prompt[(i * 128)..<((i + 1) * 128)]
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(rows[i]["norm"]?.double ?? 0, norm, accuracy: 1e-4 * norm)
            // the dot score of the word itself is its squared norm
            let dot = rows[i]["nearest_dot"]?.array?.first { $0["token"]?.string == word }
            if let dot { XCTAssertEqual(dot["score"]?.double ?? 0, norm * norm, accuracy: 1e-4 * norm * norm) }
        }
        let moved = try runTool("inspect-prompt", ["--model", model, "--json", tuned])
        XCTAssertEqual(moved.status, 0, moved.err)
        let first = try JSON.parse(String(moved.out.split(separator: "\n")[0]))
        XCTAssertGreaterThan(first["moved"]?.double ?? 0, 0)
        let against = try runTool("inspect-prompt", ["--model", model, "--json", "--init", tuned, tuned])
        XCTAssertEqual(try JSON.parse(String(against.out.split(separator: "\n")[0]))["moved"]?.double, 0)
        let table = try runTool("inspect-prompt", ["--model", model, "--table", made])
        XCTAssertTrue(table.out.contains("good 1.00"), table.out)
    }
}
