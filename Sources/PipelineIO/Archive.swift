import CArchive

/// Streams archive members through libarchive — zip, tar, tar.gz — or the content of a
/// single compressed file (`.gz`), without unpacking anything to disk.
public enum ArchiveReader {
    /// Calls `body` with each regular member's name; when it returns true, the member's
    /// bytes are read and handed to `read`. Unwanted members are skipped unread.
    public static func members(of path: String, want: (String) -> Bool, read: (String, [UInt8]) throws -> Void) throws {
        let a = try open(path, raw: false)
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            guard r == ARCHIVE_OK || r == ARCHIVE_WARN, let entry else { throw ToolError("\(path): corrupt archive: \(message(a))") }
            guard archive_entry_filetype(entry) == 0o100000 /* AE_IFREG */, let cname = archive_entry_pathname(entry) else { continue }
            let name = String(cString: cname)
            guard want(name) else { continue }
            try read(name, try data(a, path: path, member: name))
        }
    }

    /// The decompressed content of a single compressed file (e.g. `x.jsonl.gz`).
    public static func decompressed(_ path: String) throws -> [UInt8] {
        let a = try open(path, raw: true)
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        guard archive_read_next_header(a, &entry) == ARCHIVE_OK else { throw ToolError("\(path): not a compressed file: \(message(a))") }
        return try data(a, path: path, member: nil)
    }

    /// A reader over `path`: any archive format, or (`raw`) a single compressed stream.
    private static func open(_ path: String, raw: Bool) throws -> OpaquePointer {
        let a = archive_read_new()!
        archive_read_support_filter_all(a)
        if raw { archive_read_support_format_raw(a) } else { archive_read_support_format_all(a) }
        guard archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK else {
            let why = message(a)
            archive_read_free(a)
            throw ToolError("\(path): cannot open \(raw ? "compressed file" : "archive"): \(why)")
        }
        return a
    }

    private static func data(_ a: OpaquePointer, path: String, member: String?) throws -> [UInt8] {
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
            if n == 0 { break }
            guard n > 0 else { throw ToolError("\(path)\(member.map { "[\($0)]" } ?? ""): truncated or corrupt data: \(message(a))") }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    private static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown error"
    }
}
