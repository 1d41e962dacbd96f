import ArgumentParser
import Pipelines

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pt-bench",
        abstract: "Time the encoder on random inputs of a fixed shape (used by `make bench`).",
        discussion: """
        Prints one JSON line: sequences per second and GFLOP/s of the forward pass.

        Example:
          pt-bench --model models/minilm --batch-size 16 --sequence-length 128 --threads 2
        """)

    @Option(help: "Model folder.") var model: String
    @Option(help: "Sequences per batch.") var batchSize = 16
    @Option(help: "Tokens per sequence.") var sequenceLength = 128
    @Option(help: "Timed iterations (after one warm-up).") var iterations = 5
    @Option(help: "Threads.") var threads = 2
    @Option(help: "forward (encoder forward) or train (a prompt-tuning step: forward + backward).") var mode = "forward"
    @Option(help: "Prompt vectors among the tokens, in train mode.") var promptLength = 100

    func run() throws {
        ToolMain.setThreads(threads)
        var r = BenchRun(model: model)
        r.batchSize = batchSize; r.sequenceLength = sequenceLength; r.iterations = iterations
        r.mode = mode; r.promptLength = promptLength
        print(try r.run().text)
    }
}

ToolMain.run(Bench.self)
