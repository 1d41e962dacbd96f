import Foundation

// The one interface between the models and a library of matrix products, and the choice of
// that library. Models call `BLAS.gemmNT/NN/TN`; what runs them is a `MatrixBackend`, picked
// once per process: oneDNN by default (its kernels are JIT-compiled for the CPU's features at
// run time, so a CPU newer than the library still gets AVX2/AVX-512 code), OpenBLAS on request.

/// A library of single-precision matrix products.
public protocol MatrixBackend: AnyObject {
    /// `onednn` or `openblas`.
    var name: String { get }
    /// The library's version, e.g. `2.6.3`.
    var version: String { get }
    /// The kernel or instruction set the library runs on this CPU, e.g. `avx512_core_bf16`.
    var kernel: String { get }
    /// Whether `kernel` uses neither AVX2 nor AVX-512 (a slow path on a CPU that has them).
    var kernelIsGeneric: Bool { get }

    /// out (M,N) = alpha · op(a) · op(b) + beta · out, all row-major; op transposes when asked.
    func sgemm(
        transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ out: UnsafeMutablePointer<Float>, ldc: Int)

    /// Threads one product may use, as set by `setThreads` (on the calling thread).
    var threads: Int { get }
    func setThreads(_ count: Int)

    /// Runs `body`, in which many small products are issued from several threads at once:
    /// each product then runs on the thread that issued it. `Parallel.split(…, serialProducts:)`
    /// calls `aroundSerialSection` once around the whole section and `onSerialWorker` on each
    /// worker thread; a backend does its part in whichever fits how its threads are set.
    func aroundSerialSection(_ body: () -> Void)
    func onSerialWorker(_ body: () -> Void)

    /// Runs body(0..<parts) concurrently on the threads that also run the products, so the
    /// Swift kernels between products do not compete with the backend's idle workers.
    func concurrentPerform(_ parts: Int, _ body: (Int) -> Void)
}

extension MatrixBackend {
    /// What every tool records of its matrix kernels (first JSON event, pt-bench).
    public var description: [String: String] {
        ["backend": name, "version": version, "kernel": kernel, "cpu": CPUInfo.current.model]
    }
}

/// The CPU the process runs on, read from /proc/cpuinfo (Linux); empty elsewhere.
public struct CPUInfo {
    public let model: String
    public let flags: Set<String>

    public static let current: CPUInfo = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUInfo(model: "unknown", flags: [])
        }
        var model = "unknown"
        var flags: Set<String> = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "model name" && model == "unknown" {
                model = parts[1]
            }
            if parts[0] == "flags" && flags.isEmpty {
                flags = Set(parts[1].split(separator: " ").map(String.init))
            }
            if model != "unknown" && !flags.isEmpty {
                break
            }
        }
        return CPUInfo(model: model, flags: flags)
    }()

    public var hasAVX2: Bool { flags.contains("avx2") && flags.contains("fma") }
    public var hasAVX512: Bool { flags.contains("avx512f") && flags.contains("avx512bw") }
}

extension BLAS {
    /// The backend of this process: `PT_GEMM=onednn|openblas` chooses; oneDNN otherwise.
    /// An unknown name stops the tool (no silent fallback).
    public static let backend: MatrixBackend = {
        let requested = ProcessInfo.processInfo.environment["PT_GEMM"] ?? "onednn"
        let chosen: MatrixBackend
        switch requested {
        case "onednn":
            chosen = OneDNNBackend()
        case "openblas":
            chosen = OpenBLASBackend()
        default:
            FileHandle.standardError.write(Data("PT_GEMM=\(requested): unknown backend (onednn, openblas)\n".utf8))
            exit(64)
        }
        warnIfGeneric(chosen)
        return chosen
    }()

    /// Says once on stderr when the backend runs a pre-AVX2 kernel on a CPU with AVX2/AVX-512.
    static func warnIfGeneric(_ backend: MatrixBackend) {
        let cpu = CPUInfo.current
        guard backend.kernelIsGeneric && cpu.hasAVX2 else { return }
        let isa = cpu.hasAVX512 ? "AVX-512" : "AVX2"
        let hint =
            backend.name == "openblas"
            ? " (OpenBLAS picks it from a table of CPU models, or OPENBLAS_CORETYPE; unset PT_GEMM for oneDNN)"
            : ""
        let message =
            "warning: \(backend.name) \(backend.version) runs its generic '\(backend.kernel)' matrix kernel"
            + " on a CPU with \(isa) (\(cpu.model)): products will be several times slower\(hint)\n"
        FileHandle.standardError.write(Data(message.utf8))
    }
}
