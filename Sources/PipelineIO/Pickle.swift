import Foundation
import Tensors

/// A PyTorch `torch.save` file (a zip holding `…/data.pkl` and raw storages `…/data/N`),
/// read without executing anything: the pickle is interpreted by a small machine that knows
/// only the opcodes a saved tensor uses and only these globals —
/// `torch._utils._rebuild_tensor_v2`, the float storage types, and `collections.OrderedDict`
/// (which torch.save calls with no arguments for the tensor's empty backward-hooks dict).
/// Any other global, or any other opcode, is refused with its name.
public enum TorchFile {
    /// The float tensors of the file, by key ("" for a bare tensor; dict keys otherwise).
    public static func tensors(_ path: String) throws -> [(String, Tensor)] {
        var members: [String: [UInt8]] = [:]
        do {
            try ArchiveReader.members(of: path, want: { _ in true }, read: { members[$0] = $1 })
        } catch {
            throw ToolError("\(path): not a torch.save zip archive (legacy and other formats are not read): \(error)")
        }
        guard let pkl = members.keys.first(where: { $0.hasSuffix("data.pkl") }) else {
            throw ToolError("\(path): no data.pkl in the archive (not a torch.save file)")
        }
        let prefix = String(pkl.dropLast("data.pkl".count))
        var machine = PickleMachine(bytes: members[pkl]!, file: path) { key in
            guard let b = members[prefix + "data/" + key] else { throw ToolError("\(path): storage data/\(key) is missing from the archive") }
            return b
        }
        let result = try machine.run()
        switch result {
        case .tensor(let t): return [("", t)]
        case .dict(let items):
            let ts = items.compactMap { k, v -> (String, Tensor)? in if case .tensor(let t) = v { return (k, t) }; return nil }
            guard !ts.isEmpty else { throw ToolError("\(path): the pickled dict holds no tensor") }
            return ts
        default: throw ToolError("\(path): the pickle does not hold a tensor or a dict of tensors")
        }
    }
}

indirect enum PickleValue {
    case none, bool(Bool), int(Int), string(String), tuple([PickleValue]), list([PickleValue])
    case dict([(String, PickleValue)]), global(String), mark
    case storage(key: String, dtype: String, count: Int)
    case tensor(Tensor)
}

struct PickleMachine {
    let bytes: [UInt8]
    let file: String
    let storage: (String) throws -> [UInt8]
    var i = 0
    var stack: [PickleValue] = []
    var memo: [Int: PickleValue] = [:]

