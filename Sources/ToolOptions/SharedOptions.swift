// Option groups that several tools share, declared once: same names, same help, same defaults
// and the same range checks everywhere.
import ArgumentParser
import Pipelines
import Tuning

/// Completion of task names (the manifests a tool finds by default).
let taskNames = CompletionKind.custom { _, _, _ in TaskInputs.knownTasks() }

/// `--threads`: threads for the matrix backend and the Swift kernels.
public struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads for the matrix products and the kernels.")
    public var threads = 2

    public init() {}

    public func validate() throws {
        try OptionRange.check("threads", threads, OptionRange.threads)
    }

    /// Sets the thread count of the matrix backend and of the Swift kernels.
    public func apply() {
        ToolMain.setThreads(threads)
    }
}

/// `--progress`: progress on stderr even when stderr is not a terminal.
public struct ProgressOption: ParsableArguments {
    @Flag(
        help: "Show progress on stderr even when it is not a terminal (then a plain line every 30 s and at the end).")
    public var progress = false

    public init() {}
}

/// `--data-dir` and `--mirror`: where a task's prepared splits (or its raw files) are.
public struct DataFolderOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Prepared data folder (DATA/TASK/SPLIT.jsonl, as `make data` writes; default $PT_DATA_DIR, ./data, "
                + "else the toolkit's own).", valueName: "DATA"))
    public var dataDir: String?
    @Option(
        help: "Dataset mirror, used when a prepared split is missing (default $PT_DATA_MIRROR, else ../shared/data).")
    public var mirror: String?
    @Option(help: "Task manifests folder (default $PT_MANIFESTS, ./data-manifests, else the installed ones).")
    public var manifests: String?

    public init() {}

    public var inputs: TaskInputs {
        var inputs = TaskInputs()
        inputs.dataDir = dataDir
        inputs.mirror = mirror
        inputs.manifests = manifests
        return inputs
    }
}

/// How a file of one's own examples is read: which fields hold the texts and the label, and the
/// class names labels written as names map through.
public struct ExampleFieldOptions: ParsableArguments {
    static let defaults = ExampleFields()
    @Option(help: "Field (JSON lines) or column (CSV/TSV) of the text (default \(defaults.text)).")
    public var textField: String?
    @Option(help: "Field or column of the second text of a pair, if any (default \(defaults.textB)).")
    public var textBField: String?
    @Option(help: "Field or column of the label (default \(defaults.label)).")
    public var labelField: String?
    @Option(
        help: ArgumentHelp(
            "The class names, comma-separated, in class order: a label written as a name is its position here; "
                + "without --task the label words default to them.", valueName: "NAME,NAME,..."))
    public var labels: String?

    public init() {}

    public var choice: ExampleFieldChoice {
        var choice = ExampleFieldChoice()
        choice.text = textField
        choice.textB = textBField
        choice.label = labelField
        choice.labels = labels.map { $0.split(separator: ",").map(String.init) }
        return choice
    }

}

/// `-o/--output` of the tools that write data: stdout by default.
public struct DataOutputOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write to FILE (atomically; its folder is created) instead of stdout.")
    public var output: String?

    public init() {}
}

/// `--task`, `--examples` (with its fields), `--verbalizer` and the data folders: the target a
/// tool runs prompts on (eval-prompt, rank-sources).
public struct TargetOptions: ParsableArguments {
    @Option(
        help: "Target task (data-manifests/TASK.json): its labels, label words and prepared data.",
        completion: taskNames)
    public var task: String?
    @Option(help: "The target's own examples (JSON lines, or CSV/TSV with a header row) instead of a task's.")
    public var examples: String?
    @OptionGroup public var fields: ExampleFieldOptions
    @Option(
        help: ArgumentHelp(
            "Label words, comma-separated, in the target's label order (default: the task's verbalizer). For "
                + "RoBERTa, 'positive' is the token without a leading space, ' positive' the one with.",
            valueName: "WORD,WORD,..."))
    public var verbalizer: String?
    @OptionGroup public var data: DataFolderOptions

    public init() {}

    public func validate() throws {
        guard task != nil || examples != nil else { throw ValidationError("give --task, or --examples FILE") }
    }

    public var target: TargetChoice {
        var target = TargetChoice()
        target.task = task ?? ""
        target.examplesFile = examples
        target.fields = fields.choice
        target.verbalizer = verbalizer.map { $0.split(separator: ",").map(String.init) }
        target.inputs = data.inputs
        return target
    }
}

/// `--batch-size` and `--max-text-tokens` of the tools that run prompts over a target's texts.
public struct ForwardPassOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Examples per forward pass (the results do not depend on it).")
    public var batchSize = ForwardPass().batchSize
    @Option(parsing: .unconditional, help: "Text tokens kept per example (default: each prompt's recorded setting).")
    public var maxTextTokens: Int?

    public init() {}

    public func validate() throws {
        try OptionRange.check("batch-size", batchSize, OptionRange.batchSize)
        try OptionRange.check("max-text-tokens", maxTextTokens, OptionRange.textTokens)
    }

    public var forward: ForwardPass {
        var forward = ForwardPass()
        forward.batchSize = batchSize
        forward.maxTextTokens = maxTextTokens
        return forward
    }
}
