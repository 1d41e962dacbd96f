import ArgumentParser
import Foundation
import PipelineIO
import Tensors

/// What every tool's `main` does: parse flags, run, and turn a `ToolError` into its message
/// on stderr and its exit code (65 for bad input data, 64 for bad usage, 1 otherwise).
public enum ToolMain {
    public static func run<T: ParsableCommand>(_ type: T.Type) {
        do {
            var command = try type.parseAsRoot()
            try command.run()
        } catch let e as ToolError {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
            exit(e.exitCode)
        } catch let e as CleanExit {
            type.exit(withError: e)
        } catch {
            type.exit(withError: error)
        }
    }

    /// Threads for OpenBLAS and for the Swift kernels.
    public static func setThreads(_ n: Int) {
        let n = max(1, n)
        BLAS.setThreads(n)
        Parallel.workers = n
    }
}
