import Foundation

/// Reads lines from files or stdin, one at a time, with their place (`file`, `line`) for
/// error messages. Lines must be UTF-8; a line that is not is an error naming its place.
public struct LineSource {
    public let name: String
    private let handle: FileHandle
    private var buffer = [UInt8]()
    private var start = 0
    private var eof = false
    public private(set) var lineNumber = 0
    /// The longest line read (a JSON-lines record is at most a few MiB; a file without
    /// newlines must not be read whole into memory).
    public static let maxLineBytes = 64 << 20

    /// `path` nil or "-" reads stdin.
    public init(path: String?) throws {
        if let path, path != "-" {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw ToolError("\(path): cannot open for reading")
            }
            handle = h
            name = path
        } else {
            handle = .standardInput
            name = "<stdin>"
        }
    }

    /// The next line without its terminator (a trailing "\r" is dropped too), nil at the end.
    public mutating func next() throws -> String? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0a) {
                var end = nl
                if end > start, buffer[end - 1] == 0x0d { end -= 1 }
                let bytes = buffer[start..<end]
                start = nl + 1
                return try decode(bytes)
            }
            if eof {
                guard start < buffer.count else { return nil }
                let bytes = buffer[start...]
                start = buffer.count
                return try decode(bytes)
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            guard buffer.count <= LineSource.maxLineBytes else {
                throw ToolError.at(name, line: lineNumber + 1, "line longer than \(LineSource.maxLineBytes >> 20) MiB")
            }
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private mutating func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
        lineNumber += 1
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ToolError.at(name, line: lineNumber, "invalid UTF-8")
        }
        return s
    }
}

/// JSON-lines records from one or more inputs (stdin when there are none). Blank lines are
/// skipped; a line that is not a JSON object stops with `FILE:LINE: reason`.
public struct JSONLinesReader {
    private var sources: [String?]
    private var current: LineSource?

    public init(paths: [String]) {
        sources = paths.isEmpty ? [nil] : paths
    }

    public struct Record {
        public var value: JSON
        public let file: String
        public let line: Int
        public func fail(_ reason: String) -> ToolError { .at(file, line: line, reason) }
    }

    public mutating func next() throws -> Record? {
        while true {
            if current == nil {
                guard !sources.isEmpty else { return nil }
                current = try LineSource(path: sources.removeFirst())
            }
            guard let line = try current!.next() else {
                current = nil
                continue
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let name = current!.name
            let n = current!.lineNumber
            let value: JSON
            do { value = try JSON.parse(line) } catch let e as JSONParseError {
                throw ToolError.at(name, line: n, "invalid JSON: \(e)")
            }
            guard case .object = value else { throw ToolError.at(name, line: n, "expected a JSON object") }
            return Record(value: value, file: name, line: n)
        }
    }
}

extension LineSource {
    /// Paths from the arguments, or one per line on stdin when there are none (blank lines
    /// skipped; nothing is read from a terminal).
    public static func promptPaths(_ given: [String]) throws -> [String] {
        let paths = try self.paths(given)
        guard !paths.isEmpty else {
            throw ToolError.usage("no prompts: name prompt files, or give their paths one per line on stdin")
        }
        return paths
    }

    public static func paths(_ given: [String]) throws -> [String] {
        if !given.isEmpty || isatty(0) != 0 { return given }
        var src = try LineSource(path: nil)
        var out: [String] = []
        while let l = try src.next() {
            let t = l.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty { out.append(t) }
        }
        return out
    }
}
