import Foundation
import Tensors

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
        guard size > 0 else { bytes = UnsafeRawBufferPointer(start: nil, count: 0); return }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ToolError("\(path): cannot memory-map")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit { if let p = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: p), bytes.count) } }
}

/// A safetensors file: 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data. F32 tensors are used in place from the
/// mapping; F16 and BF16 are widened to F32 on load.
public final class SafetensorsFile {
    public struct Entry {
        public let dtype: String
        public let shape: [Int]
        public let range: Range<Int>   // within the data section
    }

    public let path: String
    public let entries: [String: Entry]
    public let names: [String]          // in header order
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        let b = file.bytes
        guard b.count >= 8 else { throw ToolError("\(path): not a safetensors file (shorter than its 8-byte header length)") }
        let n = Int(b.loadUnaligned(as: UInt64.self).littleEndian)
        guard n > 0, n <= b.count - 8, n < 100_000_000 else {
            throw ToolError("\(path): not a safetensors file (header length \(n) does not fit the file of \(b.count) bytes)")
        }
        let header: JSON
        do { header = try JSON.parse(bytes: UnsafeRawBufferPointer(rebasing: b[8..<(8 + n)])) } catch {
            throw ToolError("\(path): safetensors header is not valid JSON: \(error)")
        }
        guard let members = header.members else { throw ToolError("\(path): safetensors header is not a JSON object") }
        dataStart = 8 + n
        let dataSize = b.count - dataStart
        var entries = [String: Entry](), names = [String](), meta = [String: String]()
        for m in members {
            if m.key == "__metadata__" {
                for kv in m.value.members ?? [] { meta[kv.key] = kv.value.string ?? kv.value.text }
                continue
            }
            guard let dtype = m.value["dtype"]?.string,
                  let shape = m.value["shape"]?.array?.compactMap({ $0.int }),
                  let offs = m.value["data_offsets"]?.array?.compactMap({ $0.int }), offs.count == 2,
                  offs[0] <= offs[1], offs[1] <= dataSize else {
                throw ToolError("\(path): tensor '\(m.key)' has a malformed header entry (or data past the end of the file)")
            }
            let width = SafetensorsFile.width(dtype)
            if let width, shape.reduce(1, *) * width != offs[1] - offs[0] {
                throw ToolError("\(path): tensor '\(m.key)' of shape \(shape) and dtype \(dtype) does not fill its \(offs[1] - offs[0]) bytes")
            }
            entries[m.key] = Entry(dtype: dtype, shape: shape, range: offs[0]..<offs[1])
            names.append(m.key)
        }
        self.entries = entries; self.names = names; metadata = meta
    }

    static func width(_ dtype: String) -> Int? {
        ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "U8": 1, "I8": 1, "BOOL": 1][dtype]
    }

    /// The tensor as float32: a view of the mapping for aligned F32, a converted copy otherwise.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw ToolError("\(path): no tensor named '\(name)'") }
        let raw = file.bytes.baseAddress! + dataStart + e.range.lowerBound
        let n = e.shape.reduce(1, *)
        switch e.dtype {
        case "F32":
            if Int(bitPattern: raw) % 4 == 0 {
                let p = UnsafeMutablePointer(mutating: raw.assumingMemoryBound(to: Float.self))
                return Tensor(shape: e.shape, borrowing: p, owner: file)
            }
            let t = Tensor(zeros: e.shape)
            memcpy(t.data, raw, n * 4)
            return t
        case "F16":
            let t = Tensor(zeros: e.shape)
            for i in 0..<n { t.data[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            return t
        case "BF16":
            let t = Tensor(zeros: e.shape)
            for i in 0..<n {
                let bits = UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
                t.data[i] = Float(bitPattern: bits)
            }
            return t
        case "F64":
            let t = Tensor(zeros: e.shape)
            for i in 0..<n { t.data[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
            return t
        default:
            throw ToolError("\(path): tensor '\(name)' has dtype \(e.dtype); only F32, F16, BF16 and F64 are read as floats")
        }
    }

    /// Raw bytes of a tensor, e.g. for a checksum of the weights.
    public func rawBytes(_ name: String) -> UnsafeRawBufferPointer? {
        guard let e = entries[name] else { return nil }
        return UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + e.range.lowerBound)..<(dataStart + e.range.upperBound)])
    }
}

public enum SafetensorsWriter {
    /// Writes float32 tensors (in the given order) and string metadata, atomically.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String]) -> Data {
        var members: [JSON.Member] = []
        if !metadata.isEmpty {
            members.append(.init("__metadata__", .object(metadata.keys.sorted().map { .init($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        for (name, t) in tensors {
            let size = t.count * 4
            members.append(.init(name, .object([
                .init("dtype", .string("F32")),
                .init("shape", .array(t.shape.map { .number($0) })),
                .init("data_offsets", .array([.number(offset), .number(offset + size)])),
            ])))
            offset += size
        }
        var header = Array(JSON.object(members).text.utf8)
        while (header.count + 8) % 8 != 0 { header.append(0x20) }   // keeps the data 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, t) in tensors { data.append(UnsafeBufferPointer(start: t.data, count: t.count)) }
        return data
    }
}
