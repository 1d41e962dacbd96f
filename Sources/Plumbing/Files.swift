// Reading whole files: a read-only memory mapping, and the bytes of a file.
import Foundation

/// A read-only memory mapping of a whole file.
public final class MappedFile {
    public let path: String
    public let bytes: UnsafeRawBufferPointer

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ToolError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ToolError("\(path): cannot stat") }
        let size = Int(st.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ToolError("\(path): cannot memory-map")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit { if let p = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: p), bytes.count) } }
}

/// The whole content of a file, read with open/read (Foundation's `Data(contentsOf:)` leaks
/// a buffer on empty files, which the fuzzers' leak checker reports).
public func readWholeFile(_ path: String) throws -> [UInt8] {
    let mapped = try MappedFile(path: path)
    return [UInt8](mapped.bytes)
}
