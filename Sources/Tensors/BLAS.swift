import COpenBLAS
import Foundation

/// Matrix products through OpenBLAS. Weights stay in their checkpoint layout `[out, in]`,
/// so a linear layer is `inp · Wᵀ` — the transposed-B product — and nothing is copied at load.
public enum BLAS {
    /// Sets how many threads OpenBLAS may use (0 keeps its default).
    public static func setThreads(_ n: Int) {
        configureSpin()
        if n > 0 { openblas_set_num_threads(Int32(n)) }
    }

    /// OpenBLAS's idle workers spin (sched_yield) for 2^28 cycles before sleeping, which
    /// takes a core from the Swift kernels that run between matrix products: measured here,
    /// the encoder is ~20 % faster with 2^4. A user's own OPENBLAS_THREAD_TIMEOUT is kept.
    private static let configureSpin: () -> Void = {
        if getenv("OPENBLAS_THREAD_TIMEOUT") == nil {
            setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
            openblas_read_env()
            _ = blas_thread_shutdown_()
            _ = blas_thread_init()
        }
        return {}
    }()
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// out (M,N) = alpha · a (M,K) · b(N,K)ᵀ + beta · out, with leading dimensions.
    @inline(__always)
    public static func gemmNT(_ m: Int, _ n: Int, _ k: Int,
                              _ a: UnsafePointer<Float>, lda: Int,
                              _ b: UnsafePointer<Float>, ldb: Int,
                              _ out: UnsafeMutablePointer<Float>, ldc: Int,
                              alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, out, Int32(ldc))
    }

    /// out (M,N) = alpha · a (M,K) · b (K,N) + beta · out.
    @inline(__always)
    public static func gemmNN(_ m: Int, _ n: Int, _ k: Int,
                              _ a: UnsafePointer<Float>, lda: Int,
                              _ b: UnsafePointer<Float>, ldb: Int,
                              _ out: UnsafeMutablePointer<Float>, ldc: Int,
                              alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, out, Int32(ldc))
    }

    /// out (M,N) = alpha · a(K,M)ᵀ · b (K,N) + beta · out.
    @inline(__always)
    public static func gemmTN(_ m: Int, _ n: Int, _ k: Int,
                              _ a: UnsafePointer<Float>, lda: Int,
                              _ b: UnsafePointer<Float>, ldb: Int,
                              _ out: UnsafeMutablePointer<Float>, ldc: Int,
                              alpha: Float = 1, beta: Float = 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, out, Int32(ldc))
    }
}
