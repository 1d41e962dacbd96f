import Foundation
import Plumbing
import Tensors

/// A PyTorch `torch.save` file (a zip holding `…/data.pkl` and raw storages `…/data/N`),
/// read without executing anything: the pickle is interpreted by a small machine that knows
/// only the opcodes a saved tensor uses and only these globals —
/// `torch._utils._rebuild_tensor_v2`, the float storage types, and `collections.OrderedDict`
/// (which torch.save calls with no arguments for the tensor's empty backward-hooks dict).
/// Any other global, or any other opcode, is refused with its name.
public enum TorchFile {
    /// The largest pickle read (a saved tensor's is a few hundred bytes).
    static let pickleLimit = 1 << 20

    /// The float tensors of the file, by key ("" for a bare tensor; dict keys otherwise).
    /// The pickle is read first; each storage it names is then inflated only if the archive
    /// declares exactly the bytes the pickle asks for, and never past them.
    public static func tensors(_ path: String) throws -> [(String, Tensor)] {
        let listing: [(name: String, size: Int?)]
        do {
            listing = try ArchiveReader.listing(of: path)
        } catch {
            throw ToolError.data(path, "not a torch.save zip archive (legacy and other formats are not read): \(error)")
        }
        guard let pkl = listing.first(where: { $0.name.hasSuffix("data.pkl") }) else {
            throw ToolError.data(path, "no data.pkl in the archive (not a torch.save file)")
        }
        var pickle: [UInt8] = []
        try ArchiveReader.members(of: path, want: { $0 == pkl.name }, limit: { _ in pickleLimit }) { _, bytes in
            pickle = bytes
        }
        var machine = PickleMachine(bytes: pickle, file: path)
        let result = try machine.run()
        let prefix = String(pkl.name.dropLast("data.pkl".count))
        var needed: [String: Int] = [:]  // member → bytes
        for view in result.views {
            let member = prefix + "data/" + view.key
            guard let entry = listing.first(where: { $0.name == member }) else {
                throw ToolError.data(path, "storage data/\(view.key) is missing from the archive")
            }
            if let size = entry.size, size != view.storageBytes {
                throw ToolError.data(
                    path, "storage data/\(view.key) declares \(size) bytes; the pickle needs \(view.storageBytes)")
            }
            if let other = needed[member], other != view.storageBytes {
                throw ToolError.data(
                    path, "storage data/\(view.key) is given two sizes (\(other) and \(view.storageBytes) bytes)")
            }
            needed[member] = view.storageBytes
        }
        var storages: [String: [UInt8]] = [:]
        try ArchiveReader.members(of: path, want: { needed[$0] != nil }, limit: { needed[$0]! }) { name, bytes in
            guard bytes.count == needed[name]! else {
                throw ToolError.data(path, "storage \(name) is truncated (\(bytes.count) of \(needed[name]!) bytes)")
            }
            storages[name] = bytes
        }
        func materialize(_ view: TensorView) -> Tensor {
            view.tensor(from: storages[prefix + "data/" + view.key]!)
        }
        switch result {
        case .tensor(let view):
            return [("", materialize(view))]
        case .dict(let items, _):
            let tensors = items.compactMap { key, value -> (String, Tensor)? in
                guard case .tensor(let view) = value else { return nil }
                return (key, materialize(view))
            }
            guard !tensors.isEmpty else { throw ToolError.data(path, "the pickled dict holds no tensor") }
            return tensors
        default:
            throw ToolError.data(path, "the pickle does not hold a tensor or a dict of tensors")
        }
    }
}

extension TorchFile {
    /// The pickle machine on bytes from anywhere (the fuzzer's entry): the number of tensor
    /// views it describes, each checked, or the error that refuses it.
    public static func pickleTensorCount(_ bytes: [UInt8], file: String) throws -> Int {
        var machine = PickleMachine(bytes: bytes, file: file)
        return try machine.run().views.count
    }
}

/// A tensor as the pickle describes it: a strided view of a storage, every index checked
/// (sizes and strides non-negative, the furthest element inside the storage, no overflow)
/// before any byte is read.
struct TensorView {
    let key: String
    let dtype: String
    let width: Int
    let count: Int
    let offset: Int
    let size: [Int]
    let stride: [Int]

    var storageBytes: Int { count * width }

