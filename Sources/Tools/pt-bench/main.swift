// `pt-bench`: its help and examples; the options and the run are BenchOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pt-bench",
        abstract: "Time the encoder on random inputs of a fixed shape (used by `make bench`).",
        discussion: """
            Prints one JSON line: sequences per second and GFLOP/s of the forward pass (or of a
            training step), the matrix backend and kernel in use (PT_GEMM=onednn|openblas chooses),
            and the backend's GFLOP/s on the model's linear-layer shapes alone.

            Example:
              pt-bench --model models/minilm --batch-size 16 --sequence-length 128 --threads 2
            """,
        version: toolkitVersion)

    @OptionGroup var options: BenchOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(Bench.self)
