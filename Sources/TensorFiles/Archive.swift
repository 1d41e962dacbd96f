import CArchive
import Plumbing

/// Streams archive members through libarchive — zip, tar, tar.gz — or the content of a
/// single compressed file (`.gz`), without unpacking anything to disk.
public enum ArchiveReader {
    /// Calls `body` with each regular member's name; when it returns true, the member's
    /// bytes are read and handed to `read`. Unwanted members are skipped unread.
    public static func members(of path: String, want: (String) -> Bool, read: (String, [UInt8]) throws -> Void) throws {
        try members(of: path, want: want, limit: { _ in Int.max }, read: read)
    }

    /// As `members(of:want:read:)`, inflating at most `limit(name)` bytes of a member: one
    /// that holds more is refused there, so an archive from an untrusted source cannot make
    /// the reader inflate more than the caller expects (a zip bomb).
    public static func members(
        of path: String, want: (String) -> Bool, limit: (String) -> Int,
        read: (String, [UInt8]) throws -> Void
    ) throws {
        try walk(path) { a, name, _ in
            guard want(name) else { return }
            try read(name, try data(a, path: path, member: name, limit: limit(name)))
        }
    }

    /// Each regular member's name and the uncompressed size its header declares (nil when
    /// the header does not say), without inflating anything.
    public static func listing(of path: String) throws -> [(name: String, size: Int?)] {
        var list: [(name: String, size: Int?)] = []
        try walk(path) { _, name, size in list.append((name, size)) }
        return list
    }

    private static func walk(_ path: String, _ visit: (OpaquePointer, String, Int?) throws -> Void) throws {
        let a = try open(path, raw: false)
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            guard r == ARCHIVE_OK || r == ARCHIVE_WARN, let entry else {
                throw ToolError.data(path, "corrupt archive: \(message(a))")
            }
            guard archive_entry_filetype(entry) == 0o100000 /* AE_IFREG */, let cname = archive_entry_pathname(entry)
            else {
                continue
            }
            let size = archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : nil
            try visit(a, String(cString: cname), size)
        }
    }

    /// The decompressed content of a single compressed file (e.g. `x.jsonl.gz`).
    public static func decompressed(_ path: String) throws -> [UInt8] {
        let a = try open(path, raw: true)
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        guard archive_read_next_header(a, &entry) == ARCHIVE_OK else {
            throw ToolError.data(path, "not a compressed file: \(message(a))")
        }
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

    private static func data(_ a: OpaquePointer, path: String, member: String?, limit: Int = Int.max) throws -> [UInt8]
    {
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        let place = path + (member.map { "[\($0)]" } ?? "")
        while true {
            let n = buf.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
            if n == 0 { break }
            guard n > 0 else { throw ToolError.data(place, "truncated or corrupt data: \(message(a))") }
            guard n <= limit - out.count else {
                throw ToolError.data(place, "holds more than the \(limit) bytes expected of it; not inflated further")
            }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    private static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown error"
    }
}