    static let allowedGlobals: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage",
        "torch.BFloat16Storage", "collections.OrderedDict",
    ]

    init(bytes: [UInt8], file: String, storage: @escaping (String) throws -> [UInt8]) {
        self.bytes = bytes; self.file = file; self.storage = storage
    }

    func fail(_ s: String) -> ToolError { ToolError("\(file): pickle refused at byte \(i): \(s)", exitCode: 65) }

    mutating func u8() throws -> UInt8 { guard i < bytes.count else { throw fail("truncated") }; i += 1; return bytes[i - 1] }
    mutating func le(_ n: Int) throws -> Int {
        guard i + n <= bytes.count else { throw fail("truncated") }
        var v = 0
        for k in 0..<n { v |= Int(bytes[i + k]) << (8 * k) }
        i += n
        return v
    }
    mutating func text(_ n: Int) throws -> String {
        guard n >= 0, i + n <= bytes.count, let s = String(validating: bytes[i..<(i + n)], as: UTF8.self) else { throw fail("bad string") }
        i += n
        return s
    }
    mutating func line() throws -> String {
        guard let nl = bytes[i...].firstIndex(of: 0x0a) else { throw fail("unterminated line") }
        let s = try text(nl - i)
        i += 1
        return s
    }
    mutating func pop() throws -> PickleValue { guard let v = stack.popLast() else { throw fail("stack underflow") }; return v }
    mutating func popMark() throws -> [PickleValue] {
        guard let m = stack.lastIndex(where: { if case .mark = $0 { return true }; return false }) else { throw fail("no mark") }
        let items = Array(stack[(m + 1)...])
        stack.removeSubrange(m...)
        return items
    }
    mutating func global(_ name: String) throws -> PickleValue {
        guard PickleMachine.allowedGlobals.contains(name) else {
            throw fail("global '\(name)' is not one a saved tensor needs; this reader never executes pickled code")
        }
        return .global(name)
    }

    mutating func run() throws -> PickleValue {
        while true {
            let op = try u8()
            switch op {
            case 0x80: _ = try u8()                                        // PROTO
            case 0x95: _ = try le(8)                                       // FRAME
            case 0x63:                                                     // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                stack.append(try global(module + "." + name))
            case 0x93:                                                     // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else { throw fail("STACK_GLOBAL needs strings") }
                stack.append(try global(module + "." + name))
            case 0x71: memo[try le(1)] = stack.last                        // BINPUT
            case 0x72: memo[try le(4)] = stack.last                        // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last                       // MEMOIZE
            case 0x68, 0x6a:                                               // BINGET, LONG_BINGET
                let k = try le(op == 0x68 ? 1 : 4)
                guard let v = memo[k] else { throw fail("memo \(k) is empty") }
                stack.append(v)
            case 0x28: stack.append(.mark)                                 // MARK
            case 0x29: stack.append(.tuple([]))                            // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))                 // TUPLE
            case 0x85, 0x86, 0x87:                                         // TUPLE1..3
                let n = Int(op - 0x84)
                guard stack.count >= n else { throw fail("stack underflow") }
                let items = Array(stack.suffix(n)); stack.removeLast(n)
                stack.append(.tuple(items))
            case 0x58: stack.append(.string(try text(try le(4))))          // BINUNICODE
            case 0x8c: stack.append(.string(try text(try le(1))))          // SHORT_BINUNICODE
            case 0x4a: stack.append(.int(Int(Int32(truncatingIfNeeded: try le(4)))))   // BININT
            case 0x4b: stack.append(.int(try le(1)))                       // BININT1
            case 0x4d: stack.append(.int(try le(2)))                       // BININT2
            case 0x8a:                                                     // LONG1
                let n = try le(1)
                guard n <= 8 else { throw fail("integer too large") }
                var v = try le(n)
                if n > 0, n < 8, v & (1 << (8 * n - 1)) != 0 { v -= 1 << (8 * n) }
                stack.append(.int(v))
            case 0x88: stack.append(.bool(true))                           // NEWTRUE
            case 0x89: stack.append(.bool(false))                          // NEWFALSE
            case 0x4e: stack.append(.none)                                 // NONE
            case 0x7d: stack.append(.dict([]))                             // EMPTY_DICT
            case 0x5d: stack.append(.list([]))                             // EMPTY_LIST
            case 0x73, 0x75:                                               // SETITEM, SETITEMS
                let items = op == 0x73 ? [try pop(), try pop()].reversed() : try popMark()
                guard case .dict(var d) = try pop() else { throw fail("SETITEMS on a non-dict") }
                var k = 0
                while k + 1 < items.count {
                    guard case .string(let key) = items[k] else { throw fail("dict keys must be strings") }
                    d.append((key, items[k + 1])); k += 2
                }
                stack.append(.dict(d))
            case 0x51:                                                     // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x52:                                                     // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args))
            case 0x2e: return try pop()                                    // STOP
            default:
                throw fail(String(format: "opcode 0x%02x is not one a saved tensor needs", op))
            }
        }
    }

    /// ('storage', StorageType, key, location, count) → a reference to raw data/key.
    func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = pid, t.count == 5, case .string("storage") = t[0], case .global(let type) = t[1],
              case .string(let key) = t[2], case .int(let count) = t[4] else { throw fail("unexpected persistent id") }
        let dtype = ["torch.FloatStorage": "f32", "torch.DoubleStorage": "f64", "torch.HalfStorage": "f16", "torch.BFloat16Storage": "bf16"][type]
        guard let dtype else { throw fail("storage type \(type) is not a float storage") }
        return .storage(key: key, dtype: dtype, count: count)
    }

    func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let name) = callable, case .tuple(let a) = args else { throw fail("REDUCE needs a global and a tuple") }
        switch name {
        case "collections.OrderedDict":
            guard a.isEmpty else { throw fail("OrderedDict with arguments") }
            return .dict([])
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let key, let dtype, let count) = a[0], case .int(let offset) = a[1],
                  case .tuple(let sizeV) = a[2], case .tuple(let strideV) = a[3] else { throw fail("unexpected _rebuild_tensor_v2 arguments") }
            let size = try sizeV.map { v -> Int in guard case .int(let x) = v else { throw fail("bad size") }; return x }
            let stride = try strideV.map { v -> Int in guard case .int(let x) = v else { throw fail("bad stride") }; return x }
            return .tensor(try tensor(key: key, dtype: dtype, count: count, offset: offset, size: size, stride: stride))
        default:
            throw fail("call of '\(name)' refused")
        }
    }

    func tensor(key: String, dtype: String, count: Int, offset: Int, size: [Int], stride: [Int]) throws -> Tensor {
        let raw = try storage(key)
        let width = ["f32": 4, "f64": 8, "f16": 2, "bf16": 2][dtype]!
        guard raw.count >= count * width else { throw ToolError("\(file): storage data/\(key) is truncated (\(raw.count) bytes for \(count) values)", exitCode: 65) }
        guard size.count == stride.count else { throw fail("size and stride differ in rank") }
        let n = size.reduce(1, *)
        let t = Tensor(zeros: size.isEmpty ? [1] : size)
        var maxIndex = offset
        for (s, st) in zip(size, stride) where s > 0 { maxIndex += (s - 1) * st }
        guard n == 0 || maxIndex < count else { throw ToolError("\(file): tensor view reaches past its storage", exitCode: 65) }
        raw.withUnsafeBytes { p in
            for flat in 0..<n {
                var rem = flat, idx = offset
                for d in stride.indices.reversed() { idx += (rem % size[d]) * stride[d]; rem /= size[d] }
                let v: Float
                switch dtype {
                case "f32": v = p.loadUnaligned(fromByteOffset: 4 * idx, as: Float.self)
                case "f64": v = Float(p.loadUnaligned(fromByteOffset: 8 * idx, as: Double.self))
                case "f16": v = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: 2 * idx, as: UInt16.self)))
                default: v = Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: 2 * idx, as: UInt16.self)) << 16)
                }
                t.data[flat] = v
            }
        }
        return t
    }
}
