import COpenBLAS

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

    /// Double precision, always on OpenBLAS (the analyses' and the ridge fit's products, not the
    /// models'): out (M,N) = a (M,K) · b (N,K)ᵀ.
    public static func dgemmNT(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ out: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0,
            out, Int32(ldc))
    }

    /// Double precision: out (M,N) = a (K,M)ᵀ · b (K,N).
    public static func dgemmTN(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        _ out: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0,
            out, Int32(ldc))
    }

    /// Eigenvalues (ascending) and eigenvectors (row i of `vectors` belongs to value i) of the
    /// symmetric n × n matrix `a` (row-major; only its symmetry is used): LAPACK's dsyev.
    public static func symmetricEigen(_ a: [Double], n: Int) -> (values: [Double], vectors: [Double])? {
        precondition(a.count == n * n)
        guard n > 0 else { return ([], []) }
        var matrix = a  // row-major = column-major of the transpose, the same matrix
        var values = [Double](repeating: 0, count: n)
        var size = Int32(n)
        var lda = Int32(n)
        var info: Int32 = 0
        var jobz = Int8(UInt8(ascii: "V"))
        var uplo = Int8(UInt8(ascii: "U"))
        var query = 0.0
        var lwork: Int32 = -1
        dsyev_(&jobz, &uplo, &size, &matrix, &lda, &values, &query, &lwork, &info)
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        dsyev_(&jobz, &uplo, &size, &matrix, &lda, &values, &work, &lwork, &info)
        guard info == 0 else { return nil }
        // column j of the column-major result is eigenvector j: row j of the row-major array
        return (values, matrix)
    }
}
