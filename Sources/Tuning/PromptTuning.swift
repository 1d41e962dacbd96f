// Prompt tuning as an objective of the training loop: the prompt is the parameter vector, the
// loss the verbalizer cross-entropy at [MASK] on seeded epoch-wise batches, the validation the
// accuracy on the validation set; and the prompt file a finished run writes.
import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors

/// Everything that decides the result of a tuning run (recorded in outputs; a checkpoint
/// resumes only under the same settings).
public struct TuneSettings: TrainingSettings {
    public var task = ""
    public var promptLength = 100
    public var learningRate: Float = 0.01
    public var warmup = 50
    public var steps = 1000
    public var batchSize = 32
    public var maxTextTokens = 128
    public var seed: UInt64 = 0
    public var initMode = PromptInit.random
    public var readout = Readout.Kind.mlm
    public var weightDecay: Float = 0
    public var decay = true
    public var evalEvery = 200
    public var evalLimit: Int? = nil
    /// A template or its name; empty: the model family's default.
    public var template = ""
    public var verbalizer: [String] = []
    /// Early stopping: stop after this many evaluations without a better validation accuracy
    /// (`steps` is then the cap).
    public var patience: Int? = nil
    /// Early stopping waits until this step (recorded only when set).
    public var minSteps: Int? = nil
    /// Stop at the first validation at or above this accuracy (recorded only when set).
    public var stopAtAccuracy: Double? = nil
    public var selection = Selection.trainSlice(size: Selection.defaultSize)
    /// The prompt's name (default: the task, else the training file's name).
    public var name = ""
    /// How a training file of one's own was read (nil: the task's prepared splits); recorded.
    public var fields: ExampleFields? = nil
    /// The preset the settings started from (recorded when there is one).
    public var preset: String? = nil
    /// The class names, in class order (recorded in the prompt file).
    public var labels: [String] = []

    public init() {}

    public var json: JSON {
        var members: [JSON.Member] = [
            .init("task", .string(task)), .init("prompt_length", .number(promptLength)),
            .init("lr", .number(learningRate)), .init("warmup", .number(warmup)), .init("steps", .number(steps)),
            .init("batch_size", .number(batchSize)), .init("max_text_tokens", .number(maxTextTokens)),
            .init("seed", .number(Int(seed))), .init("init", .string(initMode.description)),
            .init("readout", .string(readout.rawValue)), .init("weight_decay", .number(weightDecay)),
            .init("schedule", .string(decay ? "linear" : "constant")), .init("eval_every", .number(evalEvery)),
            .init("eval_limit", evalLimit.map { .number($0) } ?? .null), .init("template", .string(template)),
            .init("verbalizer", .array(verbalizer.map { .string($0) })),
            .init("selection", .string(selection.recorded)),
        ]
        if let fields { members.append(.init("example_fields", fields.json)) }
        if let preset { members.append(.init("preset", .string(preset))) }
        members += recordedStopping
        return .object(members)
    }
}

/// Soft prompt tuning: the prompt alone is trained, the encoder and readout frozen.
public final class PromptTuningObjective: TrainingObjective {
    public let settings: TuneSettings
    let reader: LabelReader
    let hidden: Int
    let firstPosition: Int
    let train: EncodedSet, validation: EncodedSet
    /// What the run records of its selection examples (split, size, seed, n).
    let selection: JSON

    public init(
        settings: TuneSettings, model: FrozenModel, reader: LabelReader, train: EncodedSet, validation: EncodedSet,
        selection: JSON
    ) {
        self.selection = selection
        self.settings = settings
        self.reader = reader
        hidden = model.hidden
        firstPosition = model.firstPosition
        self.train = train
        self.validation = validation
    }

    var stepsPerEpoch: Int { max(1, (train.count + settings.batchSize - 1) / settings.batchSize) }

    /// The examples of a step: epoch-wise seeded permutations, so any step's batch is known
    /// without replaying the ones before it.
    private var cachedEpoch = -1
    private var order: [Int] = []
    func batch(_ step: Int) -> ArraySlice<Int> {
        let epoch = step / stepsPerEpoch
        let within = step % stepsPerEpoch
        if epoch != cachedEpoch {
            order = Array(0..<train.count)
            var rng = SplitMix64(seed: settings.seed &* 0x9E37_79B9 &+ UInt64(epoch) &+ 1)
            order.seededShuffle(&rng)
            cachedEpoch = epoch
        }
        return order[(within * settings.batchSize)..<min((within + 1) * settings.batchSize, train.count)]
    }

    public func lossAndGradient(step: Int, parameters prompt: [Float]) throws -> StepResult {
        let indices = batch(step)
        let n = settings.promptLength
        let logits = try reader.logits(
            train.input(indices, firstPosition: firstPosition), prompt: prompt, promptLength: n)
        let (loss, dlogits, _) = crossEntropy(
            logits, labels: indices.map { train.labels[$0] }, classes: reader.words.count)
        let gradient = reader.promptGradient(dlogits, promptLength: n)
        return StepResult(loss: loss, gradient: gradient, examples: indices.count)
    }

    public func evaluate(_ prompt: [Float]) throws -> (accuracy: Double, n: Int)? {
        guard validation.count > 0 else { return nil }  // a run that does not validate: the last prompt
        let predictions = try predict(
            validation, prompt: prompt, promptLength: settings.promptLength, reader: reader,
            firstPosition: firstPosition)
        return (accuracy(predictions, validation.labels), validation.count)
    }

    /// The best prompt of a run, with everything that says how it was made.
    public func promptFile(of loop: TrainingLoop, identity: ModelIdentity) -> PromptFile {
        let C = hidden
        var meta = [
            "format": "prompt-transfer/prompt", "toolkit_version": toolkitVersion, "task": settings.task,
            "model": identity.name, "model_id": identity.id, "hidden_size": String(C),
            "prompt_length": String(settings.promptLength), "template": settings.template,
            "readout": settings.readout.rawValue,
            "verbalizer": JSON.array(settings.verbalizer.map { .string($0) }).text,
            "label_word_ids": JSON.array(reader.words.map { .number($0) }).text,
            "steps": String(loop.step), "best_step": String(loop.bestStep), "seed": String(settings.seed),
            "best_selection_accuracy": String(loop.bestAccuracy), "selection": selection.text,
            "train_n": String(train.count),
            "init": settings.initMode.description, "settings": settings.json.text,
            "matrix_backend": JSON.matrixBackend.text,
        ]
        meta["name"] = settings.name.isEmpty ? settings.task : settings.name
        if !settings.labels.isEmpty { meta["labels"] = JSON.array(settings.labels.map { .string($0) }).text }
        if let fields = settings.fields { meta["example_fields"] = fields.json.text }
        return PromptFile(
            prompt: Tensor(shape: [settings.promptLength, C], values: loop.best), metadata: meta, path: "")
    }
}
