import Foundation
import Plumbing

/// A raw record of an upstream file, before it is mapped to an example: named fields and
/// the place it came from, for error messages and ids.
struct Row {
    var fields: [String: String]
    var file: String  // display name of the file (and member)
    var line: Int  // 1-based line where the record starts; 0 when not line-based
    var key: String  // stable key within the file: the line number, a member name, …

    func fail(_ reason: String) -> ToolError {
        line > 0 ? .at(file, line: line, reason) : ToolError("\(file): \(reason)", exitCode: 65)
    }
}

/// Text decoding of raw bytes, line by line, so an invalid byte is reported at its line.
enum TextDecoding {
    static func lines(_ bytes: [UInt8], encoding: String, file: String) throws -> [(Int, Result<String, ToolError>)] {
        var out: [(Int, Result<String, ToolError>)] = []
        var start = 0
        var n = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }  // UTF-8 byte order mark
        while start < bytes.count {
            n += 1
            var end = bytes[start...].firstIndex(of: 0x0a) ?? bytes.count
            let next = end + 1
            if end > start, bytes[end - 1] == 0x0d { end -= 1 }
            do {
                out.append((n, .success(try decode(bytes[start..<end], encoding: encoding, file: file, line: n))))
            } catch let e as ToolError { out.append((n, .failure(e))) }
            start = next
        }
        return out
    }

    static func decode(_ b: ArraySlice<UInt8>, encoding: String, file: String, line: Int) throws -> String {
        switch encoding {
        case "latin-1": return String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
        case "utf-8":
            guard let s = String(validating: b, as: UTF8.self) else {
                throw ToolError.at(file, line: line, "invalid UTF-8")
            }
            return s
        default: throw ToolError.data(file, "unknown encoding '\(encoding)' (utf-8 or latin-1)")
        }
    }
}

/// Readers of the upstream formats, each turning bytes into rows.
enum RowFormats {
    /// Tab-separated, a header row naming the columns, no quoting (GLUE's TSV files keep
    /// quote characters as text). A row with another column count is malformed.
    static func tsv(
        _ bytes: [UInt8], file: String, encoding: String, header: [String]?
    ) throws -> [Result<Row, ToolError>] {
        var lines = try TextDecoding.lines(bytes, encoding: encoding, file: file)[...]
        let names: [String]
        if let header {
            names = header
        } else {
            guard let first = lines.popFirst() else { return [] }
            names = try first.1.get().components(separatedBy: "\t")
        }
        return lines.compactMap { (n, decoded) in
            guard case .success(let text) = decoded else { return .failure(decoded.error!) }
            if text.isEmpty { return nil }
            return row(names, text.components(separatedBy: "\t"), separatedBy: "tab", file: file, line: n)
        }
    }

    /// A record's columns under the header's names; a record with another column count is an error.
    static func row(
        _ names: [String], _ cols: [String], separatedBy separator: String, file: String, line: Int
    ) -> Result<Row, ToolError> {
        guard cols.count == names.count else {
            return .failure(
                .at(file, line: line, "expected \(names.count) \(separator)-separated columns, found \(cols.count)"))
        }
        return .success(
            Row(fields: Dictionary(uniqueKeysWithValues: zip(names, cols)), file: file, line: line, key: String(line)))
    }

    /// CSV with RFC 4180 quoting ("" inside quotes, newlines inside quoted fields) and a header.
    static func csv(_ bytes: [UInt8], file: String) throws -> [Result<Row, ToolError>] {
        var records: [(Int, [String])] = []
        var field = [UInt8]()
        var fields = [String]()
        var quoted = false
        var line = 1
        var recordLine = 1
        var i = 0
        var badField: Int? = nil
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        func endField() {
            if let s = String(validating: field, as: UTF8.self) {
                fields.append(s)
            } else {
                fields.append("")
                badField = badField ?? recordLine
            }
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields.removeAll()
            recordLine = line
        }
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == 0x0a { line += 1 }
                    field.append(c)
                }
            } else if c == 0x22 && field.isEmpty {
                quoted = true
            } else if c == 0x2c {
                endField()
            } else if c == 0x0a {
                line += 1
                if field.last == 0x0d { field.removeLast() }
                endRecord()
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw ToolError.at(file, line: recordLine, "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let header = records.first?.1 else { return [] }
        return records.dropFirst().map { (n, cols) in
            if badField == n { return .failure(.at(file, line: n, "invalid UTF-8")) }
            return row(header, cols, separatedBy: "comma", file: file, line: n)
        }
    }

    /// JSON lines: string fields as they are, numbers and booleans as their text.
    static func jsonl(_ bytes: [UInt8], file: String) throws -> [Result<Row, ToolError>] {
        try TextDecoding.lines(bytes, encoding: "utf-8", file: file).compactMap { (n, decoded) in
            guard case .success(let text) = decoded else { return .failure(decoded.error!) }
            if text.allSatisfy({ $0 == " " }) { return nil }
            guard let v = try? JSON.parse(text), let members = v.members else {
                return .failure(.at(file, line: n, "not a JSON object"))
            }
            var f: [String: String] = [:]
            for m in members {
                switch m.value {
                case .string(let s): f[m.key] = s
                case .number(let s): f[m.key] = s
                case .bool(let b): f[m.key] = String(b)
                default: break
                }
            }
            return .success(Row(fields: f, file: file, line: n, key: String(n)))
        }
    }

    /// One example per line, in field "text".
    static func lines(_ bytes: [UInt8], file: String, encoding: String) throws -> [Result<Row, ToolError>] {
        try TextDecoding.lines(bytes, encoding: encoding, file: file).map { (n, decoded) in
            decoded.map { Row(fields: ["text": $0], file: file, line: n, key: String(n)) }
        }
    }
}

extension Result where Failure == ToolError {
    var error: ToolError? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
