// The one training loop: AdamW on one flat parameter vector under a learning-rate schedule,
// periodic validation keeping the best parameters, early stopping, a time limit, checkpoints
// that resume to the bit-identical result, and JSON events. What is trained and how its loss
// is computed is an objective: prompt tuning (tune-prompt) and the projector's objectives
// (project train) are objectives of this loop.
import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tokenizers

/// The settings every trained thing has (a prompt, a projector); each conforming type holds its
/// own defaults, and `loop` is the loop's part of them.
public protocol TrainingSettings {
    var learningRate: Float { get set }
    var warmup: Int { get set }
    var steps: Int { get set }
    var decay: Bool { get set }
    var weightDecay: Float { get set }
    var batchSize: Int { get set }
    var seed: UInt64 { get set }
    var evalEvery: Int { get set }
    var evalLimit: Int? { get set }
    var patience: Int? { get set }
    var minSteps: Int? { get set }
    var stopAtAccuracy: Double? { get set }
    /// Where the best parameters are chosen (a slice of train by default).
    var selection: Selection { get set }
}

extension TrainingSettings {
    public var loop: LoopSettings {
        LoopSettings(
            learningRate: learningRate, warmup: warmup, steps: steps, decay: decay, weightDecay: weightDecay,
            evalEvery: evalEvery, patience: patience, minSteps: minSteps, stopAtAccuracy: stopAtAccuracy)
    }

    /// How the run may stop early, as recorded in its outputs: each setting only when it is set.
    public var recordedStopping: [JSON.Member] {
        var members: [JSON.Member] = []
        if let patience { members.append(.init("patience", .number(patience))) }
        if let minSteps { members.append(.init("min_steps", .number(minSteps))) }
        if let stopAtAccuracy { members.append(.init("stop_at_accuracy", .number(stopAtAccuracy))) }
        return members
    }
}

/// What the loop itself needs of the settings (the rest is the objective's).
public struct LoopSettings {
    public var learningRate: Float
    public var warmup: Int
    public var steps: Int
    /// Linear decay to 0 after warm-up; false: constant.
    public var decay: Bool
    public var weightDecay: Float
    /// Validate every K steps (and at the last one); 0: only at the last one.
    public var evalEvery: Int
    /// Stop after this many validations without a better accuracy.
    public var patience: Int?
    /// Early stopping waits until this step (a slow start's plateau is not convergence).
    public var minSteps: Int?
    /// Stop at the first validation whose accuracy is at least this (a target to reach, e.g. the
    /// best of a run from another start: the steps it took are the comparison).
    public var stopAtAccuracy: Double?

    public init(
        learningRate: Float, warmup: Int, steps: Int, decay: Bool, weightDecay: Float, evalEvery: Int,
        patience: Int?, minSteps: Int? = nil, stopAtAccuracy: Double? = nil
    ) {
        self.learningRate = learningRate
        self.warmup = warmup
        self.steps = steps
        self.decay = decay
        self.weightDecay = weightDecay
        self.evalEvery = evalEvery
        self.patience = patience
        self.minSteps = minSteps
        self.stopAtAccuracy = stopAtAccuracy
    }
}

/// One step's result.
public struct StepResult {
    public var loss: Float
    public var gradient: [Float]
    /// Examples the step saw (for the examples/s of the log).
    public var examples: Int

    public init(loss: Float, gradient: [Float], examples: Int) {
        self.loss = loss
        self.gradient = gradient
        self.examples = examples
    }
}

/// What a run trains: the loss and gradient of step `step` (0-based; the objective chooses its
/// batch from the step alone, so a resumed run sees the same batches) and a validation accuracy.
public protocol TrainingObjective: AnyObject {
    func lossAndGradient(step: Int, parameters: [Float]) throws -> StepResult
    /// Validation accuracy and the number of examples it is over; nil when there is nothing to
    /// validate on (then the last parameters are the result).
    func evaluate(_ parameters: [Float]) throws -> (accuracy: Double, n: Int)?
}

/// The state a checkpoint holds: enough to continue to the bit-identical result.
struct LoopState {
    var step = 0
    var parameters: [Float]
    var adam: AdamW
    var best: [Float]
    var bestAccuracy = -1.0
    var bestStep = 0
    /// Training time up to `step`, over every run that led here; nil after a checkpoint that
    /// did not record it.
    var seconds: Double? = 0
}

/// The loop. `recordedSettings` are all the settings that decide the result (the objective's
/// too): a checkpoint resumes only under the same ones and the same `modelId`.
public final class TrainingLoop {
    public let settings: LoopSettings
    let objective: TrainingObjective
    let recordedSettings: JSON
    let modelId: String
    /// The checkpoint's name for the parameters ("prompt", "projector").
    let parameterName: String
    var state: LoopState
    public var checkpointPath: String? = nil
    /// Without validation, a checkpoint every this many steps (else at every validation).
    public static let defaultCheckpointEvery = 200
    public static let defaultLogEvery = 50
    public var checkpointEvery = TrainingLoop.defaultCheckpointEvery
    public var timeLimit: Double? = nil
    public var logEvery = TrainingLoop.defaultLogEvery
    public var progress: ProgressLine? = nil
    /// Asked after every step: true stops the run there (SIGINT/SIGTERM), with the checkpoint
    /// written; `interrupted` then says so.
    public var stopRequested: () -> Bool = { false }
    public private(set) var interrupted = false
    /// When this run started, and the training seconds its checkpoint brought.
    private var runStart = Date()
    private var secondsBeforeRun: Double? = 0

