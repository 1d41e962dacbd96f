import Dispatch

/// Splits `0..<n` into `parts` contiguous chunks run concurrently; the elementwise kernels
/// use it so both cores work between matrix products.
public enum Parallel {
    /// Worker count for Swift-side kernels (OpenBLAS has its own, see `BLAS.setThreads`).
    public static var workers = 2

    public static func chunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        split(n, minChunk: minChunk) { _, range in body(range) }
    }

    /// As `chunks`, also telling each chunk which worker (0..<workers) runs it, so it can
    /// use that worker's scratch memory.
    public static func split(_ n: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(workers, n / max(minChunk, 1)))
        if parts == 1 { body(0, 0..<n); return }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            body(p, (n * p / parts)..<(n * (p + 1) / parts))
        }
    }
}
