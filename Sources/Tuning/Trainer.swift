import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tokenizers

/// Everything that decides the result of a tuning run (recorded in outputs; a checkpoint
/// resumes only under the same settings).
public struct TuneSettings {
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

    public init() {}

    public var json: JSON {
        .object(
            [
                .init("task", .string(task)), .init("prompt_length", .number(promptLength)),
                .init("lr", .number(learningRate)), .init("warmup", .number(warmup)), .init("steps", .number(steps)),
                .init("batch_size", .number(batchSize)), .init("max_text_tokens", .number(maxTextTokens)),
                .init("seed", .number(Int(seed))), .init("init", .string(initMode.description)),
                .init("readout", .string(readout.rawValue)), .init("weight_decay", .number(weightDecay)),
                .init("schedule", .string(decay ? "linear" : "constant")), .init("eval_every", .number(evalEvery)),
                .init("eval_limit", evalLimit.map { .number($0) } ?? .null), .init("template", .string(template)),
                .init("verbalizer", .array(verbalizer.map { .string($0) })),
            ] + (patience.map { [.init("patience", .number($0))] } ?? []))
    }
}

/// The state a checkpoint holds: enough to continue to the bit-identical result.
struct TuneState {
    var step = 0
    var prompt: [Float]
    var adam: AdamW
    var best: [Float]
    var bestAccuracy = -1.0
    var bestStep = 0
}

/// Soft prompt tuning: AdamW on the prompt alone, the encoder and readout frozen.
public final class Trainer {
    public let settings: TuneSettings
    let encoder: PromptEncoder
    let readout: Readout
    let train: EncodedSet, validation: EncodedSet
    let identity: ModelIdentity
    var state: TuneState
    public var checkpointPath: String? = nil
    public var checkpointEvery = 200
    public var timeLimit: Double? = nil
    public var logEvery = 50
    public var progress: ProgressLine? = nil
    /// Asked after every step: true stops the run there (SIGINT/SIGTERM), with the checkpoint
    /// written; `interrupted` then says so.
    public var stopRequested: () -> Bool = { false }
    public private(set) var interrupted = false

    public init(
        settings: TuneSettings, encoder: Encoder, readout: Readout, train: EncodedSet, validation: EncodedSet,
        identity: ModelIdentity, initial: [Float]
    ) {
        self.settings = settings
        self.encoder = PromptEncoder(encoder: encoder)
        self.readout = readout
        self.train = train
        self.validation = validation
        self.identity = identity
        state = TuneState(
            prompt: initial, adam: AdamW(count: initial.count, weightDecay: settings.weightDecay), best: initial)
    }

    var stepsPerEpoch: Int { max(1, (train.count + settings.batchSize - 1) / settings.batchSize) }

    /// The examples of a step: epoch-wise seeded permutations, so any step's batch is known
    /// without replaying the ones before it.
    private var cachedEpoch = -1, order: [Int] = []
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

    /// Loss and prompt gradient on one batch.
    func lossAndGradient(_ indices: ArraySlice<Int>) throws -> (Float, [Float]) {
        let n = settings.promptLength
        let C = encoder.encoder.config.hidden
        let h = try encoder.forward(
            train.input(indices, firstPosition: encoder.encoder.config.firstPosition),
            prompt: state.prompt, promptLength: n)
        let logits = readout.forward(h, rows: indices.count)
        let (loss, dlogits, _) = crossEntropy(
            logits, labels: indices.map { train.labels[$0] }, classes: readout.words.count)
        var g = [Float](repeating: 0, count: n * C)
        encoder.backward(readout.backward(dlogits), dPrompt: &g, promptLength: n)
        return (loss, g)
    }

    public func evaluate(_ prompt: [Float]) throws -> Double {
        accuracy(
            try predict(
                validation, prompt: prompt, promptLength: settings.promptLength, encoder: encoder, readout: readout),
            validation.labels)
    }

