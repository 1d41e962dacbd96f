// The options of everything that trains (tune-prompt, project train), declared once. Their
// defaults belong to what is trained (TuneSettings, ProjectorSettings), so the options are
// optional here and only a given one overrides the default.
import ArgumentParser
import Pipelines
import Transfer
import Tuning

/// Settings whose defaults the options show: what a tool trains (TuneSettings, ProjectorSettings).
public protocol DefaultedSettings: TrainingSettings {
    init()
}

extension TuneSettings: DefaultedSettings {}
extension ProjectorSettings: DefaultedSettings {}

/// The optimiser, the schedule, the batches, validation and early stopping, with the defaults of
/// what the tool trains (`Settings`).
public struct OptimizerOptions<Settings: DefaultedSettings>: ParsableArguments {
    static func defaults<T>(_ value: (Settings) -> T) -> String { "default \(value(Settings()))" }

    @Option(parsing: .unconditional, help: "Peak learning rate (AdamW; \(defaults { $0.learningRate })).")
    public var lr: Float?
    @Option(parsing: .unconditional, help: "Linear warm-up steps (\(defaults { $0.warmup })).")
    public var warmup: Int?
    @Option(
        parsing: .unconditional,
        help: "Training steps; 0 writes the initial parameters, e.g. a random baseline (\(defaults { $0.steps })).")
    public var steps: Int?
    @Flag(help: "Keep the learning rate constant after warm-up\(Settings().decay ? "" : " (the default)").")
    public var constantLr = false
    @Flag(help: "Decay the learning rate linearly to 0 after warm-up\(Settings().decay ? " (the default)" : "").")
    public var linearDecay = false
    @Option(parsing: .unconditional, help: "AdamW weight decay (\(defaults { $0.weightDecay })).")
    public var weightDecay: Float?
    @Option(parsing: .unconditional, help: "Examples per step (\(defaults { $0.batchSize })).")
    public var batchSize: Int?
    @Option(parsing: .unconditional, help: "Seed of the initialisation and the batch order (default 0).")
    public var seed: UInt64?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Validate every K steps and keep the best; 0: the final parameters are the result "
                + "(\(defaults { $0.evalEvery }))."))
    public var evalEvery: Int?
    @Option(
        parsing: .unconditional,
        help: "Each validation pass reads a seeded sample of at most N selection examples (per task).")
    public var evalLimit: Int?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The best is chosen on a seeded slice of at most N train examples (and at most a tenth of train), "
                + "carved out before training and grouped by first text (default \(Selection.defaultSize)).",
            valueName: "N"))
    public var selectionSize: Int?
    @Flag(
        help: ArgumentHelp(
            "Choose the best on the validation split instead of a slice of train (the old behaviour: a number "
                + "then reported on validation was chosen on the examples it reports)."))
    public var selectOnValidation = false
    @Option(
        parsing: .unconditional,
        help: "Early stopping: stop after K validations without a better accuracy (--steps is the cap).")
    public var patience: Int?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "With --patience: early stopping waits until step N (a slow start's plateau is not convergence).",
            valueName: "N"))
    public var minSteps: Int?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Stop at the first validation whose accuracy is at least A (0…1; e.g. the best of a run from "
                + "another start, to count the steps this one needs).", valueName: "A"))
    public var stopAtAccuracy: Double?

    public init() {}

    public func validate() throws {
        try OptionRange.check("warmup", warmup, 0...Int.max)
        try OptionRange.check("steps", steps, 0...Int.max)
        try OptionRange.check("batch-size", batchSize, OptionRange.batchSize)
        try OptionRange.check("eval-every", evalEvery, 0...Int.max)
        try OptionRange.check("eval-limit", evalLimit, 1...Int.max)
        try OptionRange.check("selection-size", selectionSize, 1...Int.max)
        guard !(selectOnValidation && selectionSize != nil) else {
            throw ValidationError("--selection-size carves a slice of train; --select-on-validation uses none")
        }
        try OptionRange.check("patience", patience, 1...Int.max)
        try OptionRange.check("min-steps", minSteps, 0...Int.max)
        try OptionRange.positive("lr", lr)
        if let stopAtAccuracy {
            guard stopAtAccuracy.isFinite, (0...1).contains(stopAtAccuracy) else {
                throw ValidationError("--stop-at-accuracy must be between 0 and 1")
            }
        }
        if let weightDecay {
            guard weightDecay.isFinite, weightDecay >= 0 else {
                throw ValidationError("--weight-decay must be 0 or more")
            }
        }
        guard !(constantLr && linearDecay) else { throw ValidationError("give --constant-lr or --linear-decay") }
    }

    /// The given options over `settings`' defaults.
    public func apply(to settings: inout Settings) throws {
        if let lr { settings.learningRate = lr }
        if let warmup { settings.warmup = warmup }
        if let steps { settings.steps = steps }
        if constantLr { settings.decay = false }
        if linearDecay { settings.decay = true }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let batchSize { settings.batchSize = batchSize }
        if let seed { settings.seed = seed }
        if let evalEvery { settings.evalEvery = evalEvery }
        if let evalLimit { settings.evalLimit = evalLimit }
        if let patience { settings.patience = patience }
        if let minSteps { settings.minSteps = minSteps }
        if let stopAtAccuracy { settings.stopAtAccuracy = stopAtAccuracy }
        if let selectionSize { settings.selection = .trainSlice(size: selectionSize) }
        if selectOnValidation { settings.selection = .validation }
        guard settings.patience == nil || settings.evalEvery > 0 else {
            throw ValidationError("--patience needs --eval-every above 0")
        }
        guard settings.minSteps == nil || settings.patience != nil else {
            throw ValidationError("--min-steps delays early stopping: it needs --patience")
        }
        guard settings.stopAtAccuracy == nil || settings.evalEvery > 0 else {
            throw ValidationError("--stop-at-accuracy needs --eval-every above 0")
        }
    }
}

