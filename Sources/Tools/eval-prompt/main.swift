import ArgumentParser
import PipelineIO
import Pipelines

struct EvalPrompt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-prompt",
        abstract: "Evaluate prompts on a task's split (zero-shot cross-task transfer).",
        discussion: """
        Writes one JSON line per prompt: {"source","target","model","split","accuracy","n",...}. \
        Each prompt's recorded template and readout are used, with the target task's label \
        words. A prompt recorded for another model or hidden size is an error.

        Examples:
          eval-prompt --model models/minilm --task rotten_tomatoes \\
              --split test out/prompts/sst2.minilm.safetensors
          eval-prompt --model models/minilm --task sst2 out/prompts/*.minilm.* \\
              | jq -c '[.source, .accuracy]'
        """)

    @Option(help: "Model folder.") var model: String
    @Option(help: "Target task.") var task: String
    @Option(help: "Split to evaluate on.") var split = "validation"
    @Option(help: "Text tokens kept per example (default: the prompt's recorded setting).") var maxTextTokens: Int?
    @Option(help: "Examples per forward pass.") var batchSize = 64
    @Option(help: "Evaluate on a seeded sample of at most N examples.") var limit: Int?
    @Option(help: "Seed of the --limit sample.") var seed: UInt64 = 0
    @Option(name: .shortAndLong, help: "Write to FILE (atomically) instead of stdout.") var output: String?
    @Option(help: "Prepared data folder.") var dataDir = "data"
    @Option(help: "Dataset mirror, used when a prepared split is missing.") var mirror: String?
    @Option(help: "Threads.") var threads = 2
    @Argument(help: "Prompt files.") var prompts: [String] = []

    func run() throws {
        ToolMain.setThreads(threads)
        var r = EvalRun(model: model, task: task)
        r.split = split; r.prompts = prompts; r.limit = limit; r.seed = seed; r.maxTextTokens = maxTextTokens; r.batchSize = batchSize
        r.output = output; r.inputs.dataDir = dataDir; r.inputs.mirror = mirror
        try r.run()
    }
}

ToolMain.run(EvalPrompt.self)