    /// Runs to the last step (or the time limit), emitting one JSON event per log / eval.
    /// Returns the best prompt and its metadata.
    public func run(emit: (JSON) -> Void) throws -> PromptFile {
        let schedule = Schedule(
            peak: settings.learningRate, warmup: settings.warmup, total: settings.steps, decay: settings.decay)
        let start = Date()
        var windowStart = Date()
        var windowExamples = 0
        var windowLoss: Double = 0
        var windowSteps = 0
        if state.step == 0, state.bestAccuracy < 0, settings.evalEvery > 0 {
            let acc = try evaluate(state.prompt)
            state.bestAccuracy = acc
            state.best = state.prompt
            emit(
                .object([
                    .init("event", .string("eval")), .init("step", .number(0)), .init("accuracy", .number(acc)),
                    .init("n", .number(validation.count)), .init("best", .bool(true)),
                ]))
        }
        while state.step < settings.steps {
            let idx = batch(state.step)
            let (loss, grad) = try lossAndGradient(idx)
            guard loss.isFinite, grad.allSatisfy({ $0.isFinite }) else {
                throw ToolError(
                    "loss became \(loss) at step \(state.step + 1); stopped"
                        + (checkpointPath.map { ", the last good checkpoint is \($0)" } ?? ""))
            }
            let lr = schedule.rate(state.step)
            var next = state
            next.adam.step(&next.prompt, grad, lr: lr)
            guard next.prompt.allSatisfy({ $0.isFinite }) else {
                throw ToolError(
                    "the prompt became non-finite at step \(state.step + 1) (learning rate \(lr)); stopped"
                        + (checkpointPath.map { ", the last good checkpoint is \($0)" } ?? ""))
            }
            state = next
            state.step += 1
            windowExamples += idx.count
            windowLoss += Double(loss)
            windowSteps += 1
            progress?.advance()
            let timeUp = timeLimit.map { Date().timeIntervalSince(start) >= $0 } ?? false
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
                        .init("loss", .number(windowLoss / Double(windowSteps))), .init("lr", .number(lr)),
                        .init("examples_per_s", .number((Double(windowExamples) / max(dt, 1e-9) * 10).rounded() / 10)),
                    ]))
                windowStart = Date()
                windowExamples = 0
                windowLoss = 0
                windowSteps = 0
            }
            if (settings.evalEvery > 0 && state.step % settings.evalEvery == 0) || last {
                let acc = try evaluate(state.prompt)
                let better = acc > state.bestAccuracy
                if better {
                    state.bestAccuracy = acc
                    state.best = state.prompt
                    state.bestStep = state.step
                }
                emit(
                    .object([
                        .init("event", .string("eval")), .init("step", .number(state.step)),
                        .init("accuracy", .number(acc)),
                        .init("n", .number(validation.count)), .init("best", .bool(better)),
                    ]))
            }
            let converged = !last && isStale
            if converged {
                emit(
                    .object([
                        .init("event", .string("early_stop")), .init("step", .number(state.step)),
                        .init("best_step", .number(state.bestStep)), .init("patience", .number(settings.patience!)),
                    ]))
            }
            if let checkpointPath, state.step % checkpointEvery == 0 || last || converged {
                try saveCheckpoint(checkpointPath)
            }
            if timeUp || converged { break }
        }
        return promptFile()
    }

    /// At an evaluation step: `patience` evaluations have passed without a better accuracy.
    var isStale: Bool {
        guard let patience = settings.patience, settings.evalEvery > 0, state.step % settings.evalEvery == 0 else {
            return false
        }
        return state.step - state.bestStep >= patience * settings.evalEvery
    }

    public func promptFile() -> PromptFile {
        let C = encoder.encoder.config.hidden
        var meta = [
            "format": "prompt-transfer/prompt", "toolkit_version": toolkitVersion, "task": settings.task,
            "model": identity.name, "model_id": identity.id, "hidden_size": String(C),
            "prompt_length": String(settings.promptLength), "template": settings.template,
            "readout": settings.readout.rawValue,
            "verbalizer": JSON.array(settings.verbalizer.map { .string($0) }).text,
            "label_word_ids": JSON.array(readout.words.map { .number($0) }).text,
            "steps": String(state.step), "best_step": String(state.bestStep), "seed": String(settings.seed),
            "best_validation_accuracy": String(state.bestAccuracy), "validation_n": String(validation.count),
            "init": settings.initMode.description, "settings": settings.json.text,
            "matrix_backend": JSON.matrixBackend.text,
        ]
        meta["name"] = settings.task
        return PromptFile(
            prompt: Tensor(shape: [settings.promptLength, C], values: state.best), metadata: meta, path: "")
    }

    // MARK: checkpoints

    var fingerprint: String { settings.json.text + "|" + identity.id }

    func saveCheckpoint(_ path: String) throws {
        let n = state.prompt.count
        let t = { (v: [Float]) in Tensor(shape: [n], values: v) }
        try SafetensorsWriter.write(
            [
                ("prompt", t(state.prompt)), ("adam_m", t(state.adam.m)), ("adam_v", t(state.adam.v)),
                ("best", t(state.best)),
            ],
            metadata: [
                "step": String(state.step), "adam_t": String(state.adam.t),
                "best_accuracy": String(state.bestAccuracy), "best_step": String(state.bestStep),
                "fingerprint": fingerprint, "toolkit_version": toolkitVersion,
                "settings": settings.json.text, "model_id": identity.id,
            ],
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
            throw ToolError("\(path): checkpoint metadata is incomplete")
        }
        state.step = step
        state.adam.t = t
        state.bestAccuracy = best
        state.bestStep = bestStep
        state.prompt = try f.tensor("prompt").array
        state.adam.m = try f.tensor("adam_m").array
        state.adam.v = try f.tensor("adam_v").array
        state.best = try f.tensor("best").array
        guard state.prompt.count == settings.promptLength * encoder.encoder.config.hidden else {
            throw ToolError("\(path): checkpoint prompt has the wrong size")
        }
    }

    public var step: Int { state.step }

    /// Each setting (and the model) in which a checkpoint differs from this run, for the
    /// message of a refused --resume.
    func differences(_ metadata: [String: String]) -> [String] {
        var found: [String] = []
        if let id = metadata["model_id"], id != identity.id {
            found.append("model id \(id) vs \(identity.id)")
        }
        guard let text = metadata["settings"], let theirs = try? JSON.parse(text), let members = theirs.members else {
            return found + ["the checkpoint does not record its settings"]
        }
        let mine = settings.json
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