/// Checkpoints, resuming, overwriting and time limits of a training run.
public struct TrainingControlOptions: ParsableArguments {
    @Option(help: "Checkpoint file (default OUTPUT.ckpt).") public var checkpoint: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Write the checkpoint every K steps (default: --eval-every, else "
                + "\(TrainingLoop.defaultCheckpointEvery))."))
    public var checkpointEvery: Int?
    @Flag(help: "Continue from the checkpoint, to the same result an uninterrupted run gives.") public var resume =
        false
    @Flag(help: "Keep the checkpoint after a completed run (it is removed by default).")
    public var keepCheckpoint = false
    @Flag(help: "Overwrite a finished output (without it, an existing output is an error).") public var force = false
    @Option(
        parsing: .unconditional,
        help: "Stop after this many seconds of training (the step count then depends on speed).")
    public var timeLimit: Double?
    @Option(
        parsing: .unconditional, help: "Log the training loss every K steps (default \(TrainingLoop.defaultLogEvery)).")
    public var logEvery: Int?
    @OptionGroup public var reporting: ProgressOption

    public init() {}

    public func validate() throws {
        try OptionRange.check("checkpoint-every", checkpointEvery, 1...Int.max)
        try OptionRange.positive("time-limit", timeLimit)
        try OptionRange.check("log-every", logEvery, 1...Int.max)
        guard !(force && resume) else { throw ValidationError("--force starts over and --resume continues: give one") }
    }

    public var control: TrainingControl {
        var control = TrainingControl()
        control.checkpoint = checkpoint
        control.checkpointEvery = checkpointEvery
        control.resume = resume
        control.keepCheckpoint = keepCheckpoint
        control.force = force
        control.timeLimit = timeLimit
        control.logEvery = logEvery
        control.progress = reporting.progress
        return control
    }
}
