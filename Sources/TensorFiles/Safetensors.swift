import Foundation
import Plumbing
import Tensors

/// A safetensors file: 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data. F32 tensors are used in place from the
/// mapping; F16 and BF16 are widened to F32 on load.
public final class SafetensorsFile {
    public struct Entry {
        public let dtype: String
        public let shape: [Int]
        public let range: Range<Int>  // within the data section
    }

    public let path: String
    public let entries: [String: Entry]
    public let names: [String]  // in header order
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int
    public var fileSize: Int { file.bytes.count }

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        let b = file.bytes
        func fail(_ reason: String) -> ToolError { .data(path, reason) }
        guard b.count >= 8 else { throw fail("not a safetensors file (shorter than its 8-byte header length)") }
        let declared = b.loadUnaligned(as: UInt64.self).littleEndian
        guard declared > 0, declared <= UInt64(b.count - 8), declared < 100_000_000 else {
            throw fail("not a safetensors file (header length \(declared) does not fit the file of \(b.count) bytes)")
        }
        let n = Int(declared)
        let header: JSON
        do {
            header = try JSON.parse(bytes: UnsafeRawBufferPointer(rebasing: b[8..<(8 + n)]))
        } catch {
            throw fail("safetensors header is not valid JSON: \(error)")
        }
        guard let members = header.members else { throw fail("safetensors header is not a JSON object") }
        dataStart = 8 + n
        let dataSize = b.count - dataStart
        var entries = [String: Entry]()
        var names = [String]()
        var meta = [String: String]()
        for m in members {
            if m.key == "__metadata__" {
                guard let pairs = m.value.members else { throw fail("__metadata__ is not an object of strings") }
                for kv in pairs {
                    meta[kv.key] = kv.value.string ?? kv.value.text
                }
                continue
            }
            guard entries[m.key] == nil else { throw fail("tensor '\(m.key)' is named twice in the header") }
            let entry = try SafetensorsFile.entry(m, dataSize: dataSize, fail: fail)
            entries[m.key] = entry
            names.append(m.key)
        }
        self.entries = entries
        self.names = names
        metadata = meta
    }

    /// One header entry, every number checked: integer shape and offsets, none negative,
    /// offsets ordered and inside the data, byte count = elements × dtype width (no overflow).
    static func entry(_ m: JSON.Member, dataSize: Int, fail: (String) -> ToolError) throws -> Entry {
        func integers(_ field: String) throws -> [Int] {
            guard let list = m.value[field]?.array else { throw fail("tensor '\(m.key)' has no \(field) list") }
            return try list.map { value in
                guard let int = value.int, int >= 0 else {
                    throw fail("tensor '\(m.key)' has \(field) \(value.text): not a non-negative integer")
                }
                return int
            }
        }
        guard let dtype = m.value["dtype"]?.string else { throw fail("tensor '\(m.key)' has no dtype") }
        guard let width = width(dtype) else { throw fail("tensor '\(m.key)' has unknown dtype \(dtype)") }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
            throw fail("tensor '\(m.key)' has data_offsets \(offsets) outside the \(dataSize) bytes of data")
        }
        guard let bytes = Checked.byteCount(shape, width: width) else {
            throw fail("tensor '\(m.key)' has shape \(shape) whose size overflows")
        }
        guard bytes == offsets[1] - offsets[0] else {
            throw fail(
                "tensor '\(m.key)' of shape \(shape) and dtype \(dtype) does not fill its \(offsets[1] - offsets[0]) "
                + "bytes"
            )
        }
        return Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }

    static func width(_ dtype: String) -> Int? {
        let widths = [
            "F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "U64": 8, "U32": 4,
            "U16": 2, "U8": 1, "I8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
        ]
        return widths[dtype]
    }

    /// The tensor as float32: a view of the mapping for aligned F32, a converted copy otherwise.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw ToolError.data(path, "no tensor named '\(name)'") }
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
            for i in 0..<n {
                t.data[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
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
            throw ToolError.data(
                path,
                "tensor '\(name)' has dtype \(e.dtype); only F32, "
                    + "F16, BF16 and F64 are read as floats")
        }
    }

    /// Raw bytes of a tensor, e.g. for a checksum of the weights.
    public func rawBytes(_ name: String) -> UnsafeRawBufferPointer? {
        guard let e = entries[name] else { return nil }
        return UnsafeRawBufferPointer(
            rebasing: file.bytes[(dataStart + e.range.lowerBound)..<(dataStart + e.range.upperBound)])
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
            members.append(
                .init("__metadata__", .object(metadata.keys.sorted().map { .init($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        for (name, t) in tensors {
            let size = t.count * 4
            members.append(
                .init(
                    name,
                    .object([
                        .init("dtype", .string("F32")),
                        .init("shape", .array(t.shape.map { .number($0) })),
                        .init("data_offsets", .array([.number(offset), .number(offset + size)])),
                    ])))
            offset += size
        }
        var header = Array(JSON.object(members).text.utf8)
        while (header.count + 8) % 8 != 0 { header.append(0x20) }  // keeps the data 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, t) in tensors { data.append(UnsafeBufferPointer(start: t.data, count: t.count)) }
        return data
    }
}
