import Foundation
import Plumbing
import TensorFiles
import Tokenizers
import XCTest

/// Byte-level BPE ids must equal Hugging Face's (fixtures from scripts/make_fixtures.py):
/// GPT-2's 50k vocabulary in RoBERTa's format (models/gpt2-bpe, from vocab.json +
/// merges.txt) on real text, and the tiny RoBERTa's tokenizer.json (<mask> with lstrip).
final class BPETokenizerTests: XCTestCase {
    static var gpt2: Tokenizer?

    func gpt2Tokenizer() throws -> Tokenizer {
        if let t = Self.gpt2 { return t }
        let t = try Tokenizer.load(folder: try Fixture.model("gpt2-bpe", file: "merges.txt"))
        Self.gpt2 = t
        return t
    }

    func check(_ tok: Tokenizer, _ cases: [JSON], _ what: String, types: Bool = true) throws {
        for c in cases {
            let enc = try tok.encode(c["text_a"]!.string!, c["text_b"]?.string, maxLength: c["max_length"]?.int)
            XCTAssertEqual(enc.encoding.ids, Fixture.ints(c["input_ids"]), "\(what): \(c["text_a"]!.text)")
            if types { XCTAssertEqual(enc.encoding.typeIds, [Int32](repeating: 0, count: enc.encoding.ids.count)) }
        }
    }

    func testEdgeCasesPairsAndTruncation() throws {
        let cases = try Fixture.json("tokenizer_bpe.json")["cases"]!.array!
        XCTAssertGreaterThan(cases.count, 60)
        try check(try gpt2Tokenizer(), cases, "gpt2-bpe")
    }

