/// Matrix products as the models call them. Weights stay in their checkpoint layout `[out, in]`,
/// so a linear layer is `inp · Wᵀ` — the transposed-B product — and nothing is copied at load.
/// The products run on `BLAS.backend` (MatrixBackend.swift).
public enum BLAS {
    /// Sets how many threads one product may use (0 keeps the backend's default).
    public static func setThreads(_ n: Int) {
        backend.setThreads(n)
    }

    public static var threads: Int { backend.threads }

    /// out (M,N) = alpha · a (M,K) · b(N,K)ᵀ + beta · out, with leading dimensions.
    @inline(__always)
    public static func gemmNT(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ out: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        backend.sgemm(
            transA: false, transB: true, m, n, k, alpha: alpha, a, lda: lda, b, ldb: ldb,
            beta: beta, out, ldc: ldc)
    }

    /// out (M,N) = alpha · a (M,K) · b (K,N) + beta · out.
    @inline(__always)
    public static func gemmNN(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ out: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        backend.sgemm(
            transA: false, transB: false, m, n, k, alpha: alpha, a, lda: lda, b, ldb: ldb,
            beta: beta, out, ldc: ldc)
    }

    /// out (M,N) = alpha · a(K,M)ᵀ · b (K,N) + beta · out.
    @inline(__always)
    public static func gemmTN(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ out: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        backend.sgemm(
            transA: true, transB: false, m, n, k, alpha: alpha, a, lda: lda, b, ldb: ldb,
            beta: beta, out, ldc: ldc)
    }
}
