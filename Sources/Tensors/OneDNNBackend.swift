import CDNNL
import Foundation

// Matrix products through oneDNN (what PyTorch uses on CPUs): `dnnl_sgemm` JIT-compiles its
// kernel for the instruction sets the CPU reports (AVX2, AVX-512, VNNI, BF16, AMX), not for a
// table of CPU models. Debian's build threads with OpenMP, whose thread count is a per-thread
// setting: the thread that issues a product decides how many threads run it.

final class OneDNNBackend: MatrixBackend {
    let name = "onednn"
    let version: String
    let kernel: String
    let kernelIsGeneric: Bool

    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetThreads = @convention(c) () -> Int32
    private typealias ThreadNumber = @convention(c) () -> Int32
    private typealias Outlined = @convention(c) (UnsafeMutableRawPointer?) -> Void
    private typealias StartTeam = @convention(c) (Outlined, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
    private let setOpenMPThreads: SetThreads
    private let getOpenMPThreads: GetThreads
    private let threadNumber: ThreadNumber
    private let teamSize: ThreadNumber
    private let startTeam: StartTeam

    init() {
        let v = dnnl_version()!.pointee
        version = "\(v.major).\(v.minor).\(v.patch)"
        let isa = dnnl_get_effective_cpu_isa()
        kernel = OneDNNBackend.isaName(isa)
        kernelIsGeneric = isa.rawValue & dnnl_cpu_isa_avx2.rawValue != dnnl_cpu_isa_avx2.rawValue
        // libgomp is loaded with libdnnl; its controls are looked up rather than linked, as
        // Debian ships no unversioned libgomp.so on the linker's default path.
        guard let set = dlsym(nil, "omp_set_num_threads"),
            let get = dlsym(nil, "omp_get_max_threads"),
            let number = dlsym(nil, "omp_get_thread_num"),
            let count = dlsym(nil, "omp_get_num_threads"),
            let team = dlsym(nil, "GOMP_parallel")
        else {
            fatalError("oneDNN is loaded but libgomp's entry points are not: this libdnnl is not a GNU OpenMP build")
        }
        setOpenMPThreads = unsafeBitCast(set, to: SetThreads.self)
        getOpenMPThreads = unsafeBitCast(get, to: GetThreads.self)
        threadNumber = unsafeBitCast(number, to: ThreadNumber.self)
        teamSize = unsafeBitCast(count, to: ThreadNumber.self)
        startTeam = unsafeBitCast(team, to: StartTeam.self)
    }

    static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
        switch isa {
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx512_mic: return "avx512_mic"
        case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        default: return "isa_0x" + String(isa.rawValue, radix: 16)
        }
    }

    func sgemm(
        transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let status = dnnl_sgemm(
            transA ? 84 : 78, transB ? 84 : 78,  // "T" : "N"
            dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha,
            a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, out, dnnl_dim_t(ldc))
        precondition(status == dnnl_success, "dnnl_sgemm(\(m), \(n), \(k)) failed with status \(status.rawValue)")
    }

    var threads: Int { Int(getOpenMPThreads()) }

    func setThreads(_ count: Int) {
        if count > 0 {
            setOpenMPThreads(Int32(count))
        }
    }

    /// What `#pragma omp parallel num_threads(parts)` compiles to: GOMP_parallel runs the
    /// outlined function on a team of `parts` threads (the caller is thread 0), the same
    /// threads that run oneDNN's products — idle ones spin briefly instead of competing.
    func concurrentPerform(_ parts: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var task = Task(body: escapable, parts: parts, threadNumber: threadNumber, teamSize: teamSize)
            withUnsafeMutablePointer(to: &task) { pointer in
                startTeam(
                    { raw in
                        let task = raw!.assumingMemoryBound(to: Task.self).pointee
                        // OpenMP may grant fewer threads than asked (nested in another team, a
                        // thread limit): each thread then takes every team-size-th part.
                        let team = Int(task.teamSize())
                        for part in stride(from: Int(task.threadNumber()), to: task.parts, by: max(team, 1)) {
                            task.body(part)
                        }
                    }, pointer, UInt32(parts), 0)
            }
        }
    }

    private struct Task {
        let body: (Int) -> Void
        let parts: Int
        let threadNumber: ThreadNumber
        let teamSize: ThreadNumber
    }

    func aroundSerialSection(_ body: () -> Void) {
        body()
    }

    /// OpenMP's thread count belongs to the calling thread: each worker sets its own to one
    /// for the section and puts it back.
    func onSerialWorker(_ body: () -> Void) {
        let saved = getOpenMPThreads()
        setOpenMPThreads(1)
        defer { setOpenMPThreads(saved) }
        body()
    }
}
