// The command-line layer every tool shares: running a command with the toolkit's exit codes,
// and the range checks of numeric options. Only this target and the tools import ArgumentParser.
import ArgumentParser
import Foundation
import Pipelines
import Plumbing
import Tensors

/// What every tool's `main` does: parse flags, run, and turn a `ToolError` into its message
/// on stderr and its exit code (65 for bad input data, 64 for bad usage, 1 otherwise).
public enum ToolMain {
    public static func run<T: ParsableCommand>(_ type: T.Type) {
        SignalRouting.start()  // before any other thread exists
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

    /// Threads for the matrix backend and for the Swift kernels.
    public static func setThreads(_ n: Int) {
        let n = max(1, n)
        BLAS.setThreads(n)
        Parallel.workers = n
    }
}

/// Ranges of numeric options, checked when the flags are parsed (exit 64 with the reason).
public enum OptionRange {
    public static let threads = 1...256
    /// Examples per step or per forward pass.
    public static let batchSize = 1...4096
    /// Text tokens kept per example.
    public static let textTokens = 1...100_000

    public static func check<T: Comparable>(_ flag: String, _ value: T?, _ range: ClosedRange<T>) throws {
        guard let value else { return }
        guard range.contains(value) else {
            let bounds =
                "\(range.upperBound)".count > 12
                ? "at least \(range.lowerBound)"
                : "between \(range.lowerBound) and \(range.upperBound)"
            throw ValidationError("--\(flag) must be \(bounds), not \(value)")
        }
    }

    public static func positive<T: BinaryFloatingPoint>(_ flag: String, _ value: T?) throws {
        guard let value else { return }
        guard value.isFinite, value > 0 else {
            throw ValidationError("--\(flag) must be a positive number, not \(value)")
        }
    }
}
