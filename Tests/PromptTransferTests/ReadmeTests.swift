// The README's runnable examples, run verbatim after a short demo, as a new user would run them.
import Foundation
import XCTest

final class ReadmeTests: XCTestCase {
    func testTheRunnableREADMEBlocksRunVerbatimAfterTheDemo() throws {
        if ProcessInfo.processInfo.environment["PT_TOOL_DIR"] != nil {
            throw XCTSkip("the README names .build/release: run by `make test`, not again by `make test-asan`")
        }
        _ = try Fixture.model("minilm")
        let mirror = Fixture.root.appendingPathComponent("../shared/data").standardized.path
        let haveMirror = FileManager.default.fileExists(atPath: mirror + "/README.md")
            || FileManager.default.fileExists(atPath: mirror)
        guard haveMirror else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("no dataset mirror at \(mirror)") }
            throw XCTSkip("needs the dataset mirror ../shared/data")
        }
        let work = try Fixture.tempDir()
        let out = work.appendingPathComponent("out")
        // the README's examples read out/demo/: a short demo writes it (the real one takes 8 minutes)
        let environment = ["PT_DATA_MIRROR": mirror, "OUT": out.path + "/demo", "SST2_STEPS": "20", "RT_STEPS": "10"]
        let demo = try runScript("scripts/demo.sh", environment: environment)
        XCTAssertEqual(demo.status, 0, demo.err)
        let r = try runScript(
            "scripts/readme-examples.sh", [work.appendingPathComponent("scratch").path, out.path],
            // ≈ 690 s on an idle first-generation Zen; three times that before calling it a hang, so
            // niced jobs beside `make test` do not make it fail
            environment: ["PT_DATA_MIRROR": mirror], timeout: 2400)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("[101,"), "the tokenize example prints [CLS]-first ids: \(r.out.prefix(200))")
        XCTAssertTrue(r.out.contains("\"target\":\"rotten_tomatoes\""), r.out)
        XCTAssertTrue(r.out.contains("| reviews | held-out"), "the own-data example's table: \(r.out)")
        XCTAssertTrue(r.out.contains("nearest tokens (cosine)"), "inspect-prompt's table: \(r.out)")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("scratch/sim.svg").path),
            "the last example draws sim.svg")
    }
}
