import ArgumentParser
import Pipelines
import Plumbing
import ToolOptions

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
              eval-prompt --model models/minilm --examples my-reviews.jsonl \\
                  --verbalizer negative,positive out/demo/sst2.safetensors
              eval-prompt --model models/minilm --task sst2 out/prompts/*.minilm.* \\
                  | jq -c '[.source, .accuracy]'
              # a released RoBERTa prompt, in the layout and with the words the paper used
              eval-prompt --model ~/models/roberta-base --task sst2 --template paper-1.0 \\
                  --verbalizer negative,positive --max-text-tokens 128 \\
                  ../shared/reference/prompt-transferability/task_prompt_emb/SST2PromptRoberta/task_prompt
            """,
        version: toolkitVersion)

    @Option(help: "Model folder.") var model: String
    @Option(help: "Target task (its labels, label words and prepared splits).") var task: String?
    @Option(
        help: "Evaluate on this JSON-lines file ({\"text_a\", \"text_b\"?, \"label\"}) instead of the task's split.")
    var examples: String?
    @Option(help: "Split to evaluate on.") var split = EvalRun.defaults.split
    @Option(parsing: .unconditional, help: "Text tokens kept per example (default: the prompt's recorded setting).")
    var maxTextTokens: Int?
    @Option(parsing: .unconditional, help: "Examples per forward pass.") var batchSize = EvalRun.defaults.batchSize
    @Option(
        name: [.customLong("eval-limit"), .customLong("limit")], parsing: .unconditional,
        help: "Evaluate on a seeded sample of at most N examples (--limit: the old spelling).")
    var limit: Int?
    @Option(parsing: .unconditional, help: "Seed of the --limit sample.") var seed = EvalRun.defaults.seed
    @OptionGroup var destination: DataOutputOption
    @OptionGroup var data: DataFolderOptions
    @Option(help: "Template or its name (bert, roberta, paper-1.0) instead of the one each prompt records.")
    var template: String?
    @Option(
        help: ArgumentHelp(
            "Label words, comma-separated, in the task's label order (default: the task's verbalizer). For RoBERTa, "
            + "'positive' is the token without a leading space, ' positive' the one with.")
    ) var verbalizer: String?
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var reporting: ProgressOption
    @Argument(help: "Prompt files.") var prompts: [String] = []

    func validate() throws {
        try OptionRange.check("batch-size", batchSize, 1...4096)
        try OptionRange.check("eval-limit", limit, 1...Int.max)
        try OptionRange.check("max-text-tokens", maxTextTokens, 1...100_000)
        guard !prompts.isEmpty else { throw ValidationError("name at least one prompt file") }
        guard task != nil || examples != nil else { throw ValidationError("give --task, or --examples FILE") }
    }

    func run() throws {
        threading.apply()
        var r = EvalRun(model: model, task: task ?? "")
        r.examplesFile = examples
        r.split = split
        r.prompts = prompts
        r.limit = limit
        r.seed = seed
        r.maxTextTokens = maxTextTokens
        r.batchSize = batchSize
        r.output = destination.output
        r.progress = reporting.progress
        r.inputs = data.inputs
        r.template = template
        r.verbalizer = verbalizer.map { $0.split(separator: ",").map(String.init) }
        try r.run()
    }
}

ToolMain.run(EvalPrompt.self)