    public init(
        settings: LoopSettings, objective: TrainingObjective, initial: [Float], recordedSettings: JSON,
        modelId: String, parameterName: String
    ) {
        self.settings = settings
        self.objective = objective
        self.recordedSettings = recordedSettings
        self.modelId = modelId
        self.parameterName = parameterName
        state = LoopState(
            parameters: initial, adam: AdamW(count: initial.count, weightDecay: settings.weightDecay), best: initial)
    }

    public var step: Int { state.step }
    /// The best parameters so far (the last ones when nothing is validated).
    public var best: [Float] { state.best }
    public var bestAccuracy: Double { state.bestAccuracy }
    public var bestStep: Int { state.bestStep }
    /// Seconds of training over every run of this result (resumed ones too: the time up to the
    /// checkpoint resumed from, plus this run's); nil when a checkpoint did not record it.
    public var trainingSeconds: Double? { secondsBeforeRun.map { $0 + Date().timeIntervalSince(runStart) } }

    /// Runs a selection pass (the selection slice of train, or validation when asked), keeps the
    /// parameters when they are the best so far, and emits the event.
    private func validate(emit: (JSON) -> Void) throws {
        progress?.phase("selection pass")
        guard let (accuracy, n) = try objective.evaluate(state.parameters) else {
            state.best = state.parameters
            state.bestStep = state.step
            return
        }
        let better = accuracy > state.bestAccuracy
        let best = max(accuracy, state.bestAccuracy)
        progress?.note = String(format: "selection %.1f %% (best %.1f %%)", accuracy * 100, best * 100)
        if better {
            state.bestAccuracy = accuracy
            state.best = state.parameters
            state.bestStep = state.step
        }
        emit(
            .object([
                .init("event", .string("eval")), .init("step", .number(state.step)),
                .init("accuracy", .number(accuracy)), .init("n", .number(n)), .init("best", .bool(better)),
            ]))
    }

    /// Runs to the last step (or the time limit, early stop, a stop request), emitting one JSON
    /// event per log / validation.
    public func run(emit: (JSON) -> Void) throws {
        let schedule = Schedule(
            peak: settings.learningRate, warmup: settings.warmup, total: settings.steps, decay: settings.decay)
        runStart = Date()
        secondsBeforeRun = state.seconds
        var windowStart = Date()
        var windowExamples = 0
        var windowLoss: Double = 0
        var windowSteps = 0
        if state.step == 0, state.bestAccuracy < 0, settings.evalEvery > 0 {
            try validate(emit: emit)
        }
        while state.step < settings.steps {
            let result = try objective.lossAndGradient(step: state.step, parameters: state.parameters)
            guard result.loss.isFinite, result.gradient.allSatisfy({ $0.isFinite }) else {
                throw ToolError(
                    "loss became \(result.loss) at step \(state.step + 1); stopped"
                        + (checkpointPath.map { ", the last good checkpoint is \($0)" } ?? ""))
            }
            let lr = schedule.rate(state.step)
            var next = state
            next.adam.step(&next.parameters, result.gradient, lr: lr)
            guard next.parameters.allSatisfy({ $0.isFinite }) else {
                throw ToolError(
                    "the \(parameterName) became non-finite at step \(state.step + 1) (learning rate \(lr)); stopped"
                        + (checkpointPath.map { ", the last good checkpoint is \($0)" } ?? ""))
            }
            state = next
            state.step += 1
            windowExamples += result.examples
            windowLoss += Double(result.loss)
            windowSteps += 1
            progress?.advance()
            let timeUp = timeLimit.map { Date().timeIntervalSince(runStart) >= $0 } ?? false
            if stopRequested() {
                interrupted = true
                if let checkpointPath { try saveCheckpoint(checkpointPath) }
                emit(
                    .object([
                        .init("event", .string("interrupted")), .init("step", .number(state.step)),
                        .init("best_step", .number(state.bestStep)),
                        .init("checkpoint", checkpointPath.map { .string($0) } ?? .null),
                    ]))
                break
            }
            let last = state.step == settings.steps || timeUp
            if state.step % logEvery == 0 || last {
                let dt = Date().timeIntervalSince(windowStart)
                emit(
                    .object([
                        .init("event", .string("train")), .init("step", .number(state.step)),
                        .init("loss", .number(windowLoss / Double(windowSteps))),
                        .init("lr", .number(Double(lr), significant: 6)),
                        .init("examples_per_s", .tenths(Double(windowExamples) / max(dt, 1e-9))),
                    ]))
                windowStart = Date()
                windowExamples = 0
                windowLoss = 0
                windowSteps = 0
            }
            if (settings.evalEvery > 0 && state.step % settings.evalEvery == 0) || last {
                try validate(emit: emit)
            }
            let reached = !last && reachedTarget
            let converged = !last && !reached && isStale
            if converged {
                emit(
                    .object([
                        .init("event", .string("early_stop")), .init("step", .number(state.step)),
                        .init("best_step", .number(state.bestStep)), .init("patience", .number(settings.patience!)),
                    ]))
            }
            if reached {
                emit(
                    .object([
                        .init("event", .string("target_reached")), .init("step", .number(state.step)),
                        .init("accuracy", .number(state.bestAccuracy)),
                        .init("target", .number(settings.stopAtAccuracy!)),
                    ]))
            }
            if let checkpointPath, state.step % checkpointEvery == 0 || last || converged || reached {
                try saveCheckpoint(checkpointPath)
            }
            if timeUp || converged || reached { break }
        }
    }

