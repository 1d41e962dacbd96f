// The transferability benchmark's measures: Spearman and Kendall's tau-b against scipy, Regret@k and
// the top-1 hit rate against an enumeration of every order an estimator's ties allow (fixture
// ranking.json, scripts/make_fixtures.py ranking_fixtures); score-rankings end to end on a
// hand-made matrix whose regrets are known, and its refusals.
import Analysis
import Foundation
import Plumbing
import XCTest

final class RankingQualityTests: XCTestCase {
    func testMeasuresMatchScipyAndTheEnumerationOfTies() throws {
        let cases = try XCTUnwrap(Fixture.json("ranking.json")["cases"]?.array)
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let transfer = c["transfer"]!.array!.map { $0.double! }
            let scores = c["scores"]!.array!.map { $0.double! }
            let t = RankingQuality.Target(
                name: "t", sources: transfer.indices.map { "s\($0)" }, transfer: transfer, scores: scores)
            XCTAssertEqual(RankingQuality.regret(1, t), c["regret_at_1"]!.double!, accuracy: 1e-9, "\(scores)")
            XCTAssertEqual(RankingQuality.regret(3, t), c["regret_at_3"]!.double!, accuracy: 1e-9, "\(scores)")
            XCTAssertEqual(RankingQuality.topOneHit(t), c["top1"]!.double!, accuracy: 1e-12, "\(scores)")
            XCTAssertEqual(spearman(scores, transfer) ?? .nan, c["spearman"]!.double!, accuracy: 1e-12)
            XCTAssertEqual(kendallTauB(scores, transfer) ?? .nan, c["kendall"]!.double!, accuracy: 1e-12)
        }
        XCTAssertNil(kendallTauB([1, 1, 1], [1, 2, 3]), "a constant side has no tau")
    }

    /// A 4 × 4 matrix: each target has sources at relative transfer 1.0, 0.8 (0.75 for A) and 0.5;
    /// logme ranks them right, leep backwards.
    func testScoreRankingsOnAHandMadeMatrix() throws {
        let dir = try Fixture.tempDir()
        let own = ["A": 0.8, "B": 0.9, "C": 0.6, "D": 0.5]
        let relative: [String: [String: Double]] = [
            "A": ["B": 1.0, "C": 0.5, "D": 0.75], "B": ["A": 0.5, "C": 1.0, "D": 0.8],
            "C": ["A": 1.0, "B": 0.5, "D": 0.8], "D": ["A": 0.5, "B": 1.0, "C": 0.8],
        ]
        var matrix: [String] = []
        var rankings: [String] = []
        func cell(_ source: String, _ target: String, _ accuracy: Double) -> String {
            #"{"source":"\#(source)","target":"\#(target)","accuracy":\#(accuracy),"split":"validation"}"#
        }
        for (target, sources) in relative.sorted(by: { $0.key < $1.key }) {
            matrix.append(cell(target, target, own[target]!))
            for (source, r) in sources.sorted(by: { $0.key < $1.key }) {
                matrix.append(cell(source, target, r * own[target]!))
                rankings.append(#"{"source":"\#(source)","target":"\#(target)","logme":\#(r * 3 - 7),"leep":\#(-r)}"#)
            }
        }
        let matrixFile = dir.appendingPathComponent("transfer.jsonl")
        try (matrix.joined(separator: "\n") + "\n").write(to: matrixFile, atomically: true, encoding: .utf8)
        let r = try runTool(
            "score-rankings", ["--transfer", matrixFile.path, "--per-target"], stdin: rankings.joined(separator: "\n"))
        XCTAssertEqual(r.status, 0, r.err)
        let rows = try r.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        let summary = Dictionary(
            uniqueKeysWithValues: rows.filter { $0["target"] == nil }.map { ($0["estimator"]!.string!, $0) })
        XCTAssertEqual(Set(summary.keys), ["logme", "leep", "random ranking (expected)"])
        let logme = try XCTUnwrap(summary["logme"])
        XCTAssertEqual(logme["targets"]?.int, 4)
        XCTAssertEqual(logme["pairs"]?.int, 12)
        XCTAssertEqual(logme["regret_at_1"]?.double ?? .nan, 0, accuracy: 1e-9)
        XCTAssertEqual(logme["top1"]?.double ?? .nan, 1, accuracy: 1e-12)
        XCTAssertEqual(logme["spearman_per_target"]?.double ?? .nan, 1, accuracy: 1e-12)
        XCTAssertEqual(logme["kendall_per_target"]?.double ?? .nan, 1, accuracy: 1e-12)
        XCTAssertEqual(logme["settings"]?["split"]?.string, "validation")
        let leep = try XCTUnwrap(summary["leep"])
        XCTAssertEqual(leep["regret_at_1"]?.double ?? .nan, 50, accuracy: 1e-9, "the worst source each time")
        XCTAssertEqual(leep["regret_at_3"]?.double ?? .nan, 0, accuracy: 1e-9, "three sources: all of them")
        XCTAssertEqual(leep["top1"]?.double ?? .nan, 0, accuracy: 1e-12)
        XCTAssertEqual(leep["kendall_per_target"]?.double ?? .nan, -1, accuracy: 1e-12)
        let random = try XCTUnwrap(summary["random ranking (expected)"])
        // 100 × (1 − mean relative transfer) per target: 25, 23.3, 23.3, 23.3
        XCTAssertEqual(random["regret_at_1"]?.double ?? .nan, (25 + 3 * 70.0 / 3) / 4, accuracy: 1e-3)
        XCTAssertEqual(random["top1"]?.double ?? .nan, 1.0 / 3, accuracy: 1e-5)
        XCTAssertEqual(random["spearman_pooled"], .null)
        let details = rows.filter { $0["target"] != nil && $0["estimator"]?.string == "leep" }
        XCTAssertEqual(details.count, 4)
        XCTAssertEqual(details.first { $0["target"]?.string == "A" }?["top_source"]?.string, "C")
        XCTAssertEqual(details.first { $0["target"]?.string == "A" }?["best_source"]?.string, "B")

        // two estimators paired target by target: logme − leep (per target 1 − (−1), regret 0 − 50)
        let paired = try runTool(
            "score-rankings", ["--transfer", matrixFile.path, "--estimators", "logme", "--paired", "logme,leep"],
            stdin: rankings.joined(separator: "\n"))
        XCTAssertEqual(paired.status, 0, paired.err)
        let pairedRows = try paired.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(pairedRows.compactMap { $0["estimator"]?.string }, ["logme", "random ranking (expected)"])
        let difference = try XCTUnwrap(pairedRows.first { $0["comparison"] != nil })
        XCTAssertEqual(difference["comparison"]?.string, "logme − leep")
        XCTAssertEqual(difference["targets"]?.int, 4)
        XCTAssertEqual(difference["spearman_per_target_difference"]?.double ?? .nan, 2, accuracy: 1e-9)
        XCTAssertEqual(difference["regret_at_1_difference"]?.double ?? .nan, -50, accuracy: 1e-9)
        XCTAssertEqual(difference["top1_difference"]?.double ?? .nan, 1, accuracy: 1e-9)
        XCTAssertEqual(difference["regret_at_1_difference_ci95"]?.array?.count, 2)
        for wrong in [["--paired", "logme"], ["--paired", "logme,logme"], ["--paired", "logme,hscore"]] {
            let refused = try runTool(
                "score-rankings", ["--transfer", matrixFile.path] + wrong, stdin: rankings.joined(separator: "\n"))
            XCTAssertEqual(refused.status, 64, "\(wrong): \(refused.err)")
            XCTAssertTrue(refused.out.isEmpty)
        }

        // the same twice; markdown; several runs combined
        let again = try runTool(
            "score-rankings", ["--transfer", matrixFile.path, "--per-target"], stdin: rankings.joined(separator: "\n"))
        XCTAssertEqual(again.out, r.out, "seeded: the same output twice")
        let table = try runTool(
            "score-rankings", ["--transfer", matrixFile.path, "--format", "markdown"],
            stdin: rankings.joined(separator: "\n"))
        XCTAssertTrue(table.out.contains("| logme (4, 12) | 1.000 ["), table.out)
        let scored = dir.appendingPathComponent("scored.jsonl")
        try r.out.write(to: scored, atomically: true, encoding: .utf8)
        let combined = try runTool("score-rankings", ["--combine", scored.path, scored.path])
        XCTAssertEqual(combined.status, 0, combined.err)
        XCTAssertTrue(combined.out.contains("| leep | "), combined.out)
        XCTAssertTrue(combined.out.contains("50.0 ± 0.0 (2)"), combined.out)

        // refusals: no own prompt on a target (65), a non-finite score (65, FILE:LINE), usage (64)
        let noOwn = dir.appendingPathComponent("no-own.jsonl")
        try (matrix.filter { !$0.hasPrefix(#"{"source":"C","target":"C""#) }.joined(separator: "\n") + "\n")
            .write(to: noOwn, atomically: true, encoding: .utf8)
        let missing = try runTool("score-rankings", ["--transfer", noOwn.path], stdin: rankings.joined(separator: "\n"))
        XCTAssertEqual(missing.status, 65, missing.err)
        XCTAssertTrue(missing.err.contains("no row of C's own prompt on C"), missing.err)
        XCTAssertTrue(missing.out.isEmpty)
        let bad = dir.appendingPathComponent("bad.jsonl")
        try (rankings[0] + "\n" + #"{"source":"C","target":"A","logme":"x"}"# + "\n")
            .write(to: bad, atomically: true, encoding: .utf8)
        let badScore = try runTool("score-rankings", ["--transfer", matrixFile.path, bad.path])
        XCTAssertEqual(badScore.status, 65, badScore.err)
        XCTAssertTrue(badScore.err.contains("bad.jsonl:2:"), badScore.err)
        let noTransfer = try runTool("score-rankings", [bad.path])
        XCTAssertEqual(noTransfer.status, 64)
        let unknown = try runTool(
            "score-rankings", ["--transfer", matrixFile.path, "--estimators", "on_cosine"],
            stdin: rankings.joined(separator: "\n"))
        XCTAssertEqual(unknown.status, 64, unknown.err)
    }
}