    func testRealTextSST2TweetsMNLIAndIMDB() throws {
        let tok = try gpt2Tokenizer()
        let expected = try Fixture.json("tokenizer_bpe.json")
        func compare(_ texts: [(String, String?)], _ key: String) throws {
            let hashes = expected[key]!.array!.map { $0.string! }
            XCTAssertEqual(texts.count, hashes.count, key)
            var bad = 0
            for (t, h) in zip(texts, hashes) where fnv1a(try tok.encode(t.0, t.1).encoding.ids) != h {
                bad += 1
                if bad < 5 { XCTFail("\(key): \(t)") }
            }
            XCTAssertEqual(bad, 0, key)
        }
        let sst2 = try String(contentsOf: try Fixture.data("sst2/dev.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { (String($0.split(separator: "\t")[0]), String?.none) }
        try compare(sst2, "sst2_dev")
        let tweets = try lines("tweeteval_sentiment/derived_validation.jsonl").map {
            ($0["text"]!.string!, String?.none)
        }
        try compare(tweets, "tweeteval_validation")
        let mnli = try lines("mnli/derived_validation_matched.jsonl").prefix(1000).map {
            ($0["premise"]!.string!, $0["hypothesis"]!.string)
        }
        try compare(Array(mnli), "mnli_validation_matched_1000")

        let imdb = Dictionary(uniqueKeysWithValues: expected["imdb_train"]!.members!.map { ($0.key, $0.value.string!) })
        var seen = 0
        try ArchiveReader.members(
            of: try Fixture.data("imdb/aclImdb_v1-labelled.tar.gz").path,
            want: { imdb[$0] != nil }
        ) { name, bytes in
            // reviews with <br /> markup, quotes, long words: ids must still be identical
            XCTAssertEqual(fnv1a(try tok.encode(String(decoding: bytes, as: UTF8.self)).encoding.ids), imdb[name], name)
            seen += 1
        }
        XCTAssertEqual(seen, 400)
    }

    func testTinyRobertaTokenizerJSON() throws {
        let folder = Fixture.dir.appendingPathComponent("roberta-tiny").path
        let tok = try Tokenizer.load(folder: folder)
        let f = try Fixture.json("tokenizer_roberta_tiny.json")
        try check(tok, f["cases"]!.array!, "roberta-tiny")
        XCTAssertEqual(tok.special.mask, 4)
        XCTAssertEqual(tok.special.cls, 0)
        XCTAssertEqual(tok.special.sep, 2)
        XCTAssertEqual(tok.special.pad, 1)
    }

    func testLabelWordsResolveWithoutTheSpaceMarker() throws {
        // the paper reads "positive" (no leading space, id 22173 in roberta-base) at <mask>
        let tok = try gpt2Tokenizer()
        let ids = try Fixture.json("tokenizer_bpe.json")["tokens"]!
        XCTAssertEqual(tok.id(of: "positive"), Int32(ids["positive"]!.int!))
        XCTAssertEqual(tok.id(of: "Ġpositive"), Int32(ids["Ġpositive"]!.int!))
        XCTAssertNotEqual(tok.id(of: "positive"), tok.id(of: "Ġpositive"))
    }

    func lines(_ relative: String) throws -> [JSON] {
        try String(contentsOf: try Fixture.data(relative), encoding: .utf8).split(separator: "\n").map {
            try JSON.parse(String($0))
        }
    }
}

extension BPETokenizerTests {
    /// `add_prefix_space: true` in tokenizer_config.json: each stretch of text between
    /// special tokens gets a leading space unless it has one.
    func testAddPrefixSpaceAsConfigured() throws {
        let folder = try Fixture.model("gpt2-bpe", file: "merges.txt")
        let dir = try Fixture.tempDir()
        var config = try JSON.parse(String(contentsOfFile: folder + "/tokenizer_config.json", encoding: .utf8))
        config.set("add_prefix_space", .bool(true))
        let configPath = dir.appendingPathComponent("tokenizer_config.json").path
        try config.text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let tok = try Tokenizer.load(
            vocabJSON: folder + "/vocab.json", merges: folder + "/merges.txt", config: configPath)
        let cases = try Fixture.json("tokenizer_bpe.json")["cases_add_prefix_space"]!.array!
        XCTAssertEqual(cases.count, 14)
        try check(tok, cases, "add_prefix_space")
        XCTAssertNotEqual(tok.tokenize("Hello"), try gpt2Tokenizer().tokenize("Hello"))
    }
}

extension BPETokenizerTests {
    /// Older tokenizer.json files (roberta-base's on the hub) write merges as "a b" strings,
    /// newer ones as [a, b]: both give the same tokenizer.
    func testMergesAsStringsOrPairs() throws {
        let folder = Fixture.dir.appendingPathComponent("roberta-tiny").path
        var root = try JSON.parse(String(contentsOfFile: folder + "/tokenizer.json", encoding: .utf8))
        var model = root["model"]!
        let pairs = model["merges"]!.array!
        XCTAssertNotNil(pairs.first?.array, "the fixture should hold the newer [a, b] form")
        model.set("merges", .array(pairs.map { .string($0.array!.map { $0.string! }.joined(separator: " ")) }))
        root.set("model", model)
        let dir = try Fixture.tempDir()
        try root.text.write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        let old = try Tokenizer.load(folder: dir.path)
        try check(old, try Fixture.json("tokenizer_roberta_tiny.json")["cases"]!.array!, "merges as strings")
    }
}

extension BPETokenizerTests {
    /// Added tokens marked `normalized` (as in roberta-base's tokenizer.json on the hub) are
    /// matched in the normalised text: `<s>` in a RoBERTa text is the start token, and under
    /// BERT's lower-casing `[mask]` and `[Mask]` are the mask token too.
    func testNormalizedAddedTokens() throws {
        let expected = try Fixture.json("tokenizer_normalized_added.json")
        let sources = [
            ("roberta-tiny", Fixture.dir.appendingPathComponent("roberta-tiny/tokenizer.json").path),
            ("minilm", try Fixture.model("minilm") + "/tokenizer.json"),
        ]
        for (name, path) in sources {
            var root = try JSON.parse(String(contentsOfFile: path, encoding: .utf8))
            let tokens: [JSON] = root["added_tokens"]!.array!.map { t in
                var t = t
                t.set("normalized", .bool(true))
                return t
            }
            root.set("added_tokens", .array(tokens))
            let dir = try Fixture.tempDir()
            try root.text.write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
            let cases = expected[name]!.array!
            XCTAssertEqual(cases.count, 6)
            try check(try Tokenizer.load(folder: dir.path), cases, "\(name), normalized added tokens", types: false)
        }
    }
}

extension BPETokenizerTests {
    /// `tokenize --tokens`: the strings `convert_ids_to_tokens` gives (written down from HF).
    func testTokenStringsAsHFGivesThem() throws {
        let gpt2 = try Fixture.model("gpt2-bpe", file: "merges.txt")
        let r = try runTool(
            "tokenize", ["--model", gpt2, "--tokens"],
            stdin: "{\"text_a\":\"Hello world, <mask> it's\"}\n{\"text_a\":\" positive\",\"text_b\":\"positive\"}\n")
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(
            lines[0]["tokens"]!.array!.map { $0.string! },
            ["<s>", "Hello", "Ġworld", ",", "Ġ", "<mask>", "Ġit", "'s", "</s>"])
        XCTAssertEqual(
            lines[1]["tokens"]!.array!.map { $0.string! }, ["<s>", "Ġpositive", "</s>", "</s>", "positive", "</s>"])
        let minilm = try Tokenizer.load(folder: try Fixture.model("minilm"))
        XCTAssertEqual(
            minilm.tokens(try minilm.encode("unaffable [MASK] movie").encoding.ids),
            ["[CLS]", "una", "##ffa", "##ble", "[MASK]", "movie", "[SEP]"])
        XCTAssertEqual(minilm.tokens([-1, 999_999]), ["?", "?"])
    }
}
