/// Splits `0..<n` into `parts` contiguous chunks run concurrently; the elementwise kernels
/// use it so both cores work between matrix products.
public enum Parallel {
    /// Worker count for Swift-side kernels (the matrix backend has its own, see `BLAS.setThreads`).
    public static var workers = 2

    /// With `serialProducts`, the matrix products that `body` issues run on its own thread
    /// (many small products, two at a time, instead of each small product on every thread).
    public static func chunks(
        _ n: Int, minChunk: Int = 1, serialProducts: Bool = false,
        _ body: (Range<Int>) -> Void
    ) {
        split(n, minChunk: minChunk, serialProducts: serialProducts) { _, range in body(range) }
    }

    /// As `chunks`, also telling each chunk which worker (0..<workers) runs it, so it can
    /// use that worker's scratch memory.
    public static func split(
        _ n: Int, minChunk: Int = 1, serialProducts: Bool = false,
        _ body: (Int, Range<Int>) -> Void
    ) {
        let parts = max(1, min(workers, n / max(minChunk, 1)))
        guard serialProducts else {
            run(parts, n, body)
            return
        }
        let backend = BLAS.backend
        backend.aroundSerialSection {
            run(parts, n) { worker, range in
                backend.onSerialWorker { body(worker, range) }
            }
        }
    }

    private static func run(_ parts: Int, _ n: Int, _ body: (Int, Range<Int>) -> Void) {
        if parts == 1 {
            body(0, 0..<n)
            return
        }
        BLAS.backend.concurrentPerform(parts) { part in
            body(part, (n * part / parts)..<(n * (part + 1) / parts))
        }
    }
}
