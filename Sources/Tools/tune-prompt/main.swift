import ArgumentParser
import Pipelines
import Plumbing
import ToolOptions
import Tuning

extension Readout.Kind: ExpressibleByArgument {}

struct TunePrompt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-prompt",
        abstract: "Learn a soft prompt for a task on a frozen model (AdamW on the prompt alone).",
        discussion: """
            Input layout (--template): [CLS] P1..Pn [MASK] text_a [SEP] (text_b [SEP]) — for RoBERTa \
            <s> P1..Pn <mask> text_a </s> (</s> text_b </s>) — or the paper's 1.0 layout \
            (paper-1.0); the label is read at [MASK] through the MLM head restricted to the task's \
            label words (--readout mlm) or \
            through the model's input word embeddings (--readout tied, for encoders without a head). \
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
            """,
        version: toolkitVersion)

    @Option(help: "Model folder.") var model: String
    @Option(help: "Task (data-manifests/TASK.json); its prepared splits are read from --data-dir.") var task: String?
    @Option(help: "Training JSON lines instead of the task's train split.") var train: String?
    @Option(help: "Validation JSON lines instead of the task's validation split.") var validation: String?
    @Option(help: "Label words, comma-separated (default: the task's verbalizer).") var verbalizer: String?
    @Option(help: "mlm (the model's MLM head) or tied (h · word embeddings); default mlm when the model has a head.")
    var readout: Readout.Kind?
    @Option(parsing: .unconditional, help: "Prompt vectors n.") var promptLength = 100
    @Option(parsing: .unconditional, help: "Peak learning rate.") var lr: Float = 0.01
    @Option(parsing: .unconditional, help: "Linear warm-up steps.") var warmup = 50
    @Option(parsing: .unconditional, help: "Training steps (0 writes the initial prompt, e.g. a random baseline).")
    var steps: Int?
    @Option(parsing: .unconditional, help: "Epochs (instead of --steps).") var epochs: Double?
    @Option(parsing: .unconditional, help: "Examples per step.") var batchSize = 32
    @Option(parsing: .unconditional, help: "Text tokens kept per example (longest-first truncation).")
    var maxTextTokens = 128
    @Option(parsing: .unconditional, help: "AdamW weight decay.") var weightDecay: Float = 0
    @Flag(help: "Keep the learning rate constant after warm-up (default: linear decay to 0).") var constantLr = false
    @Option(help: "random | vocab | text:\"...\" | from:FILE") var `init` = "random"
    @Option(parsing: .unconditional, help: "Seed of the initialisation and the batch order.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Evaluate on validation every K steps.") var evalEvery = 200
    @Option(parsing: .unconditional, help: "Evaluate on a seeded sample of at most N validation examples.")
    var evalLimit: Int?
    @Option(
        parsing: .unconditional,
        help: "Early stopping: stop after K evaluations without a better validation accuracy (--steps is the cap).")
    var patience: Int?
    @Option(
        help: ArgumentHelp(
            "Template or its name: bert (\(PromptTemplate.bert)), roberta (the same with RoBERTa's double separator "
            + "between texts), paper-1.0 (the released RoBERTa prompts' layout: \(PromptTemplate.paper10)). Default: "
            + "bert, or roberta for a RoBERTa model.")
    ) var template = ""
    @Option(name: .shortAndLong, help: "Output prompt file (default out/prompts/TASK.MODEL.safetensors).") var output:
        String?
    @Option(help: "safetensors, or peft (a PEFT prompt-tuning adapter folder).") var format = "safetensors"
    @Option(help: "Checkpoint file (default OUTPUT.ckpt).") var checkpoint: String?
    @Option(parsing: .unconditional, help: "Write the checkpoint every K steps (default: --eval-every).")
    var checkpointEvery: Int?
    @Flag(help: "Continue from the checkpoint, to the same prompt an uninterrupted run gives.") var resume = false
    @Flag(help: "Keep the checkpoint after a completed run (it is removed by default).") var keepCheckpoint = false
    @Flag(help: "Overwrite a finished prompt at --output (without it, an existing output is an error).")
    var force = false
    @Option(
        parsing: .unconditional,
        help: "Stop after this many seconds of training (the step count then depends on speed).")
    var timeLimit: Double?
    @Option(parsing: .unconditional, help: "Log the training loss every K steps.") var logEvery = 50
    @OptionGroup var data: DataFolderOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var reporting: ProgressOption

    func validate() throws {
        try OptionRange.check("prompt-length", promptLength, 1...10_000)
        try OptionRange.check("warmup", warmup, 0...Int.max)
        try OptionRange.check("steps", steps, 0...Int.max)
        try OptionRange.positive("epochs", epochs)
        try OptionRange.check("batch-size", batchSize, 1...4096)
        try OptionRange.check("max-text-tokens", maxTextTokens, 1...100_000)
        try OptionRange.check("eval-every", evalEvery, 0...Int.max)
        try OptionRange.check("eval-limit", evalLimit, 1...Int.max)
        try OptionRange.check("patience", patience, 1...Int.max)
        guard patience == nil || evalEvery > 0 else { throw ValidationError("--patience needs --eval-every above 0") }
        try OptionRange.check("checkpoint-every", checkpointEvery, 1...Int.max)
        try OptionRange.positive("time-limit", timeLimit)
        try OptionRange.check("log-every", logEvery, 1...Int.max)
        try OptionRange.positive("lr", lr)
        guard weightDecay.isFinite, weightDecay >= 0 else { throw ValidationError("--weight-decay must be 0 or more") }
        guard steps == nil || epochs == nil else { throw ValidationError("give --steps or --epochs, not both") }
        guard ["safetensors", "peft"].contains(format) else { throw ValidationError("--format is safetensors or peft") }
        guard !(force && resume) else { throw ValidationError("--force starts over and --resume continues: give one") }
    }

    func run() throws {
        threading.apply()
        var r = TuneRun(model: model)
        var s = TuneSettings()
        s.task = task ?? ""
        s.promptLength = promptLength
        s.learningRate = lr
        s.warmup = warmup
        s.batchSize = batchSize
        s.maxTextTokens = maxTextTokens
        s.weightDecay = weightDecay
        s.decay = !constantLr
        s.initMode = try PromptInit(parsing: `init`)
        s.seed = seed
        s.evalEvery = evalEvery
        s.evalLimit = evalLimit
        s.template = template
        s.patience = patience
        s.verbalizer = verbalizer.map { $0.split(separator: ",").map(String.init) } ?? []
        r.epochs = epochs
        s.steps = steps ?? 1000
        r.settings = s
        r.readout = readout
        r.trainFile = train
        r.validationFile = validation
        r.output = output
        r.format = format
        r.checkpoint = checkpoint
        r.checkpointEvery = checkpointEvery
        r.resume = resume
        r.force = force
        r.keepCheckpoint = keepCheckpoint
        r.timeLimit = timeLimit
        r.logEvery = logEvery
        r.progress = reporting.progress
        r.inputs = data.inputs
        try r.run()
    }
}

ToolMain.run(TunePrompt.self)