    init(
        key: String, dtype: String, count: Int, offset: Int, size: [Int], stride: [Int],
        fail: (String) -> ToolError
    ) throws {
        let widths = ["f32": 4, "f64": 8, "f16": 2, "bf16": 2]
        guard let width = widths[dtype] else { throw fail("storage dtype \(dtype) is not a float") }
        guard size.count == stride.count else { throw fail("size and stride differ in rank") }
        guard count >= 0, offset >= 0, !size.contains(where: { $0 < 0 }), !stride.contains(where: { $0 < 0 }) else {
            throw fail("negative storage size, offset, size or stride")
        }
        guard Checked.byteCount([count], width: width) != nil, let elements = Checked.elementCount(size) else {
            throw fail("tensor size \(size) or storage of \(count) values overflows")
        }
        var furthest = offset
        if elements > 0 {
            for (extent, step) in zip(size, stride) {
                let (reach, overflow) = (extent - 1).multipliedReportingOverflow(by: step)
                let (sum, overflow2) = furthest.addingReportingOverflow(reach)
                guard !overflow, !overflow2 else {
                    throw fail("tensor view of size \(size) and stride \(stride) overflows")
                }
                furthest = sum
            }
            guard furthest < count else {
                throw fail(
                    "tensor view (offset \(offset), size \(size), stride \(stride)) reaches past its storage of "
                    + "\(count)"
                )
            }
        }
        self.key = key
        self.dtype = dtype
        self.width = width
        self.count = count
        self.offset = offset
        self.size = size
        self.stride = stride
    }

    /// The view gathered into a row-major tensor; `raw` holds exactly `storageBytes`.
    func tensor(from raw: [UInt8]) -> Tensor {
        let n = size.reduce(1, *)
        let tensor = Tensor(zeros: size.isEmpty ? [1] : size)
        raw.withUnsafeBytes { p in
            for flat in 0..<n {
                var rest = flat
                var index = offset
                for d in stride.indices.reversed() {
                    index += (rest % size[d]) * stride[d]
                    rest /= size[d]
                }
                let value: Float
                switch dtype {
                case "f32":
                    value = p.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
                case "f64":
                    value = Float(p.loadUnaligned(fromByteOffset: 8 * index, as: Double.self))
                case "f16":
                    value = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
                default:
                    value = Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)) << 16)
                }
                tensor.data[flat] = value
            }
        }
        return tensor
    }
}

indirect enum PickleValue {
    case none, bool(Bool), int(Int), string(String), list
    case tuple([PickleValue], depth: Int)
    case dict([(String, PickleValue)], depth: Int)
    case global(String), mark
    case storage(key: String, dtype: String, count: Int)
    case tensor(TensorView)

    /// How deeply containers nest in this value (kept with each container, so no check walks a tree).
    var depth: Int {
        switch self {
        case .tuple(_, let depth), .dict(_, let depth): return depth
        case .list: return 1
        default: return 0
        }
    }

    static func makeTuple(_ items: [PickleValue]) -> PickleValue {
        .tuple(items, depth: 1 + (items.map(\.depth).max() ?? 0))
    }

    static func makeDict(_ pairs: [(String, PickleValue)]) -> PickleValue {
        .dict(pairs, depth: 1 + (pairs.map(\.1.depth).max() ?? 0))
    }

    /// The tensor views in this value (a tensor, or a dict's tensors).
    var views: [TensorView] {
        switch self {
        case .tensor(let view): return [view]
        case .dict(let items, _): return items.flatMap { $0.1.views }
        default: return []
        }
    }
}

struct PickleMachine {
    let bytes: [UInt8]
    let file: String
    var i = 0
    var stack: [PickleValue] = []
    var memo: [Int: PickleValue] = [:]

