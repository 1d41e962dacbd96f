import Foundation
import Plumbing
import Tokenizers
import XCTest

/// WordPiece ids must equal the Hugging Face fast tokenizer's (fixtures from
/// scripts/make_fixtures.py) on real data and on hand-made edge cases.
final class TokenizerTests: XCTestCase {
    static var cache: [String: Tokenizer] = [:]

    func tokenizer(_ model: String, vocabOnly: Bool = false) throws -> Tokenizer {
        let folder = try Fixture.model(model)
        let key = model + (vocabOnly ? "/vocab" : "")
        if let t = Self.cache[key] { return t }
        let t =
            vocabOnly
            ? try Tokenizer.load(vocabTxt: folder + "/vocab.txt", config: folder + "/tokenizer_config.json")
            : try Tokenizer.load(folder: folder)
        Self.cache[key] = t
        return t
    }

    func testEdgeCasesPairsAndTruncation() throws {
        for variant in [("minilm", false), ("splade-tiny", false), ("minilm", true)] {
            let tok = try tokenizer(variant.0, vocabOnly: variant.1)
            for c in try Fixture.json("tokenizer_cases.json").array! {
                let enc = try tok.encode(c["text_a"]!.string!, c["text_b"]?.string, maxLength: c["max_length"]?.int)
                XCTAssertEqual(enc.encoding.ids, Fixture.ints(c["input_ids"]), "\(variant) \(c.text)")
                if let types = c["token_type_ids"] { XCTAssertEqual(enc.encoding.typeIds, Fixture.ints(types)) }
            }
        }
    }

    func testEverySST2DevSentence() throws {
        let expected = try Fixture.json("tokenizer_sst2_dev.json").array!
        let lines = try String(contentsOf: try Fixture.data("sst2/dev.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
        XCTAssertEqual(lines.count, 872)
        for variant in [("minilm", false), ("minilm", true), ("splade-tiny", false)] {
            let tok = try tokenizer(variant.0, vocabOnly: variant.1)
            var bad = 0
            for (s, e) in zip(lines, expected) where tok.tokenize(s) != Array(Fixture.ints(e).dropFirst().dropLast()) {
                bad += 1
                if bad < 5 { XCTFail("\(variant): \(s)") }
            }
            XCTAssertEqual(bad, 0, "\(variant)")
        }
    }

    func testAllRottenTomatoesSentencesLatin1() throws {
        let tok = try tokenizer("minilm")
        let expected = try Fixture.json("tokenizer_rotten_tomatoes.json")
        var total = 0
        for name in ["rt-polarity.pos", "rt-polarity.neg"] {
            let data = try Data(contentsOf: try Fixture.data("rotten_tomatoes/\(name)"))
            let text = String(data.map { Character(Unicode.Scalar($0)) })  // latin-1: byte = code point
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let hashes = expected[name]!.array!.map { $0.string! }
            let sentences = lines.last == "" ? Array(lines.dropLast()) : lines
            XCTAssertEqual(sentences.count, hashes.count, name)
            for (s, h) in zip(sentences, hashes) {
                let ids = try tok.encode(s).encoding.ids
                XCTAssertEqual(fnv1a(ids), h, "\(name): \(s)")
            }
            total += sentences.count
        }
        XCTAssertEqual(total, 10_662)
    }

    func testTruncationCountsAndRefusesTooShortLimit() throws {
        let tok = try tokenizer("minilm")
        XCTAssertFalse(try tok.encode("short", maxLength: 10).truncated)
        XCTAssertTrue(try tok.encode("one two three four", maxLength: 4).truncated)
        XCTAssertThrowsError(try tok.encode("a", "b", maxLength: 2))
    }
}
