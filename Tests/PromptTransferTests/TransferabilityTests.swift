// The transferability estimators against numpy (fixture transferability.json, written by
// scripts/make_fixtures.py transferability_fixtures): LogME (both Gram branches), H-score, its
// Ledoit–Wolf regularised form (scikit-learn's shrinkage) and LEEP.
import Analysis
import Foundation
import Plumbing
import XCTest

final class TransferabilityTests: XCTestCase {
    func testLogMEAndHScoreMatchNumpy() throws {
        let fixture = try Fixture.json("transferability.json")
        let cases = try XCTUnwrap(fixture["cases"]?.array)
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let (n, d, k) = (c["n"]!.int!, c["d"]!.int!, c["classes"]!.int!)
            let f = c["features"]!.array!.map { $0.double! }
            let y = c["labels"]!.array!.map { $0.int! }
            let logme = try XCTUnwrap(Transferability.logme(features: f, n: n, d: d, labels: y, classes: k))
            XCTAssertEqual(logme, c["logme"]!.double!, accuracy: 1e-6, "LogME n \(n) d \(d)")
            let h = Transferability.hscore(features: f, n: n, d: d, labels: y)
            if let expected = c["hscore"]?.double {
                XCTAssertEqual(h ?? .nan, expected, accuracy: 1e-6, "H-score n \(n) d \(d)")
            } else {
                XCTAssertNil(h, "n ≤ D: the H-score is degenerate and refused")
            }
            // the Ledoit–Wolf regularised H-score, against scikit-learn: defined for n ≤ D too
            let regularized = try XCTUnwrap(Transferability.regularizedHScore(features: f, n: n, d: d, labels: y))
            XCTAssertEqual(regularized, c["hscore_regularized"]!.double!, accuracy: 1e-6, "regularised n \(n) d \(d)")
        }
    }

    func testTheRegularisedHScoreRefusesFeaturesThatNeverVary() {
        let constant = [Double](repeating: 0.5, count: 6 * 3)
        XCTAssertNil(Transferability.regularizedHScore(features: constant, n: 6, d: 3, labels: [0, 1, 0, 1, 0, 1]))
        XCTAssertNil(Transferability.regularizedHScore(features: [1, 2, 3], n: 1, d: 3, labels: [0]))
    }

    func testLEEPMatchesNumpy() throws {
        let leep = try XCTUnwrap(Fixture.json("transferability.json")["leep"])
        let value = Transferability.leep(
            probabilities: leep["theta"]!.array!.map { $0.double! }, sourceClasses: leep["source_classes"]!.int!,
            labels: leep["labels"]!.array!.map { $0.int! }, targetClasses: leep["classes"]!.int!)
        XCTAssertEqual(value, leep["value"]!.double!, accuracy: 1e-9)
    }

    /// A source whose label distribution determines the target label scores LEEP 0 (log 1), and
    /// one that carries no information scores the log of the label frequencies.
    func testLEEPAtItsBounds() {
        let labels = [0, 1, 0, 1]
        let perfect = Transferability.leep(
            probabilities: [1, 0, 0, 1, 1, 0, 0, 1], sourceClasses: 2, labels: labels, targetClasses: 2)
        XCTAssertEqual(perfect, 0, accuracy: 1e-12)
        let uninformative = Transferability.leep(
            probabilities: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], sourceClasses: 2, labels: labels,
            targetClasses: 2)
        XCTAssertEqual(uninformative, log(0.5), accuracy: 1e-12)
    }
}