    static let allowedGlobals: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage",
        "torch.BFloat16Storage", "collections.OrderedDict",
    ]

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    func fail(_ s: String) -> ToolError { ToolError("\(file): pickle refused at byte \(i): \(s)", exitCode: 65) }

    /// A saved tensor's pickle needs a few dozen stack entries, memo slots and levels of nesting.
    static let stackLimit = 100_000
    static let nestingLimit = 8
    static let containerLimit = 10_000

    mutating func push(_ value: PickleValue) throws {
        guard stack.count < PickleMachine.stackLimit else { throw fail("stack grows past \(PickleMachine.stackLimit)") }
        guard value.depth <= PickleMachine.nestingLimit else {
            throw fail("containers nested deeper than \(PickleMachine.nestingLimit)")
        }
        stack.append(value)
    }

    mutating func remember(_ key: Int) throws {
        guard memo.count < PickleMachine.stackLimit || memo[key] != nil else { throw fail("memo grows past its limit") }
        memo[key] = stack.last
    }

    mutating func u8() throws -> UInt8 {
        guard i < bytes.count else { throw fail("truncated") }
        i += 1
        return bytes[i - 1]
    }
    mutating func le(_ n: Int) throws -> Int {
        guard i + n <= bytes.count else { throw fail("truncated") }
        var v = 0
        for k in 0..<n { v |= Int(bytes[i + k]) << (8 * k) }
        i += n
        return v
    }
    mutating func text(_ n: Int) throws -> String {
        guard n >= 0, i + n <= bytes.count, let s = String(validating: bytes[i..<(i + n)], as: UTF8.self) else {
            throw fail("bad string")
        }
        i += n
        return s
    }
    mutating func line() throws -> String {
        guard let nl = bytes[i...].firstIndex(of: 0x0a) else { throw fail("unterminated line") }
        let s = try text(nl - i)
        i += 1
        return s
    }
    mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail("stack underflow") }
        return v
    }
    mutating func popMark() throws -> [PickleValue] {
        guard
            let m = stack.lastIndex(where: {
                if case .mark = $0 { return true }
                return false
            })
        else { throw fail("no mark") }
        let items = Array(stack[(m + 1)...])
        guard items.count <= PickleMachine.containerLimit else {
            throw fail("more than \(PickleMachine.containerLimit) items")
        }
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
            case 0x80: _ = try u8()  // PROTO
            case 0x95: _ = try le(8)  // FRAME
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line()
                let name = try line()
                try push(try global(module + "." + name))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL needs strings")
                }
                try push(try global(module + "." + name))
            case 0x71: try remember(try le(1))  // BINPUT
            case 0x72: try remember(try le(4))  // LONG_BINPUT
            case 0x94: try remember(memo.count)  // MEMOIZE
            case 0x68, 0x6a:  // BINGET, LONG_BINGET
                let k = try le(op == 0x68 ? 1 : 4)
                guard let v = memo[k] else { throw fail("memo \(k) is empty") }
                try push(v)
            case 0x28: try push(.mark)  // MARK
            case 0x29: try push(.makeTuple([]))  // EMPTY_TUPLE
            case 0x74: try push(.makeTuple(try popMark()))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1..3
                let n = Int(op - 0x84)
                guard stack.count >= n else { throw fail("stack underflow") }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                try push(.makeTuple(items))
            case 0x58: try push(.string(try text(try le(4))))  // BINUNICODE
            case 0x8c: try push(.string(try text(try le(1))))  // SHORT_BINUNICODE
            case 0x4a: try push(.int(Int(Int32(truncatingIfNeeded: try le(4)))))  // BININT
            case 0x4b: try push(.int(try le(1)))  // BININT1
            case 0x4d: try push(.int(try le(2)))  // BININT2
            case 0x8a:  // LONG1
                let n = try le(1)
                guard n <= 8 else { throw fail("integer too large") }
                var v = try le(n)
                if n > 0, n < 8, v & (1 << (8 * n - 1)) != 0 { v -= 1 << (8 * n) }
                try push(.int(v))
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4e: try push(.none)  // NONE
            case 0x7d: try push(.makeDict([]))  // EMPTY_DICT
            case 0x5d: try push(.list)  // EMPTY_LIST
            case 0x73, 0x75:  // SETITEM, SETITEMS
                let items = op == 0x73 ? [try pop(), try pop()].reversed() : try popMark()
                guard case .dict(var d, _) = try pop() else { throw fail("SETITEMS on a non-dict") }
                guard d.count + items.count / 2 <= PickleMachine.containerLimit else {
                    throw fail("dict grows past its limit")
                }
                var k = 0
                while k + 1 < items.count {
                    guard case .string(let key) = items[k] else { throw fail("dict keys must be strings") }
                    d.append((key, items[k + 1]))
                    k += 2
                }
                try push(.makeDict(d))
            case 0x51:  // BINPERSID
                try push(try persistent(try pop()))
            case 0x52:  // REDUCE
                let args = try pop()
                let callable = try pop()
                try push(try reduce(callable, args))
            case 0x2e: return try pop()  // STOP
            default:
                throw fail(String(format: "opcode 0x%02x is not one a saved tensor needs", op))
            }
        }
    }

    /// ('storage', StorageType, key, location, count) → a reference to raw data/key.
    func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t, _) = pid, t.count == 5, case .string("storage") = t[0], case .global(let type) = t[1],
            case .string(let key) = t[2], case .int(let count) = t[4]
        else { throw fail("unexpected persistent id") }
        let dtype = [
            "torch.FloatStorage": "f32", "torch.DoubleStorage": "f64", "torch.HalfStorage": "f16",
            "torch.BFloat16Storage": "bf16",
        ][type]
        guard let dtype else { throw fail("storage type \(type) is not a float storage") }
        return .storage(key: key, dtype: dtype, count: count)
    }

    func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let name) = callable, case .tuple(let a, _) = args else {
            throw fail("REDUCE needs a global and a tuple")
        }
        switch name {
        case "collections.OrderedDict":
            guard a.isEmpty else { throw fail("OrderedDict with arguments") }
            return .makeDict([])
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let key, let dtype, let count) = a[0], case .int(let offset) = a[1],
                case .tuple(let sizeV, _) = a[2], case .tuple(let strideV, _) = a[3]
            else {
                throw fail(
                    "unexpected "
                        + "_rebuild_tensor_v2 arguments")
            }
            let size = try sizeV.map { v -> Int in
                guard case .int(let x) = v else { throw fail("bad size") }
                return x
            }
            let stride = try strideV.map { v -> Int in
                guard case .int(let x) = v else { throw fail("bad stride") }
                return x
            }
            return .tensor(
                try TensorView(
                    key: key, dtype: dtype, count: count, offset: offset, size: size, stride: stride,
                    fail: fail))
        default:
            throw fail("call of '\(name)' refused")
        }
    }
}
