import Foundation
import Tensors

/// NumPy `.npy` (format versions 1–3): little-endian float32, float64 or float16, C or
/// Fortran order.
public enum NumpyFile {
    public static func read(_ path: String) throws -> Tensor {
        let d = try Data(contentsOf: URL(fileURLWithPath: path))
        let b = [UInt8](d)
        func fail(_ s: String) -> ToolError { ToolError("\(path): \(s)", exitCode: 65) }
        guard b.count >= 10, b.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else { throw fail("not a .npy file (no \\x93NUMPY magic)") }
        let major = b[6]
        let (len, start): (Int, Int)
        switch major {
        case 1: (len, start) = (Int(b[8]) | Int(b[9]) << 8, 10)
        case 2, 3:
            guard b.count >= 12 else { throw fail("truncated header") }
            (len, start) = (Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24, 12)
        default: throw fail("npy format version \(major) is not supported (1–3 are)")
        }
        guard start + len <= b.count, let header = String(bytes: b[start..<(start + len)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("truncated header")
        }
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let q1 = descrField.firstIndex(of: "'"),
              let q2 = descrField[descrField.index(after: q1)...].firstIndex(of: "'") else { throw fail("no descr in header") }
        let descr = String(descrField[descrField.index(after: q1)..<q2])
        let fortran = field("fortran_order")?.hasPrefix("True") ?? false
        guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("), let close = shapeField.firstIndex(of: ")") else {
            throw fail("no shape in header")
        }
        let shape = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
        let widths = ["<f4": 4, "<f8": 8, "<f2": 2, "|f4": 4]
        guard let w = widths[descr] else { throw fail("dtype '\(descr)' is not read (little-endian float32, float64, float16 are)") }
        let n = shape.reduce(1, *), dataStart = start + len
        guard b.count - dataStart >= n * w else { throw fail("truncated data: \(b.count - dataStart) bytes for \(n) values of \(w)") }
        let t = Tensor(zeros: shape.isEmpty ? [1] : shape)
        b.withUnsafeBytes { p in
            for k in 0..<n {
                // Fortran order: element k of the file is the transpose's; map it back to row-major.
                var dst = k
                if fortran, shape.count == 2 { dst = (k % shape[0]) * shape[1] + k / shape[0] }
                let o = dataStart + k * w
                switch w {
                case 4: t.data[dst] = p.loadUnaligned(fromByteOffset: o, as: Float.self)
                case 8: t.data[dst] = Float(p.loadUnaligned(fromByteOffset: o, as: Double.self))
                default: t.data[dst] = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                }
            }
        }
        return t
    }
}
