// `make install` into a temporary prefix: the installed tools run from another folder and find
// their manifests and data, each has a man page and completions (task names complete), and
// `make uninstall` removes everything it wrote.
import Foundation
import XCTest

final class InstallTests: XCTestCase {
    func installed(_ tool: String, in prefix: String, _ args: [String], cwd: URL) throws -> ToolResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(prefix)/bin/\(tool)")
        p.arguments = args
        p.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        for key in ["PT_MANIFESTS", "PT_DATA_DIR", "PT_DATA_MIRROR"] { environment[key] = nil }
        p.environment = environment
        return try capture(p, stdin: nil, timeout: 300, what: tool)
    }

    func testInstalledToolsWorkFromAnotherFolderWithManPagesAndCompletions() throws {
        let toolFolder = Fixture.tool("tune-prompt").deletingLastPathComponent().path
        guard FileManager.default.isExecutableFile(atPath: toolFolder + "/generate-manual") else {
            XCTFail("\(toolFolder)/generate-manual not built: run make test (it builds it)")
            return
        }
        let dir = try Fixture.tempDir()
        let prefix = dir.appendingPathComponent("prefix").path
        let elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let env = ["PREFIX": prefix, "BIN": toolFolder, "DESTDIR": ""]
        let r = try runScript("scripts/install.sh", ["install"], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        let tools = try FileManager.default.contentsOfDirectory(
            atPath: Fixture.root.appendingPathComponent("Sources/Tools").path)
        XCTAssertGreaterThanOrEqual(tools.count, 12)
        for tool in tools {
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "\(prefix)/bin/\(tool)"), tool)
            let page = try String(contentsOfFile: "\(prefix)/share/man/man1/\(tool).1", encoding: .utf8)
            XCTAssertTrue(page.contains(".Dt \(tool.uppercased()) 1"), tool)
            for shell in ["bash-completion/completions/\(tool)", "zsh/site-functions/_\(tool)"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(prefix)/share/\(shell)"), shell)
            }
        }
        let tunePage = try String(contentsOfFile: "\(prefix)/share/man/man1/tune-prompt.1", encoding: .utf8)
        XCTAssertTrue(tunePage.contains("labels"), "the man page is the command's help")

        // from a folder with neither data-manifests/ nor data/: the installation's manifests and mirror
        let list = try installed("prepare-data", in: prefix, ["--list"], cwd: elsewhere)
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.contains("sst2\tsentiment"), list.out)
        let split = try installed(
            "prepare-data", in: prefix, ["--task", "rotten_tomatoes", "--split", "test"], cwd: elsewhere)
        XCTAssertEqual(split.status, 0, split.err)
        XCTAssertEqual(split.out.split(separator: "\n").count, 1066)
        // the completion scripts ask the tool for task names
        let script = try String(
            contentsOfFile: "\(prefix)/share/bash-completion/completions/tune-prompt", encoding: .utf8)
        XCTAssertTrue(script.contains("---completion -- --task"), "a custom completion for --task")
        let names = try installed(
            "tune-prompt", in: prefix, ["---completion", "--", "--task", "2", "1", "tune-prompt", "--task", "s"],
            cwd: elsewhere)
        XCTAssertTrue(names.out.split(separator: "\n").contains("sst2"), names.out + names.err)

        let u = try runScript("scripts/install.sh", ["uninstall"], environment: env)
        XCTAssertEqual(u.status, 0, u.err)
        let left = FileManager.default.enumerator(atPath: prefix)?.compactMap { $0 as? String }.filter {
            var folder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(prefix)/\($0)", isDirectory: &folder)
            return !folder.boolValue  // a file, or a link left behind
        }
        XCTAssertEqual(left ?? [], [], "uninstall removes every file install wrote")
    }
}
