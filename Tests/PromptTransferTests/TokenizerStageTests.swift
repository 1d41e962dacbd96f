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
            (#"{"type":"ByteLevel"}"#, "normalizer ByteLevel"), (#"{"type":"Split","pattern":{"String":" "}}"#, "Split"),
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
