import Foundation
import Plumbing
import TensorFiles

/// Reads one source of a manifest into rows, by its `format`:
/// `tsv`, `csv`, `jsonl`, `lines` (optionally from an archive `member`, or `compression: gzip`),
/// `archive_text` (one example per archive member matching `members`, e.g. IMDB),
/// `eraser` (ERASER annotations jsonl + review text from `docs`), and `semeval_xml`
/// (one example per aspect term).
enum SourceFormats {
    static func rows(_ s: JSON, path: String) throws -> [Result<Row, ToolError>] {
        let format = s["format"]?.string ?? ""
        let encoding = s["encoding"]?.string ?? "utf-8"
        switch format {
        case "tsv", "csv", "jsonl", "lines":
            let (bytes, name) = try content(s, path: path)
            switch format {
            case "tsv":
                return try RowFormats.tsv(
                    bytes, file: name, encoding: encoding, header: s["columns"]?.array?.compactMap { $0.string })
            case "csv": return try RowFormats.csv(bytes, file: name)
            case "jsonl": return try RowFormats.jsonl(bytes, file: name)
            default: return try RowFormats.lines(bytes, file: name, encoding: encoding)
            }
        case "archive_text": return try archiveText(s, path: path, encoding: encoding)
        case "eraser": return try eraser(s, path: path)
        case "semeval_xml":
            let (bytes, name) = try content(s, path: path)
            return try semeval(bytes, file: name)
        default:
            throw ToolError(
                "source format '\(format)' is not known (tsv, csv, jsonl, lines, archive_text, eraser, semeval_xml)")
        }
    }

    /// The bytes of the file, of one member of it (an archive), or of its decompression.
    static func content(_ s: JSON, path: String) throws -> ([UInt8], String) {
        if let member = s["member"]?.string {
            var found: [UInt8]? = nil
            try ArchiveReader.members(of: path, want: { $0 == member }, read: { _, b in found = b })
            guard let found else { throw ToolError.data(path, "archive has no member '\(member)'") }
            return (found, "\(path)[\(member)]")
        }
        if s["compression"]?.string == "gzip" { return (try ArchiveReader.decompressed(path), path) }
        return (Array(try Data(contentsOf: URL(fileURLWithPath: path))), path)
    }

    /// One row per member whose name matches the glob `members` ("dir/*.txt"), keyed and
    /// ordered by member name; the text is in field "text".
    static func archiveText(_ s: JSON, path: String, encoding: String) throws -> [Result<Row, ToolError>] {
        guard let glob = s["members"]?.string, let star = glob.firstIndex(of: "*") else {
            throw ToolError("archive_text needs \"members\": \"prefix*suffix\"")
        }
        let prefix = String(glob[..<star])
        let suffix = String(glob[glob.index(after: star)...])
        var rows: [Result<Row, ToolError>] = []
        try ArchiveReader.members(
            of: path,
            want: { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) && !$0.dropFirst(prefix.count).contains("/") }
        ) { name, bytes in
            let place = "\(path)[\(name)]"
            do {
                let text = try TextDecoding.decode(bytes[...], encoding: encoding, file: place, line: 1)
                rows.append(.success(Row(fields: ["text": text, "member": name], file: place, line: 0, key: name)))
            } catch let e as ToolError { rows.append(.failure(e)) }
        }
        guard !rows.isEmpty else { throw ToolError.data(path, "archive has no member matching '\(glob)'") }
        return rows.sorted { key($0) < key($1) }
    }

    private static func key(_ r: Result<Row, ToolError>) -> String {
        switch r {
        case .success(let row): return row.key
        case .failure(let e): return e.description
        }
    }

    /// ERASER: annotation lines (`annotations` member, jsonl with annotation_id and
    /// classification) joined with the review text of `docs` + annotation_id.
    static func eraser(_ s: JSON, path: String) throws -> [Result<Row, ToolError>] {
        guard let ann = s["annotations"]?.string, let docs = s["docs"]?.string else {
            throw ToolError("eraser needs \"annotations\" and \"docs\"")
        }
        var annotations: [UInt8]? = nil
        var texts: [String: [UInt8]] = [:]
        try ArchiveReader.members(of: path, want: { $0 == ann || $0.hasPrefix(docs) }) { name, bytes in
            if name == ann { annotations = bytes } else { texts[String(name.dropFirst(docs.count))] = bytes }
        }
        guard let annotations else { throw ToolError.data(path, "archive has no member '\(ann)'") }
        return try RowFormats.jsonl(annotations, file: "\(path)[\(ann)]").map { result in
            result.flatMap { row in
                guard let id = row.fields["annotation_id"] else {
                    return .failure(row.fail("missing field \"annotation_id\""))
                }
                guard let bytes = texts[id] else {
                    return .failure(row.fail("no document '\(docs)\(id)' in the archive"))
                }
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    return .failure(ToolError("\(path)[\(docs)\(id)]: invalid UTF-8", exitCode: 65))
                }
                var r = row
                r.fields["text"] = text
                r.key = id
                return .success(r)
            }
        }
    }

    /// SemEval-2014 ABSA XML: one row per aspect term, with fields sentence_id, text, term,
    /// polarity; sentences without aspect terms give none.
    static func semeval(_ bytes: [UInt8], file: String) throws -> [Result<Row, ToolError>] {
        let root = try XMLElement.parse(bytes, name: file)
        var rows: [Result<Row, ToolError>] = []
        for sentence in root.all("sentence") {
            let sid = sentence.attributes["id"] ?? "?"
            guard let text = sentence.child("text")?.text else {
                rows.append(.failure(ToolError("\(file): sentence \(sid) has no <text>", exitCode: 65)))
                continue
            }
            for (k, term) in (sentence.child("aspectTerms")?.all("aspectTerm") ?? []).enumerated() {
                var f = term.attributes
                f["sentence_id"] = sid
                f["text"] = text
                rows.append(.success(Row(fields: f, file: "\(file) sentence \(sid)", line: 0, key: "\(sid):\(k)")))
            }
        }
        return rows
    }
}

/// The SemEval XML reader on bytes from anywhere (the fuzzer's entry): the number of rows
/// and of refused aspect terms, or the error that refuses the whole file.
public func semevalRowCount(_ bytes: [UInt8], file: String) throws -> (rows: Int, refused: Int) {
    let results = try SourceFormats.semeval(bytes, file: file)
    let refused = results.filter { if case .failure = $0 { return true } else { return false } }.count
    return (results.count - refused, refused)
}
