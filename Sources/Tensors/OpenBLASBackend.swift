import COpenBLAS
import Foundation

// Matrix products through OpenBLAS (`PT_GEMM=openblas`). Its DYNAMIC_ARCH build picks a
// kernel from a table of CPU models when it loads; a model newer than the library gets a
// generic SSE3 kernel ("Prescott"), which `BLAS.backend` reports with a warning.

final class OpenBLASBackend: MatrixBackend {
    let name = "openblas"
    let version: String
    let kernel: String
    let kernelIsGeneric: Bool

    /// OpenBLAS cores with AVX2 or AVX-512 kernels; any other on such a CPU is the slow path.
    static let vectorCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    init() {
        let config = String(cString: openblas_get_config())  // "OpenBLAS 0.3.21 DYNAMIC_ARCH …"
        let words = config.split(separator: " ")
        version = words.count > 1 ? String(words[1]) : config
        kernel = String(cString: openblas_get_corename())
        kernelIsGeneric = !OpenBLASBackend.vectorCores.contains(kernel.lowercased())
        configureSpin()
    }

    /// OpenBLAS's idle workers spin (sched_yield) for 2^28 cycles before sleeping, which
    /// takes a core from the Swift kernels that run between matrix products: measured here,
    /// the encoder is ~20 % faster with 2^4. A user's own OPENBLAS_THREAD_TIMEOUT is kept.
    private func configureSpin() {
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        openblas_read_env()
        _ = blas_thread_shutdown_()
        _ = blas_thread_init()
    }

    func sgemm(
        transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, out, Int32(ldc))
    }

    var threads: Int { Int(openblas_get_num_threads()) }

    func setThreads(_ count: Int) {
        if count > 0 {
            openblas_set_num_threads(Int32(count))
        }
    }

    /// OpenBLAS's thread count is process-wide: one thread per product for the whole section.
    func aroundSerialSection(_ body: () -> Void) {
        let saved = threads
        setThreads(1)
        defer { setThreads(saved) }
        body()
    }

    func onSerialWorker(_ body: () -> Void) {
        body()
    }

    func concurrentPerform(_ parts: Int, _ body: (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: parts, execute: body)
    }
}
