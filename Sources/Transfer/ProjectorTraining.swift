// The projector's training on the one training loop (Tuning's TrainingLoop): its settings, and
// its two objectives — through the frozen target's task loss, or by the distance to the target's
// own prompts — with the validation both share (the projected prompts' accuracy on the target).
import Foundation
import Models
import Plumbing
import Tensors
import Tuning

/// The settings that decide a trained projector (their defaults are the projector's).
public struct ProjectorSettings: TrainingSettings {
    public var learningRate: Float = 1e-4
    public var warmup = 0
    public var steps = 500
    public var decay = false
    public var weightDecay: Float = 0
    public var batchSize = 16
    public var seed: UInt64 = 0
    public var evalEvery = 0
    public var evalLimit: Int? = nil
    public var patience: Int? = nil
    public var minSteps: Int? = nil
    public var stopAtAccuracy: Double? = nil
    public var selection = Selection.trainSlice(size: Selection.defaultSize)
    public var hidden = 768
    public var activation = Projector.Activation.leakyrelu
    public var layerNorm = false
    public var maxTextTokens = 64

    public init() {}

    /// The recorded settings: the loop's own only where they differ from the defaults, so that a
    /// projector trained as before this loop existed records the same.
    public func json(
        objective: String, tasks: [String], n: Int, identities: (ModelIdentity, ModelIdentity),
        readout: Readout.Kind, template: String
    ) -> JSON {
        let defaults = ProjectorSettings()
        var members: [JSON.Member] = [
            .init("objective", .string(objective)), .init("tasks", .array(tasks.map { .string($0) })),
            .init("source_model", .string(identities.0.name)), .init("source_model_id", .string(identities.0.id)),
            .init("target_model", .string(identities.1.name)), .init("target_model_id", .string(identities.1.id)),
            .init("prompt_length", .number(n)), .init("hidden", .number(hidden)),
            .init("activation", .string(activation.rawValue)),
            .init("layer_norm", .bool(layerNorm)), .init("steps", .number(steps)), .init("lr", .number(learningRate)),
            .init("batch_size", .number(batchSize)), .init("max_text_tokens", .number(maxTextTokens)),
            .init("seed", .number(Int(seed))),
            .init("target_readout", .string(readout.rawValue)),
            .init("target_template", .string(template)),
        ]
        if warmup != defaults.warmup { members.append(.init("warmup", .number(warmup))) }
        if decay != defaults.decay { members.append(.init("schedule", .string(decay ? "linear" : "constant"))) }
        if weightDecay != defaults.weightDecay { members.append(.init("weight_decay", .number(weightDecay))) }
        if evalEvery != defaults.evalEvery { members.append(.init("eval_every", .number(evalEvery))) }
        if let evalLimit { members.append(.init("eval_limit", .number(evalLimit))) }
        members += recordedStopping
        if evalEvery > 0 || patience != nil { members.append(.init("selection", .string(selection.recorded))) }
        return .object(members)
    }
}

/// The projector trained through the frozen target model on the training tasks: step s trains
/// on task s mod T, with a seeded order per task; validation is the mean accuracy of the
/// projected prompts on the tasks' validation sets.
public final class ProjectorTaskObjective: TrainingObjective {
    let projector: Projector
    let firstPosition: Int
    let sources: [[Float]]
    let sets: [EncodedSet]
    let readers: [LabelReader]
    let validation: ProjectedValidation?
    let orders: [[Int]]
    let promptLength: Int
    let batchSize: Int

    public init(
        projector: Projector, firstPosition: Int, sources: [[Float]], sets: [EncodedSet], readers: [LabelReader],
        validation: ProjectedValidation?, promptLength: Int, settings: ProjectorSettings
    ) {
        self.projector = projector
        self.firstPosition = firstPosition
        self.sources = sources
        self.sets = sets
        self.readers = readers
        self.validation = validation
        self.promptLength = promptLength
        batchSize = settings.batchSize
        orders = sets.indices.map { k in
            var order = Array(0..<sets[k].count)
            var rng = SplitMix64(seed: settings.seed &+ UInt64(k + 1))
            order.seededShuffle(&rng)
            return order
        }
    }

    public func lossAndGradient(step: Int, parameters: [Float]) throws -> StepResult {
        projector.params = parameters
        let k = step % sets.count
        let set = sets[k]
        let round = step / sets.count
        let indices = (0..<batchSize).map { orders[k][(round * batchSize + $0) % set.count] }
        let prompt = projector.forward(sources[k], batch: 1)
        let logits = try readers[k].logits(
            set.input(indices[...], firstPosition: firstPosition), prompt: prompt, promptLength: promptLength)
        let (loss, dlogits, _) = crossEntropy(
            logits, labels: indices.map { set.labels[$0] }, classes: readers[k].words.count)
        let dPrompt = readers[k].promptGradient(dlogits, promptLength: promptLength)
        return StepResult(loss: loss, gradient: projector.backward(dPrompt), examples: indices.count)
    }

    public func evaluate(_ parameters: [Float]) throws -> (accuracy: Double, n: Int)? {
        try validation?.accuracy(of: parameters, projector: projector)
    }
}

/// The projector trained to map each training task's source prompt onto the target's own
/// prompt of that task (mean squared distance over all of them at every step); validated, when
/// validation sets are given, as the task objective is.
public final class ProjectorDistanceObjective: TrainingObjective {
    let projector: Projector
    let sources: [Float]
    let targets: [Float]
    let taskCount: Int
    let validation: ProjectedValidation?

    public init(projector: Projector, sources: [[Float]], targets: [[Float]], validation: ProjectedValidation?) {
        self.projector = projector
        self.sources = sources.flatMap { $0 }
        self.targets = targets.flatMap { $0 }
        taskCount = sources.count
        self.validation = validation
    }

    public func lossAndGradient(step: Int, parameters: [Float]) throws -> StepResult {
        projector.params = parameters
        let y = projector.forward(sources, batch: taskCount)
        var loss: Float = 0
        var dy = [Float](repeating: 0, count: y.count)
        for k in 0..<y.count {
            let e = y[k] - targets[k]
            loss += e * e
            dy[k] = 2 * e / Float(y.count)
        }
        return StepResult(loss: loss / Float(y.count), gradient: projector.backward(dy), examples: taskCount)
    }

    public func evaluate(_ parameters: [Float]) throws -> (accuracy: Double, n: Int)? {
        try validation?.accuracy(of: parameters, projector: projector)
    }
}

/// How both projector objectives validate: the projected prompts of the training tasks on the
/// target, the mean accuracy over the tasks and the examples counted.
public struct ProjectedValidation {
    let firstPosition: Int
    let sources: [[Float]]
    let sets: [EncodedSet]
    let readers: [LabelReader]
    let promptLength: Int

    public init(firstPosition: Int, sources: [[Float]], sets: [EncodedSet], readers: [LabelReader], promptLength: Int) {
        self.firstPosition = firstPosition
        self.sources = sources
        self.sets = sets
        self.readers = readers
        self.promptLength = promptLength
    }

    public func accuracy(of parameters: [Float], projector: Projector) throws -> (accuracy: Double, n: Int) {
        projector.params = parameters
        var sum = 0.0
        for k in sets.indices {
            let prompt = projector.forward(sources[k], batch: 1)
            let predictions = try predict(
                sets[k], prompt: prompt, promptLength: promptLength, reader: readers[k], firstPosition: firstPosition)
            sum += Tuning.accuracy(predictions, sets[k].labels)
        }
        return (sum / Double(sets.count), sets.reduce(0) { $0 + $1.count })
    }
}