    /// At a validation step: the best accuracy has reached `stopAtAccuracy`.
    var reachedTarget: Bool {
        guard let target = settings.stopAtAccuracy, settings.evalEvery > 0, state.step % settings.evalEvery == 0 else {
            return false
        }
        return state.bestStep == state.step && state.bestAccuracy >= target
    }

    /// At a validation step at or after `minSteps`: `patience` validations have passed without a
    /// better accuracy.
    var isStale: Bool {
        guard let patience = settings.patience, settings.evalEvery > 0, state.step % settings.evalEvery == 0,
            state.step >= settings.minSteps ?? 0
        else {
            return false
        }
        return state.step - state.bestStep >= patience * settings.evalEvery
    }

    // MARK: checkpoints

    var fingerprint: String { recordedSettings.text + "|" + modelId }

    func saveCheckpoint(_ path: String) throws {
        state.seconds = trainingSeconds
        let n = state.parameters.count
        let t = { (v: [Float]) in Tensor(shape: [n], values: v) }
        try SafetensorsWriter.write(
            [
                (parameterName, t(state.parameters)), ("adam_m", t(state.adam.m)), ("adam_v", t(state.adam.v)),
                ("best", t(state.best)),
            ],
            metadata: [
                "step": String(state.step), "adam_t": String(state.adam.t),
                "best_accuracy": String(state.bestAccuracy), "best_step": String(state.bestStep),
                "fingerprint": fingerprint, "toolkit_version": toolkitVersion,
                "settings": recordedSettings.text, "model_id": modelId,
            ].merging(state.seconds.map { ["seconds": String($0)] } ?? [:]) { a, _ in a },
            to: path)
    }

    /// Continues from a checkpoint written under the same settings and model.
    public func resume(from path: String) throws {
        let f = try SafetensorsFile(path: path)
        guard f.metadata["fingerprint"] == fingerprint else {
            throw ToolError.usage(
                "\(path): checkpoint was written with other settings or another model ("
                    + differences(f.metadata).joined(separator: "; ")
                    + "); remove it or run without --resume")
        }
        guard let step = Int(f.metadata["step"] ?? ""), let t = Int(f.metadata["adam_t"] ?? ""),
            let best = Double(f.metadata["best_accuracy"] ?? ""), let bestStep = Int(f.metadata["best_step"] ?? "")
        else {
            throw ToolError.data(path, "checkpoint metadata is incomplete")
        }
        let count = state.parameters.count
        let tensors = try [parameterName, "adam_m", "adam_v", "best"].map { try f.tensor($0).array }
        guard tensors.allSatisfy({ $0.count == count }) else {
            throw ToolError.data(path, "checkpoint \(parameterName) has the wrong size")
        }
        state.step = step
        state.adam.t = t
        state.bestAccuracy = best
        state.bestStep = bestStep
        state.parameters = tensors[0]
        state.adam.m = tensors[1]
        state.adam.v = tensors[2]
        state.best = tensors[3]
        state.seconds = f.metadata["seconds"].flatMap { Double($0) }.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    }

    /// Each setting (and the model) in which a checkpoint differs from this run, for the
    /// message of a refused --resume.
    func differences(_ metadata: [String: String]) -> [String] {
        var found: [String] = []
        if let id = metadata["model_id"], id != modelId {
            found.append("model id \(id) vs \(modelId)")
        }
        guard let text = metadata["settings"], let theirs = try? JSON.parse(text), let members = theirs.members else {
            return found + ["the checkpoint does not record its settings"]
        }
        let mine = recordedSettings
        for member in mine.members ?? [] where theirs[member.key]?.text != member.value.text {
            found.append(
                "\(member.key) \(theirs[member.key]?.text ?? "absent") in the checkpoint vs \(member.value.text)")
        }
        for member in members where mine[member.key] == nil {
            found.append("\(member.key) only in the checkpoint")
        }
        return found.isEmpty ? ["the checkpoint's fingerprint differs"] : found
    }
}
