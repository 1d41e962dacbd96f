// A researcher's own labelled examples: JSON lines, or CSV / TSV with a header row (told apart by
// the file's extension), read through named fields, with labels given as class indices or names.
import Foundation
import Plumbing

/// Which fields of an example file hold the texts and the label, and the names of the classes.
public struct ExampleFields: Equatable {
    public var text = "text_a"
    public var textB = "text_b"
    public var label = "label"
    /// The class names in class order: a label equal to one of them is its index. Empty: labels
    /// must be class indices.
    public var labels: [String] = []

    public init() {}

    /// The fields as recorded in a prompt file, so evaluation reads files the way tuning did.
    public var json: JSON {
        .object([
            .init("text", .string(text)), .init("text_b", .string(textB)), .init("label", .string(label)),
            .init("labels", .array(labels.map { .string($0) })),
        ])
    }

    public init(json: JSON) {
        text = json["text"]?.string ?? text
        textB = json["text_b"]?.string ?? textB
        label = json["label"]?.string ?? label
        labels = json["labels"]?.array?.compactMap { $0.string } ?? []
    }
}

/// The fields a user named on the command line, each over a base (the defaults, or what a
/// prompt file recorded).
public struct ExampleFieldChoice {
    public var text: String? = nil
    public var textB: String? = nil
    public var label: String? = nil
    public var labels: [String]? = nil

    public init() {}

    public func over(_ base: ExampleFields) -> ExampleFields {
        var fields = base
        if let text { fields.text = text }
        if let textB { fields.textB = textB }
        if let label { fields.label = label }
        if let labels { fields.labels = labels }
        return fields
    }
}

public enum ExampleFile {
    /// A file's layout, by its extension: `.csv` comma-separated, `.tsv`/`.tab` tab-separated
    /// (both with a header row), anything else JSON lines.
    public enum Layout: Equatable {
        case jsonLines
        case delimited(UInt8)
    }

    public static func layout(of path: String) -> Layout {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": return .delimited(UInt8(ascii: ","))
        case "tsv", "tab": return .delimited(UInt8(ascii: "\t"))
        default: return .jsonLines
        }
    }

    /// A file's name without folder and extension (a prompt's default name).
    public static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// One example's fields, where it was read: a JSON object, or a delimited row by its header.
    struct Record {
        var fields: [String: JSON]
        let file: String
        let line: Int
        func fail(_ reason: String) -> ToolError { .at(file, line: line, reason) }
    }

    /// The examples of `path` (`-`: stdin); labels below `classes`.
    public static func read(_ path: String, fields: ExampleFields, classes: Int) throws -> [LabeledText] {
        var out: [LabeledText] = []
        try records(path) { record in
            out.append(try example(record, fields: fields, classes: classes))
        }
        return out
    }

    /// The distinct labels of a file as written (names, or indices as text), in first-seen order.
    public static func labelValues(_ path: String, field: String) throws -> [String] {
        var seen: [String] = []
        try records(path) { record in
            let value = record.fields[field].flatMap { $0.string ?? $0.int.map(String.init) }
            if let value, !seen.contains(value) { seen.append(value) }
        }
        return seen
    }

    static func records(_ path: String, _ body: (Record) throws -> Void) throws {
        switch layout(of: path) {
        case .jsonLines:
            var reader = JSONLinesReader(paths: [path])
            while let r = try reader.next() {
                guard case .object(let members) = r.value else { throw r.fail("an example must be a JSON object") }
                var fields: [String: JSON] = [:]
                for m in members { fields[m.key] = m.value }
                try body(Record(fields: fields, file: r.file, line: r.line))
            }
        case .delimited(let separator):
            var rows = try DelimitedRows(path: path, separator: separator)
            guard let header = try rows.next() else { throw ToolError.data(path, "empty file: no header row") }
            let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces) }
            guard Set(names).count == names.count else {
                throw ToolError.at(path, line: header.line, "the header names a column twice")
            }
            while let row = try rows.next() {
                if row.cells == [""] { continue }  // a blank line
                guard row.cells.count == names.count else {
                    throw ToolError.at(
                        path, line: row.line, "\(row.cells.count) cells; the header has \(names.count) columns")
                }
                var fields: [String: JSON] = [:]
                for (name, cell) in zip(names, row.cells) { fields[name] = .string(cell) }
                try body(Record(fields: fields, file: path, line: row.line))
            }
        }
    }

    static func example(_ r: Record, fields: ExampleFields, classes: Int) throws -> LabeledText {
        guard let a = r.fields[fields.text]?.string else {
            let hint = r.fields.keys.sorted().joined(separator: ", ")
            throw r.fail("missing \"\(fields.text)\" (fields here: \(hint); --text-field names the text's field)")
        }
        guard let raw = r.fields[fields.label], raw != .null else {
            throw r.fail("missing \"\(fields.label)\" (--label-field names the label's field)")
        }
        let label = try classIndex(raw, fields: fields, classes: classes, record: r)
        let b = r.fields[fields.textB]?.string
        return LabeledText(
            id: r.fields["id"]?.string ?? "\(r.file):\(r.line)", a: a, b: (b?.isEmpty ?? true) ? nil : b,
            label: label)
    }

    /// A label's class: a name of `fields.labels`, else an index below `classes`.
    static func classIndex(_ raw: JSON, fields: ExampleFields, classes: Int, record r: Record) throws -> Int {
        if let name = raw.string, let i = fields.labels.firstIndex(of: name) { return i }
        let index = raw.int ?? raw.string.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if let index, index >= 0, index < classes { return index }
        if fields.labels.isEmpty {
            throw r.fail(
                "label \(raw.text) is not a class index below \(classes); for labels written as names give "
                    + "--labels NAME,NAME,... (the class names, in class order)")
        }
        throw r.fail(
            "label \(raw.text) is neither one of --labels \(fields.labels.joined(separator: ",")) nor an index "
                + "below \(classes)")
    }
}

/// The rows of a CSV/TSV file (RFC 4180: fields in double quotes may hold the separator, line
/// breaks and doubled quotes), each with the line it starts on.
struct DelimitedRows {
    var source: LineSource
    let separator: UInt8
    let path: String

    init(path: String, separator: UInt8) throws {
        source = try LineSource(path: path == "-" ? nil : path)
        self.separator = separator
        self.path = path
    }

    mutating func next() throws -> (cells: [String], line: Int)? {
        guard var text = try source.next() else { return nil }
        let start = source.lineNumber
        if start == 1, text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var cells: [String] = []
        var cell: [UInt8] = []
        var quoted = false
        var bytes = Array(text.utf8)
        var i = 0
        while true {
            if i == bytes.count {
                if quoted {  // a line break inside quotes: the field goes on on the next line
                    guard let more = try source.next() else {
                        throw ToolError.at(path, line: start, "a quoted field is not closed")
                    }
                    cell.append(UInt8(ascii: "\n"))
                    bytes = Array(more.utf8)
                    i = 0
                    continue
                }
                break
            }
            let c = bytes[i]
            i += 1
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                        cell.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == separator {
                cells.append(String(decoding: cell, as: UTF8.self))
                cell = []
            } else if c == UInt8(ascii: "\"") && cell.isEmpty {
                quoted = true
            } else {
                cell.append(c)
            }
        }
        cells.append(String(decoding: cell, as: UTF8.self))
        return (cells, start)
    }
}
