// `pt-bench`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    public init() {}

    @Option(help: "Model folder.") var model: String
    @Option(parsing: .unconditional, help: "Sequences per batch.") var batchSize = BenchRun.defaults.batchSize
    @Option(parsing: .unconditional, help: "Tokens per sequence.") var sequenceLength = BenchRun.defaults.sequenceLength
    @Option(parsing: .unconditional, help: "Timed iterations (after one warm-up).") var iterations = BenchRun.defaults
        .iterations
    @OptionGroup var threading: ThreadOptions
    @Option(help: "forward (encoder forward) or train (a prompt-tuning step: forward + backward).") var mode = BenchRun
        .defaults.mode
    @Option(parsing: .unconditional, help: "Prompt vectors among the tokens, in train mode.") var promptLength =
        BenchRun.defaults.promptLength

    public func validate() throws {
        guard ["forward", "train"].contains(mode) else {
            throw ValidationError("--mode must be forward or train, not '\(mode)'")
        }
        try OptionRange.check("batch-size", batchSize, OptionRange.batchSize)
        try OptionRange.check("iterations", iterations, 1...100_000)
        let least = mode == "train" ? promptLength + 4 : 1
        guard promptLength > 0, sequenceLength >= least else {
            throw ValidationError("--sequence-length must be at least \(least) (prompt + [CLS] [MASK] text [SEP])")
        }
    }

    public func run() throws {
        threading.apply()
        var r = BenchRun(model: model)
        r.batchSize = batchSize
        r.sequenceLength = sequenceLength
        r.iterations = iterations
        r.mode = mode
        r.promptLength = promptLength
        print(try r.run().text)
    }
}
