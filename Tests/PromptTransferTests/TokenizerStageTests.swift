// Every normalizer and pre-tokenizer stage against HF `tokenizers` on texts with Unicode edge
// cases (fixture tokenizer_stages.json, written by scripts/make_fixtures.py): the same output,
// exactly; and the issue's tokenizer (Unigram with the Nmt and NFKC normalizers) gives the same ids.
import Foundation
import Plumbing
import Tokenizers
import XCTest

final class TokenizerStageTests: XCTestCase {
    func testEveryNormalizerMatchesTokenizers() throws {
        let fixture = try Fixture.json("tokenizer_stages.json")
        let texts = fixture["texts"]!.array!.map { $0.string! }
        let stages = fixture["normalizers"]!.array!
        XCTAssertGreaterThanOrEqual(stages.count, 16)
        for stage in stages {
            let normalizer = try XCTUnwrap(Tokenizer.normalizer(fromJSON: stage["json"]!), stage["json"]!.text)
            for (text, expected) in zip(texts, stage["outputs"]!.array!) {
                let ours = String(String.UnicodeScalarView(normalizer.normalize(Array(text.unicodeScalars))))
                XCTAssertEqual(
                    Array(ours.unicodeScalars), Array(expected.string!.unicodeScalars),
                    "\(stage["json"]!.text) on \(JSON.string(text).text)")
            }
        }
    }

    func testEveryPreTokenizerMatchesTokenizers() throws {
        let fixture = try Fixture.json("tokenizer_stages.json")
        let texts = fixture["texts"]!.array!.map { $0.string! }
        for stage in fixture["pre_tokenizers"]!.array! {
            let pre = try Tokenizer.preTokenizer(fromJSON: stage["json"]!)
            for (text, expected) in zip(texts, stage["outputs"]!.array!) {
                let ours = pre.split(Array(text.unicodeScalars)).map { String(String.UnicodeScalarView(Array($0))) }
                XCTAssertEqual(
                    ours, expected.array!.map { $0.string! }, "\(stage["json"]!.text) on \(JSON.string(text).text)")
            }
        }
    }

    func testAUnigramTokenizerWithNmtAndNFKCGivesTokenizersIds() throws {
        let fixture = try Fixture.json("tokenizer_stages.json")
        let texts = fixture["texts"]!.array!.map { $0.string! }
        let tokenizer = try Tokenizer.load(folder: Fixture.dir.appendingPathComponent("unigram-nmt-nfkc").path)
        for (text, ids) in zip(texts, fixture["unigram_nmt_nfkc"]!.array!) {
            XCTAssertEqual(tokenizer.tokenize(text), Fixture.ints(ids), JSON.string(text).text)
        }
    }

    func testAnUnsupportedStageIsRefusedByName() throws {
        for (json, name) in [
            (#"{"type":"ByteLevel"}"#, "normalizer ByteLevel"),
            (#"{"type":"Split","pattern":{"String":" "}}"#, "Split"),
        ] {
            do {
                if name.hasPrefix("normalizer") {
                    _ = try Tokenizer.normalizer(fromJSON: try JSON.parse(json))
                } else {
                    _ = try Tokenizer.preTokenizer(fromJSON: try JSON.parse(json))
                }
                XCTFail("\(json) was accepted")
            } catch let error as ToolError {
                XCTAssertTrue(error.description.contains("\(name) is not supported"), error.description)
            }
        }
    }
}

/// The tokenizer.json files transformers' converters write for the SentencePiece families (ALBERT,
/// XLM-R, DeBERTa-v2/v3, T5; fixture tokenizer_families.json from one real SentencePiece model):
/// loaded unchanged, they give HF `tokenizers`' ids, special tokens and pairs included.
final class TokenizerFamilyTests: XCTestCase {
    func testEveryConvertedSentencePieceFamilyGivesTokenizersIds() throws {
        let fixture = try Fixture.json("tokenizer_families.json")
        let charsmap = try XCTUnwrap(fixture["charsmap"]?.string)
        let families = try XCTUnwrap(fixture["families"]?.array)
        XCTAssertEqual(families.compactMap { $0["name"]?.string }, ["albert", "xlm-roberta", "deberta-v2", "t5"])
        for family in families {
            let name = family["name"]!.string!
            let folder = try Fixture.tempDir().appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let text = family["tokenizer"]!.text.replacingOccurrences(of: "\"@charsmap\"", with: "\"\(charsmap)\"")
            try text.write(to: folder.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
            let tokenizer = try Tokenizer.load(folder: folder.path)
            for c in family["cases"]!.array! {
                let a = c["text_a"]!.string!
                let b = c["text_b"]?.string
                XCTAssertEqual(
                    try tokenizer.encode(a, b).encoding.ids, Fixture.ints(c["input_ids"]),
                    "\(name): \(JSON.string(a).text) \(b.map { JSON.string($0).text } ?? "")")
            }
        }
    }
}
