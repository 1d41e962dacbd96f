import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning
import XCTest

/// Paths and fixtures shared by the tests.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let dir = root.appendingPathComponent("Tests/PromptTransferTests/Fixtures")

    static func json(_ name: String) throws -> JSON {
        let data = try Data(contentsOf: dir.appendingPathComponent(name))
        return try JSON.parse(String(decoding: data, as: UTF8.self))
    }

    /// base64 of little-endian float32, as `scripts/make_fixtures.py` writes them.
    static func floats(_ j: JSON?) -> [Float] {
        guard let s = j?.string, let d = Data(base64Encoded: s) else { return [] }
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        }
    }

    static func ints(_ j: JSON?) -> [Int32] { (j?.array ?? []).map { Int32($0.int!) } }

    /// A real model folder under models/. In CI (CI=true) its absence fails the test;
    /// elsewhere it skips with the command that fetches it.
    static func model(_ name: String, file: String = "model.safetensors") throws -> String {
        let path = root.appendingPathComponent("models/\(name)").path
        if FileManager.default.fileExists(atPath: path + "/" + file) { return path }
        let msg = "models/\(name) is missing: run `make models`"
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail(msg)
            throw XCTSkip(msg)
        }
        throw XCTSkip(msg)
    }

    /// The read-only dataset mirror (../shared/data, or $PT_DATA_MIRROR), same rule as models.
    static func data(_ relative: String) throws -> URL {
        let base =
            ProcessInfo.processInfo.environment["PT_DATA_MIRROR"].map { URL(fileURLWithPath: $0) }
            ?? root.deletingLastPathComponent().appendingPathComponent("shared/data")
        let url = base.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let msg = "\(url.path) is missing (the dataset mirror)"
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail(msg)
            throw XCTSkip(msg)
        }
        throw XCTSkip(msg)
    }

    /// A built tool; PT_TOOL_DIR names another build's folder (the AddressSanitizer run in .ci/run).
    static func tool(_ name: String) -> URL {
        let folder = ProcessInfo.processInfo.environment["PT_TOOL_DIR"] ?? ".build/release"
        return root.appendingPathComponent("\(folder)/\(name)")
    }

    /// A prepared-data folder with SST-2 train/validation (a few dozen examples).
    static func sst2DataDir() throws -> URL {
        let dir = try tempDir()
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("sst2"), withIntermediateDirectories: true)
        let rows = try String(contentsOf: try data("sst2/dev.tsv"), encoding: .utf8).split(separator: "\n").dropFirst()
        for (split, part) in [("train", rows.prefix(48)), ("validation", rows.dropFirst(48).prefix(24))] {
            let lines = part.enumerated().map { i, r -> String in
                let c = r.split(separator: "\t")
                return JSON.object([
                    .init("id", .string("\(split)-\(i)")), .init("text_a", .string(String(c[0]))),
                    .init("label", .number(Int(c[1])!)),
                ]).text
            }
            let url = dir.appendingPathComponent("sst2/\(split).jsonl")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// sst2 and rotten_tomatoes as prepared splits of a few dozen SST-2 dev sentences each.
    static func tinyTaskData() throws -> URL {
        let dir = try tempDir()
        let rows = try String(contentsOf: try data("sst2/dev.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: "\t") }
        for (t, task) in ["sst2", "rotten_tomatoes"].enumerated() {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent(task), withIntermediateDirectories: true)
            for (s, split) in ["train", "validation"].enumerated() {
                let part = rows.dropFirst(t * 100 + s * 60).prefix(s == 0 ? 60 : 40)
                let lines = part.enumerated().map { i, c in
                    JSON.object([
                        .init("id", .string("\(split)-\(i)")), .init("text_a", .string(String(c[0]))),
                        .init("label", .number(Int(c[1])!)),
                    ]).text
                }
                try (lines.joined(separator: "\n") + "\n")
                    .write(to: dir.appendingPathComponent("\(task)/\(split).jsonl"), atomically: true, encoding: .utf8)
            }
        }
        return dir
    }

    static func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

func maxAbsDiff(_ a: UnsafePointer<Float>, _ b: [Float]) -> Float {
    var m: Float = 0
    for i in 0..<b.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

/// Runs a built tool with arguments and stdin; returns its exit status, stdout and stderr.
struct ToolResult {
    let status: Int32
    let out: String
    let err: String
    /// Ended by a signal (a crash, a trap), not by exit.
    var signaled = false
}

func runTool(
    _ tool: String, _ args: [String], stdin: String = "", environment: [String: String] = [:],
    timeout: Double = 600
) throws -> ToolResult {
    let exe = Fixture.tool(tool)
    guard FileManager.default.isExecutableFile(atPath: exe.path) else {
        XCTFail("\(exe.path) not built: run `swift build -c release`")
        throw XCTSkip("not built")
    }
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if !environment.isEmpty {
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    return try capture(p, stdin: stdin, timeout: timeout, what: tool)
}

/// A repository script run with bash from the repository root (stdout and stderr captured, stdin empty).
func runScript(
    _ path: String, _ args: [String] = [], environment: [String: String] = [:], timeout: Double = 900
) throws -> ToolResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [Fixture.root.appendingPathComponent(path).path] + args
    p.currentDirectoryURL = Fixture.root
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    return try capture(p, stdin: nil, timeout: timeout, what: path)
}

/// A process whose output did not end in time (the test has already failed with the details).
struct ProcessTimedOut: Error {
    let what: String
}

/// Bytes one reading thread collects; read by the test thread only after that thread is done.
private final class CollectedOutput: @unchecked Sendable {
    var data = Data()
}

/// SIGPIPE ignored in the test process, once: writing the stdin of a tool that has already exited
/// must fail that write (EPIPE), not kill every test.
private let ignoreBrokenPipes: Void = {
    signal(SIGPIPE, SIG_IGN)
}()

/// Runs `process` with `stdin` (nil: /dev/null) and collects stdout and stderr on two threads, so that
/// neither pipe can fill and stall it. The test fails, instead of hanging, when the output has not
/// ended after `timeout` seconds: the process still runs, or something it started (a daemon) kept
/// the pipes open.
func capture(_ process: Process, stdin: String?, timeout: Double, what: String) throws -> ToolResult {
    let outPipe = Pipe()
    let errPipe = Pipe()
    let inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    let out = CollectedOutput()
    let err = CollectedOutput()
    let reading = DispatchGroup()
    for (pipe, collected) in [(outPipe, out), (errPipe, err)] {
        DispatchQueue.global().async(group: reading) {
            collected.data = pipe.fileHandleForReading.readDataToEndOfFile()
        }
    }
    if let stdin {
        _ = ignoreBrokenPipes
        DispatchQueue.global().async {
            // A tool may refuse its input and exit before reading it: the write then fails with EPIPE.
            try? inPipe.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
    }
    guard reading.wait(timeout: .now() + timeout) == .success else {
        process.terminate()
        let ended = reading.wait(timeout: .now() + 10) == .success
        XCTFail(
            "\(what) \(process.arguments ?? []): its output did not end within \(Int(timeout)) s"
                + (ended ? "; terminated" : " (a process it started still holds its stdout or stderr)"))
        throw ProcessTimedOut(what: what)
    }
    process.waitUntilExit()
    return ToolResult(
        status: process.terminationStatus, out: String(decoding: out.data, as: UTF8.self),
        err: String(decoding: err.data, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
}

/// FNV-1a of the ids' little-endian bytes: how fixtures store the ids of long corpora.
func fnv1a(_ ids: [Int32]) -> String {
    var h: UInt64 = 0xcbf29ce484222325
    for id in ids { withUnsafeBytes(of: id.littleEndian) { for b in $0 { h = (h ^ UInt64(b)) &* 0x100000001b3 } } }
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// ‖a − b‖ / ‖b‖: how prompt gradients are compared with autograd's.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    var diff: Float = 0
    var norm: Float = 0
    for i in b.indices {
        diff += (a[i] - b[i]) * (a[i] - b[i])
        norm += b[i] * b[i]
    }
    return (diff / norm).squareRoot()
}

/// `[CLS] P1..Pn [MASK] …` sequences (prompt rows 1…n, read at n + 1) as a PromptInput.
func promptAfterStart(_ seqs: [[Int32]], n: Int, types: [[Int32]]? = nil, firstPosition: Int = 0) -> PromptInput {
    var p = PromptInput()
    for (i, s) in seqs.enumerated() {
        let tokens = (0..<s.count).map { ($0 >= 1 && $0 <= n) ? Int32($0 - 1) : -1 }
        p.append(
            ids: s, typeIds: types?[i] ?? Array(repeating: 0, count: s.count), promptToken: tokens, readRow: 1 + n,
            firstPosition: firstPosition)
    }
    return p
}

/// A prompt-gradient check: encoder, readout, input, labels and prompt length.
struct PromptGradientCase {
    let enc: PromptEncoder, readout: Readout, input: PromptInput, labels: [Int], n: Int

    /// loss, dPrompt (n,C) and the label logits for a prompt
    func lossAndGrad(_ prompt: [Float]) throws -> (Float, [Float], [Float]) {
        let C = enc.encoder.config.hidden
        let h = try enc.forward(input, prompt: prompt, promptLength: n)
        let logits = readout.forward(h, rows: labels.count)
        let (loss, dlogits, _) = crossEntropy(logits, labels: labels, classes: readout.words.count)
        var g = [Float](repeating: 0, count: n * C)
        enc.backward(readout.backward(dlogits), dPrompt: &g, promptLength: n)
        return (loss, g, logits)
    }
}

/// Max abs error of the encoder's MLM logits against a fixture's `sequences` and `logits`
/// (a padded batch in transformers, packed here).
func mlmLogitsError(_ enc: Encoder, _ fixture: JSON) throws -> Float {
    let seqs = fixture["sequences"]!.array!.map { Fixture.ints($0) }
    var batch = Batch()
    for s in seqs {
        batch.append(ids: s, firstPosition: enc.config.firstPosition)
    }
    let h = try enc.forward(batch)
    var worst: Float = 0
    for (i, want) in fixture["logits"]!.array!.enumerated() {
        let logits = try enc.mlmLogits(h + batch.offsets[i] * enc.config.hidden, rows: batch.length(i))
        worst = max(worst, maxAbsDiff(logits.data, Fixture.floats(want)))
    }
    return worst
}

/// The SST-2 dev sentences (the mirror's TSV) and how many of them `tok` encodes to ids whose
/// hash differs from the fixture's `sst2_dev` list, with the list's length.
func sst2DevMismatches(_ tok: Tokenizer, _ fixture: JSON) throws -> (bad: Int, sentences: Int, hashes: Int) {
    let sentences = try String(contentsOf: try Fixture.data("sst2/dev.tsv"), encoding: .utf8)
        .split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
    let hashes = fixture["sst2_dev"]!.array!.map { $0.string! }
    var bad = 0
    for (s, h) in zip(sentences, hashes) where fnv1a(try tok.encode(s).encoding.ids) != h {
        bad += 1
    }
    return (bad, sentences.count, hashes.count)
}

/// A 4-vector SST-2 prompt on SPLADE-tiny after 2 steps (a source or target for projector tests).
func tuneTinySpladePrompt(data: URL, output: String) throws -> ToolResult {
    try runTool(
        "tune-prompt",
        [
            "--model", try Fixture.model("splade-tiny"), "--task", "sst2", "--data-dir", data.path,
            "--prompt-length", "4", "--steps", "2", "--batch-size", "4", "--eval-every", "2", "--output", output,
        ])
}
