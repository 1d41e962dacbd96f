// `eval-prompt`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct EvalPrompt: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "eval-prompt",
        abstract: "Evaluate prompts on a task's split (zero-shot cross-task transfer).",
        discussion: """
            Writes one JSON line per prompt: {"source","target","model","split","accuracy","n",...}. \
            Each prompt's recorded template and readout are used, with the target task's label \
            words. A prompt recorded for another model or hidden size is an error. With --examples \
            and no --task, the label words, class names and fields are the ones the prompts recorded \
            (when they all agree), unless given.

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

    public init() {}

    @Option(help: "Model folder.") var model: String
    @OptionGroup var target: TargetOptions
    @Option(help: "Split to evaluate on.") var split = EvalRun.defaults.split
    @OptionGroup var forward: ForwardPassOptions
    @Option(
        name: .customLong("eval-limit"), parsing: .unconditional,
        help: "Evaluate on a seeded sample of at most N examples (as tune-prompt's --eval-limit).")
    var evalLimit: Int?
    @Option(name: .customLong("limit"), parsing: .unconditional, help: .hidden) var oldLimit: Int?
    var limit: Int? { evalLimit ?? oldLimit }
    @Option(parsing: .unconditional, help: "Seed of the --eval-limit sample.") var seed = EvalRun.defaults.seed
    @OptionGroup var destination: DataOutputOption
    @Option(
        help: ArgumentHelp(
            "Template or its name (bert, roberta, paper-1.0, t5, paper-1.0-t5) instead of the one each prompt "
                + "records."))
    var template: String?
    @Option(
        help: ArgumentHelp(
            "Leave out examples sharing any normalised text with TASK:SPLIT (repeatable; e.g. sst2:train on "
                + "rotten_tomatoes), or with source: each prompt's own training task's train split. The rows say "
                + "how many were excluded.", valueName: "TASK:SPLIT|source"))
    var excludeOverlap: [String] = []
    @Flag(help: "Also a row for the majority class of the target's train split (source \"majority\").")
    var majority = false
    @Option(help: "A row for the majority class of your own training examples in FILE (read as --examples).")
    var majorityFrom: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Also a row for K random prompts laid out as the first prompt (seeds 0…K−1, tune-prompt's random "
                + "init): source \"random\", their mean accuracy, sd and each draw's.", valueName: "K"))
    var randomPrompts = EvalRun.defaults.randomPrompts
    @Option(help: "Name of each prompt in the rows, in order (repeat the option; default its recorded name).")
    var name: [String] = []
    @Flag(help: "Each row also carries \"correct\", a 0/1 per example (for results-table --paired).")
    var perExample = false
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var reporting: ProgressOption
    @Argument(help: "Prompt files (default: paths read from stdin, one per line).") var prompts: [String] = []

    public func validate() throws {
        try OptionRange.check("eval-limit", limit, 1...Int.max)
        guard evalLimit == nil || oldLimit == nil else { throw ValidationError("--limit is --eval-limit: give one") }
        if oldLimit != nil { Log.info("note: --limit is now spelled --eval-limit; the old spelling goes in 0.2") }
        try OptionRange.check("random-prompts", randomPrompts, 0...1000)
    }

    public func run() throws {
        threading.apply()
        var r = EvalRun(model: model)
        r.target = target.target
        r.forward = forward.forward
        r.split = split
        r.prompts = prompts
        r.names = name
        r.limit = limit
        r.seed = seed
        r.output = destination.output
        r.progress = reporting.progress
        r.template = template
        r.excludeOverlap = excludeOverlap
        r.majority = majority
        r.majorityFrom = majorityFrom
        r.randomPrompts = randomPrompts
        r.perExample = perExample
        try r.run()
    }
}
