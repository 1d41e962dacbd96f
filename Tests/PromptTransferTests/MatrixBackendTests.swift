import Foundation
import Plumbing
import Tensors
import XCTest

/// The matrix backend: chosen by CPU features (not a timing test), every transpose of its
/// product against a double-precision loop, the thread team running every part once, and a
/// generic kernel on a capable CPU said on stderr.
final class MatrixBackendTests: XCTestCase {
    func testDefaultBackendRunsAVX2OrWiderKernelOnACPUWithAVX2() throws {
        let cpu = CPUInfo.current
        print("cpu: \(cpu.model); backend \(BLAS.backend.name) \(BLAS.backend.version), kernel \(BLAS.backend.kernel)")
        guard cpu.hasAVX2 else { throw XCTSkip("this CPU has no AVX2") }
        guard ProcessInfo.processInfo.environment["PT_GEMM"] == nil else {
            throw XCTSkip("PT_GEMM chooses the backend")
        }
        XCTAssertEqual(BLAS.backend.name, "onednn")
        XCTAssertFalse(BLAS.backend.kernelIsGeneric, "kernel \(BLAS.backend.kernel) on a CPU with AVX2")
        if cpu.hasAVX512 {
            XCTAssertTrue(BLAS.backend.kernel.hasPrefix("avx512"), BLAS.backend.kernel)
        }
    }

    func testEveryTransposeMatchesADoubleLoop() {
        var rng = SplitMix64(seed: 7)
        func uniform() -> Float { Float(rng.next() >> 40) / Float(1 << 23) - 1 }
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 33, 65), (64, 48, 96)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let lda = (transA ? m : k) + 3
                    let ldb = (transB ? k : n) + 1
                    let ldc = n + 2
                    let a = (0..<((transA ? k : m) * lda)).map { _ in uniform() }
                    let b = (0..<((transB ? n : k) * ldb)).map { _ in uniform() }
                    var c = (0..<(m * ldc)).map { _ in uniform() }
                    let c0 = c
                    BLAS.backend.sgemm(
                        transA: transA, transB: transB, m, n, k, alpha: 0.5, a, lda: lda, b, ldb: ldb,
                        beta: 2, &c, ldc: ldc)
                    var worst: Double = 0
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum: Double = 0
                            for p in 0..<k {
                                let x = transA ? a[p * lda + i] : a[i * lda + p]
                                let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                                sum += Double(x) * Double(y)
                            }
                            let want = 0.5 * sum + 2 * Double(c0[i * ldc + j])
                            worst = max(worst, abs(want - Double(c[i * ldc + j])))
                        }
                        for j in n..<ldc {
                            XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "wrote past column n")
                        }
                    }
                    XCTAssertLessThan(worst, 1e-4, "\(m)x\(n)x\(k) transA \(transA) transB \(transB)")
                }
            }
        }
    }

    func testConcurrentPartsRunOnceEachAlsoWhenNested() {
        for parts in 1...5 {
            let saved = Parallel.workers
            Parallel.workers = parts
            defer { Parallel.workers = saved }
            var hits = [Int](repeating: 0, count: 100)
            hits.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                Parallel.chunks(100, serialProducts: true) { range in
                    for i in range {
                        base[i] += 1
                    }
                    // A section inside a section (the team may then be one thread).
                    Parallel.chunks(4) { inner in
                        XCTAssertFalse(inner.isEmpty)
                    }
                }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 100), "parts \(parts)")
        }
    }

    func testAGenericKernelOnACapableCPUIsSaidOnStderr() throws {
        guard CPUInfo.current.hasAVX2 else { throw XCTSkip("this CPU has no AVX2") }
        let m = try Fixture.model("minilm")
        let args = ["--model", m, "--iterations", "1", "--batch-size", "1", "--sequence-length", "8"]
        let slow = try runTool("pt-bench", args, environment: ["PT_GEMM": "openblas", "OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(slow.status, 0, slow.err)
        XCTAssertTrue(slow.err.contains("generic 'Prescott' matrix kernel"), slow.err)
        XCTAssertTrue(slow.out.contains(#""kernel":"Prescott""#), slow.out)
        let fast = try runTool("pt-bench", args)
        XCTAssertEqual(fast.status, 0, fast.err)
        XCTAssertFalse(fast.err.contains("warning"), fast.err)
        XCTAssertTrue(fast.out.contains(#""backend":"onednn""#), fast.out)
        let unknown = try runTool("pt-bench", args, environment: ["PT_GEMM": "mkl"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.err.contains("PT_GEMM=mkl: unknown backend"), unknown.err)
    }
}
