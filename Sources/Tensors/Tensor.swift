/// A dense row-major float32 tensor.
///
/// The storage is either owned (allocated here, freed on deinit) or borrowed from another
/// object that keeps it alive — typically a memory-mapped checkpoint, so weights are used
/// where they lie in the file without a copy.
public final class Tensor {
    public let shape: [Int]
    public let data: UnsafeMutablePointer<Float>
    private let owner: AnyObject?

    public var count: Int { shape.reduce(1, *) }
    public var rows: Int { shape.count >= 2 ? shape.dropLast().reduce(1, *) : 1 }
    public var cols: Int { shape.last ?? 1 }

    /// A zero-filled tensor of its own.
    public init(zeros shape: [Int]) {
        self.shape = shape
        let n = shape.reduce(1, *)
        data = allocateAligned(floats: max(n, 1))
        data.initialize(repeating: 0, count: max(n, 1))
        owner = nil
    }

    /// A tensor of its own holding a copy of `values`.
    public convenience init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A view of memory that `owner` keeps alive.
    public init(shape: [Int], borrowing pointer: UnsafeMutablePointer<Float>, owner: AnyObject) {
        self.shape = shape
        data = pointer
        self.owner = owner
    }

    deinit { if owner == nil { UnsafeMutableRawPointer(data).deallocate() } }

    public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Row `i` of a tensor seen as a matrix `[rows, cols]`.
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * cols }
}

/// Scratch memory for activations, allocated once and handed out in slices, so a forward
/// pass allocates nothing. `reset()` makes all of it available again.
public final class Arena {
    private var base: UnsafeMutablePointer<Float>
    private var capacity: Int
    private var used = 0

    public init(capacity: Int = 0) {
        self.capacity = capacity
        base = allocateAligned(floats: max(capacity, 1))
    }
    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// Grows (dropping what was handed out) when a pass needs more than the arena holds.
    public func reserve(_ n: Int) {
        guard n > capacity else { return }
        UnsafeMutableRawPointer(base).deallocate()
        capacity = n
        base = allocateAligned(floats: n)
        used = 0
    }

    public func reset() { used = 0 }

    /// The first 16-float (64-byte) boundary at or after `floats`: where the next slice starts,
    /// in an arena and in a layout planned for one (ArenaPlan).
    public static func aligned(_ floats: Int) -> Int { (floats + 15) & ~15 }

    /// `n` floats, 64-byte aligned, uninitialised.
    public func take(_ n: Int) -> UnsafeMutablePointer<Float> {
        let start = Arena.aligned(used)
        precondition(start + n <= capacity, "arena of \(capacity) floats cannot hand out \(n) more after \(used)")
        used = start + n
        return base + start
    }
}

/// `floats` uninitialised floats starting on a 64-byte boundary (a cache line, one AVX-512
/// vector); freed with `UnsafeMutableRawPointer(pointer).deallocate()`.
func allocateAligned(floats: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: floats)
}
