import Foundation

/// Where a tool's data goes: stdout, or a file written atomically — into a temporary file
/// beside it, renamed over the target only when `commit()` is called, so a failed run leaves
/// nothing half-written.
public final class DataOutput {
    private let handle: FileHandle
    private let target: String?
    private let temp: String?
    private var buffer = [UInt8]()
    private var committed = false

    public init(path: String?) throws {
        if let path, path != "-" {
            try AtomicFile.makeParentFolder(of: path)
            let tmp = AtomicFile.temporaryPath(for: path)
            guard FileManager.default.createFile(atPath: tmp, contents: nil),
                let h = FileHandle(forWritingAtPath: tmp)
            else {
                throw ToolError("\(path): cannot create output file")
            }
            handle = h
            target = path
            temp = tmp
        } else {
            handle = .standardOutput
            target = nil
            temp = nil
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        // Not committed: the run failed; remove what it wrote.
        if let temp, !committed {
            try? handle.close()
            unlink(temp)
        }
    }

    public func writeLine(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0a)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        if target == nil { ProgressLine.clearForStdout() }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws {
        flush()
        guard let target, let temp else { return }
        try handle.synchronize()
        try handle.close()
        guard rename(temp, target) == 0 else {
            throw ToolError("\(target): cannot rename the finished output into place")
        }
        committed = true
    }
}

public enum AtomicFile {
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    }

    /// Creates the folder `path` will be written into (every tool creates its output folders).
    public static func makeParentFolder(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ToolError("\(folder): cannot create the output folder: \(error.localizedDescription)")
        }
    }

    /// Writes `data` to `path` through a temporary file and a rename.
    public static func write(_ data: Data, to path: String) throws {
        try makeParentFolder(of: path)
        let tmp = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, path) == 0 else {
                throw ToolError("\(path): cannot rename the finished output into place")
            }
        } catch {
            unlink(tmp)
            if error is ToolError { throw error }
            throw ToolError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}

/// Diagnostics and progress go to stderr, never mixed with data on stdout.
public enum Log {
    public static func info(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    public static var stderrIsTerminal: Bool { isatty(2) != 0 }
    public static var stdoutIsTerminal: Bool { isatty(1) != 0 }
}

/// A progress line on stderr (`done/total  rate/s  ETA`, then a note such as the last selection
/// accuracy). On a terminal it is redrawn in place at most 4 times a second and a phase
/// (`selection pass …`) shows at once; data written to stdout on the same terminal first clears the
/// line, which the next update redraws. Into a file or a pipe (`--progress` in a grid's job log)
/// it is a plain line every 30 s and at the end, without phases or terminal codes.
public final class ProgressLine {
    private let total: Int?
    private let label: String
    private let enabled: Bool
    private let interactive = Log.stderrIsTerminal
    private var interval: TimeInterval { interactive ? 0.25 : 30 }
    private let start = Date()
    /// The last draw; in a file the first line comes one interval after the start.
    private var last: Date
    private var shown = false
    public private(set) var done: Int
    /// Where this run started (a resumed run's step): the rate and ETA count only this run's work.
    private let initial: Int
    /// Shown after the rate (e.g. `selection 81.2 % (best 81.2 %)`).
    public var note = ""

    /// The line on the terminal now, if any: DataOutput clears it before writing to stdout.
    nonisolated(unsafe) static weak var active: ProgressLine?

    public init(label: String, total: Int?, done: Int = 0, enabled: Bool) {
        self.label = label
        self.total = total
        self.done = done
        initial = done
        self.enabled = enabled
        last = interactive ? .distantPast : start
    }

    public func advance(_ n: Int = 1) {
        done += n
        guard enabled, Date().timeIntervalSince(last) > interval else { return }
        last = Date()
        draw(final: false)
    }

    /// Shows what the work is doing now (e.g. `selection pass`) until the next update (on a terminal).
    public func phase(_ text: String) {
        guard enabled, interactive else { return }
        draw(final: false, phase: text)
    }

    public func finish() { if enabled { draw(final: true) } }

    /// Clears the line if it is on the same terminal as stdout (before a line of data).
    static func clearForStdout() {
        guard let line = active, line.shown, isatty(1) != 0, isatty(2) != 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
        line.shown = false
        line.last = .distantPast  // the next update redraws it
    }

    private func draw(final: Bool, phase: String? = nil) {
        let elapsed = max(Date().timeIntervalSince(start), 1e-9)
        let rate = Double(done - initial) / elapsed
        var s = "\(label): \(done)"
        if let total {
            s += "/\(total)"
            if rate > 0, !final, phase == nil { s += String(format: "  ETA %.0fs", Double(total - done) / rate) }
        }
        s += String(format: "  %.1f/s  %.1fs", rate, elapsed)
        if !note.isEmpty { s += "  " + note }
        if let phase { s += "  " + phase + " …" }
        guard interactive else {
            FileHandle.standardError.write(Data((s + "\n").utf8))
            return
        }
        FileHandle.standardError.write(Data(("\r\u{1b}[K" + s + (final ? "\n" : "")).utf8))
        shown = !final
        ProgressLine.active = final ? nil : self
    }
}
