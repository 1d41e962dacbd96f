// `tune-prompt`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing
import Tuning

public struct TunePrompt: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tune-prompt",
        abstract: "Learn a soft prompt for a task on a frozen model (AdamW on the prompt alone).",
        discussion: """
            Input layout (--template): [CLS] P1..Pn [MASK] text_a [SEP] (text_b [SEP]) — for RoBERTa \
            <s> P1..Pn <mask> text_a </s> (</s> text_b </s>) — or the paper's 1.0 layout \
            (paper-1.0); the label is read at [MASK] through the MLM head restricted to the task's \
            label words (--readout mlm) or \
            through the model's input word embeddings (--readout tied, for encoders without a head). \
            T5 (model_type t5): P1..Pn text_a </s> (text_b </s>), the label read from the first \
            decoder step's logits at the first token of each label word (--readout decoder). \
            Evaluates on validation every --eval-every steps and writes the best prompt as \
            safetensors (tensor "prompt" [n, hidden] + metadata) or a PEFT adapter folder. \
            stdout: one JSON line per event (start, train, eval, done); stderr: progress.

            Examples:
              tune-prompt --model models/minilm --task sst2 --prompt-length 20
              tune-prompt --model models/minilm --task rotten_tomatoes \\
                  --init from:out/prompts/sst2.minilm.safetensors
              tune-prompt --model models/splade-tiny --train a.jsonl \\
                  --validation b.jsonl --verbalizer no,yes
              tune-prompt ... --resume    # continue from the checkpoint
              tune-prompt --model ~/models/roberta-base --task sst2 \\
                  --verbalizer negative,positive --template paper-1.0 --prompt-length 100
              tune-prompt --model ~/models/t5-base --task sst2 --template paper-1.0-t5 \\
                  --prompt-length 100
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "Model folder.") var model: String
    @Option(
        help: "Task (data-manifests/TASK.json); its prepared splits are read from --data-dir.", completion: taskNames)
    var task: String?
    @Option(help: "Your own training examples (JSON lines, or CSV/TSV with a header row) instead of the task's.")
    var train: String?
    @Option(help: "Your own validation examples, read with --select-on-validation.") var validation: String?
    @OptionGroup var fields: ExampleFieldOptions
    @Option(help: "Label words, comma-separated (default: the task's verbalizer, else the --labels names).")
    var verbalizer: String?
    @Option(help: "The prompt's name (default: the task, else the --train file's name).") var name: String?
    @Option(
        help: ArgumentHelp(
            "mlm (the model's MLM head) or tied (h · word embeddings); default mlm when the model has a head. "
                + "T5 reads at its first decoder step (decoder), its only readout."))
    var readout: Readout.Kind?
    @Option(
        help: ArgumentHelp(
            "Start from a preset's settings (data-manifests/presets/NAME.json: minilm, mpnet-base, splade-tiny; or "
                + "a file); the options given here override it.", valueName: "NAME|FILE"))
    var preset: String?
    @Option(parsing: .unconditional, help: "Prompt vectors n (default \(TuneSettings().promptLength)).")
    var promptLength: Int?
    @Option(parsing: .unconditional, help: "Epochs (instead of --steps).") var epochs: Double?
    @Option(
        parsing: .unconditional,
        help: "Text tokens kept per example (longest-first truncation; default \(TuneSettings().maxTextTokens)).")
    var maxTextTokens: Int?
    @Option(
        help: "random | vocab | text:\"...\" | from:FILE (default random)",
        transform: { try PromptInit(parsing: $0) })
    var `init`: PromptInit?
    @Option(
        help: ArgumentHelp(
            "Template or its name: bert (\(PromptTemplate.bert)), roberta (the same with RoBERTa's double separator "
                + "between texts), paper-1.0 (the released RoBERTa prompts' layout: \(PromptTemplate.paper10)), "
                + "t5 (\(PromptTemplate.t5)), paper-1.0-t5 (the released T5 prompts' layout: "
                + "\(PromptTemplate.paper10T5)). Default: bert, roberta for RoBERTa and MPNet, t5 for T5.")
    ) var template = ""
    @Option(name: .shortAndLong, help: "Output prompt file (default out/prompts/TASK.MODEL.safetensors).")
    var output: String?
    @Option(help: "safetensors, or peft (a PEFT prompt-tuning adapter folder).") var format = TuneRun.defaultFormat
    @OptionGroup var optimizer: OptimizerOptions<TuneSettings>
    @OptionGroup var training: TrainingControlOptions
    @OptionGroup var data: DataFolderOptions
    @OptionGroup var threading: ThreadOptions

    public func validate() throws {
        try OptionRange.check("prompt-length", promptLength, 1...10_000)
        try OptionRange.positive("epochs", epochs)
        try OptionRange.check("max-text-tokens", maxTextTokens, OptionRange.textTokens)
        guard optimizer.steps == nil || epochs == nil else {
            throw ValidationError("give --steps or --epochs, not both")
        }
    }

    public func run() throws {
        threading.apply()
        var run = TuneRun(model: model)
        run.inputs = data.inputs
        if let preset { run.readout = try run.inputs.preset(preset).apply(to: &run.settings) }
        run.settings.task = task ?? ""
        if let promptLength { run.settings.promptLength = promptLength }
        if let maxTextTokens { run.settings.maxTextTokens = maxTextTokens }
        if let `init` { run.settings.initMode = `init` }
        if !template.isEmpty { run.settings.template = template }
        run.settings.verbalizer = verbalizer.map { $0.split(separator: ",").map(String.init) } ?? []
        try optimizer.apply(to: &run.settings)
        run.epochs = epochs
        if let readout { run.readout = readout }
        run.trainFile = train
        run.validationFile = validation
        run.fields = fields.choice.over(ExampleFields())
        run.name = name
        run.output = output
        run.format = format
        run.control = training.control
        try run.run()
    }
}

extension PromptOutputFormat: ExpressibleByArgument {}
