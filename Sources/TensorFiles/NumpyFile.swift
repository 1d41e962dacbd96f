import Foundation
import Plumbing
import Tensors

/// NumPy `.npy` (format versions 1–3): little-endian float32, float64 or float16, C or
/// Fortran order. The header must be the Python dict literal NumPy writes — exactly the keys
/// descr, fortran_order and shape — and the payload exactly the bytes the shape declares.
public enum NumpyFile {
    public static func read(_ path: String) throws -> Tensor {
        let bytes = try readWholeFile(path)
        func fail(_ reason: String) -> ToolError { .data(path, reason) }
        guard bytes.count >= 10, bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else {
            throw fail("not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("npy format version \(major) is not supported (1–3 are)")
        }
        guard headerLength <= bytes.count - headerStart else { throw fail("truncated header") }
        let header = Array(bytes[headerStart..<(headerStart + headerLength)])
        let fields: NumpyHeader
        do {
            fields = try NumpyHeader(header)
        } catch let reason as NumpyHeader.Malformed {
            throw fail("header is not the dict NumPy writes: \(reason.text)")
        }
        let widths = ["<f4": 4, "<f8": 8, "<f2": 2]
        guard let width = widths[fields.descr] else {
            throw fail("dtype '\(fields.descr)' is not read (little-endian float32, float64, float16 are)")
        }
        let shape = fields.shape
        guard let count = Checked.elementCount(shape), let payload = Checked.byteCount(shape, width: width) else {
            throw fail("shape \(shape) has a negative dimension or a size that overflows")
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == payload else {
            throw fail(
                "data is \(bytes.count - dataStart) bytes; shape \(shape) of \(width)-byte values needs \(payload)")
        }
        let tensor = Tensor(zeros: shape.isEmpty ? [1] : shape)
        // Fortran order: the file holds the transpose's row-major order. Element k of the
        // file has column-major coordinates; its row-major index uses these strides.
        var rowMajorStrides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) {
            rowMajorStrides[d] = rowMajorStrides[d + 1] * shape[d + 1]
        }
        bytes.withUnsafeBytes { raw in
            for k in 0..<count {
                var destination = k
                if fields.fortranOrder {
                    destination = 0
                    var rest = k
                    for d in shape.indices {
                        destination += (rest % shape[d]) * rowMajorStrides[d]
                        rest /= shape[d]
                    }
                }
                let offset = dataStart + k * width
                switch width {
                case 4:
                    tensor.data[destination] = raw.loadUnaligned(fromByteOffset: offset, as: Float.self)
                case 8:
                    tensor.data[destination] = Float(raw.loadUnaligned(fromByteOffset: offset, as: Double.self))
                default:
                    let bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
                    tensor.data[destination] = Float(Float16(bitPattern: bits))
                }
            }
        }
        return tensor
    }
}

/// The header dict of a .npy file, parsed by its grammar:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` then spaces and a newline.
struct NumpyHeader {
    struct Malformed: Error {
        let text: String
    }

    var descr = ""
    var fortranOrder = false
    var shape: [Int] = []

    private var bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        var seen: Set<String> = []
        skipSpaces()
        try expect("{")
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: "}") {
                break
            }
            let key = try quoted()
            guard seen.insert(key).inserted else { throw Malformed(text: "key '\(key)' given twice") }
            skipSpaces()
            try expect(":")
            skipSpaces()
            switch key {
            case "descr":
                descr = try quoted()
            case "fortran_order":
                fortranOrder = try boolean()
            case "shape":
                shape = try tuple()
            default:
                throw Malformed(text: "unexpected key '\(key)'")
            }
            skipSpaces()
            if peek() == UInt8(ascii: ",") {
                at += 1
                continue
            }
            skipSpaces()
            guard peek() == UInt8(ascii: "}") else { throw Malformed(text: "expected ',' or '}' at byte \(at)") }
        }
        at += 1
        while at < bytes.count, bytes[at] == UInt8(ascii: " ") || bytes[at] == UInt8(ascii: "\n") || bytes[at] == 0 {
            at += 1
        }
        guard at == bytes.count else { throw Malformed(text: "text after the closing brace at byte \(at)") }
        guard seen == ["descr", "fortran_order", "shape"] else {
            throw Malformed(text: "missing key(s) \(["descr", "fortran_order", "shape"].filter { !seen.contains($0) })")
        }
    }

    private func peek() -> UInt8? {
        at < bytes.count ? bytes[at] : nil
    }

    private mutating func skipSpaces() {
        while at < bytes.count, bytes[at] == UInt8(ascii: " ") {
            at += 1
        }
    }

    private mutating func expect(_ character: Character) throws {
        guard peek() == character.asciiValue else { throw Malformed(text: "expected '\(character)' at byte \(at)") }
        at += 1
    }

    private mutating func quoted() throws -> String {
        try expect("'")
        let start = at
        while at < bytes.count, bytes[at] != UInt8(ascii: "'") {
            guard bytes[at] >= 0x20, bytes[at] < 0x7f else {
                throw Malformed(text: "non-ASCII byte in a string at \(at)")
            }
            at += 1
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        try expect("'")
        return text
    }

    private mutating func boolean() throws -> Bool {
        for (word, value) in [("True", true), ("False", false)] where bytes[at...].starts(with: Array(word.utf8)) {
            at += word.utf8.count
            return value
        }
        throw Malformed(text: "expected True or False at byte \(at)")
    }

    /// `()`, `(3,)`, `(3, 4)`: non-negative decimal integers of at most 18 digits.
    private mutating func tuple() throws -> [Int] {
        try expect("(")
        var values: [Int] = []
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: ")") {
                break
            }
            let start = at
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9"), at - start < 19 {
                at += 1
            }
            guard at > start, at - start <= 18, let value = Int(String(decoding: bytes[start..<at], as: UTF8.self))
            else {
                throw Malformed(text: "shape holds something other than a non-negative integer at byte \(start)")
            }
            values.append(value)
            skipSpaces()
            if peek() == UInt8(ascii: ",") {
                at += 1
                continue
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ")") else { throw Malformed(text: "expected ',' or ')' at byte \(at)") }
        }
        at += 1
        return values
    }
}
