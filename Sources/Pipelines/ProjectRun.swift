import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tokenizers
import Transfer
import Tuning

/// `project train`: learns a projector from a source model's prompt space into a target
/// model's, by the target's task loss (`task`) or by the distance to prompts tuned on the
/// target (`distance`), or without any task data by a linear map between the two models' word
/// embeddings fitted on their shared tokens (`vocab`). `project apply`: maps prompts through it.
public struct ProjectTrainRun {
    public enum Objective: String, CaseIterable { case task, distance, vocab }

    public var sourceModel: String, targetModel: String
    public var objective = Objective.task
    public var tasks: [String] = []
    public var sourcePrompts: [String] = []
    public var targetPrompts: [String] = []
    public var hidden = 768
    public var activation = Projector.Activation.leakyrelu
    public var layerNorm = false
    public var steps = 500
    public var learningRate: Float = 1e-4
    public var batchSize = 16
    public var maxTextTokens = 64
    public var seed: UInt64 = 0
    public var targetReadout: Readout.Kind? = nil
    public var output = "out/projector.safetensors"
    public var inputs = TaskInputs()
    public var progress = false
    /// The vocabulary map's ridge, relative to the mean diagonal of XᵀX.
    public var ridge = 0.01

    public init(sourceModel: String, targetModel: String) {
        self.sourceModel = sourceModel
        self.targetModel = targetModel
    }

    public func run() throws {
        if objective == .vocab {
            try runVocabularyMap()
            return
        }
        let t0 = Date()
        guard !tasks.isEmpty else { throw ToolError.usage("name the training tasks with --tasks") }
        let source = try Encoder(folder: sourceModel)
        let target = try Encoder(folder: targetModel)
        let sourceId = try ModelIdentity(source)
        let targetId = try ModelIdentity(target)
        let readoutKind = targetReadout ?? (target.hasHead ? .mlm : .tied)
        let src = try promptsByTask(sourcePrompts, model: sourceId, role: "source")
        let tgt = objective == .distance ? try promptsByTask(targetPrompts, model: targetId, role: "target") : [:]
        // the layout projected prompts are for: the target prompts' (distance), else the one trained through (task)
        let targetTemplates = Set(tgt.values.compactMap { $0.metadata["template"] })
        guard targetTemplates.count <= 1 else {
            throw ToolError("the target prompts were tuned with different templates: \(targetTemplates.sorted())")
        }
        let targetTemplate = targetTemplates.first ?? PromptTemplate.defaultText(for: target.config)
        let n = src.first!.value.length
        guard src.values.allSatisfy({ $0.length == n }) else {
            throw ToolError("source prompts must all have \(n) vectors")
        }
        let projector = Projector(
            n: n, sourceDim: source.config.hidden, targetDim: target.config.hidden, hidden: hidden,
            activation: activation, layerNorm: layerNorm, seed: seed)
        var adam = AdamW(count: projector.params.count)
        let out = try DataOutput(path: nil)
        func emit(_ j: JSON) {
            out.writeLine(j.text)
            out.flush()
        }
        let settings = JSON.object([
            .init("objective", .string(objective.rawValue)), .init("tasks", .array(tasks.map { .string($0) })),
            .init("source_model", .string(sourceId.name)), .init("source_model_id", .string(sourceId.id)),
            .init("target_model", .string(targetId.name)), .init("target_model_id", .string(targetId.id)),
            .init("prompt_length", .number(n)), .init("hidden", .number(hidden)),
            .init("activation", .string(activation.rawValue)),
            .init("layer_norm", .bool(layerNorm)), .init("steps", .number(steps)), .init("lr", .number(learningRate)),
            .init("batch_size", .number(batchSize)), .init("max_text_tokens", .number(maxTextTokens)),
            .init("seed", .number(Int(seed))),
            .init("target_readout", .string(readoutKind.rawValue)),
            .init("target_template", .string(targetTemplate)),
        ])
        emit(
            .object([
                .init("event", .string("start")), .init("toolkit_version", .string(toolkitVersion)),
                .init("matrix_backend", JSON.matrixBackend), .init("settings", settings),
            ]))
        let bar = ProgressLine(
            label: "project \(objective.rawValue)", total: steps, enabled: progress || Log.stderrIsTerminal)
        var step: (Int) throws -> Float
        switch objective {
        case .vocab:
            preconditionFailure("the vocabulary map is fitted, not trained (runVocabularyMap)")
        case .distance:
            let x = tasks.flatMap { src[$0]!.prompt.array }
            let yWant = try tasks.flatMap { t -> [Float] in
                guard let p = tgt[t] else { throw ToolError.usage("no target prompt for task \(t)") }
                guard p.length == n else {
                    throw ToolError("\(p.path): \(p.length) vectors, the source prompts have \(n)")
                }
                return p.prompt.array
            }
            step = { _ in
                let y = projector.forward(x, batch: tasks.count)
                var loss: Float = 0
                var dy = [Float](repeating: 0, count: y.count)
                for k in 0..<y.count {
                    let e = y[k] - yWant[k]
                    loss += e * e
                    dy[k] = 2 * e / Float(y.count)
                }
                let g = projector.backward(dy)
                adam.step(&projector.params, g, lr: self.learningRate)
                return loss / Float(y.count)
            }
        case .task:
            let tokenizer = try Tokenizer.load(folder: targetModel)
            let template = try PromptTemplate(targetTemplate, tokenizer: tokenizer)
            let pe = PromptEncoder(encoder: target)
            var sets: [EncodedSet] = []
            var readouts: [Readout] = []
            var orders: [[Int]] = []
            for t in tasks {
                let m = try inputs.manifest(t)
                let words = try labelWordIds(m.verbalizer, tokenizer: tokenizer)
                let texts = try inputs.examples(t, split: "train")
                sets.append(
                    try EncodedSet(
                        texts, tokenizer: tokenizer, template: template, promptLength: n, maxTextTokens: maxTextTokens,
                        maxSequence: target.config.maxSequence, typeVocab: target.config.typeVocab))
                readouts.append(try Readout(readoutKind, words: words, encoder: target))
                var order = Array(0..<sets.last!.count)
                var rng = SplitMix64(seed: seed &+ UInt64(sets.count))
                order.seededShuffle(&rng)
                orders.append(order)
            }
            step = { s in
                let k = s % self.tasks.count
                let set = sets[k]
                let round = s / self.tasks.count
                let idx = (0..<self.batchSize).map { orders[k][(round * self.batchSize + $0) % set.count] }
                let prompt = projector.forward(src[self.tasks[k]]!.prompt.array, batch: 1)
                let h = try pe.forward(
                    set.input(idx[...], firstPosition: target.config.firstPosition), prompt: prompt, promptLength: n)
                let logits = readouts[k].forward(h, rows: idx.count)
                let (loss, dlogits, _) = crossEntropy(
                    logits, labels: idx.map { set.labels[$0] }, classes: readouts[k].words.count)
                var dPrompt = [Float](repeating: 0, count: prompt.count)
                pe.backward(readouts[k].backward(dlogits), dPrompt: &dPrompt, promptLength: n)
                let g = projector.backward(dPrompt)
                adam.step(&projector.params, g, lr: self.learningRate)
                return loss
            }
        }
        var window: Float = 0
        var count = 0
        for s in 0..<steps {
            let loss = try step(s)
            guard loss.isFinite, projector.params.allSatisfy({ $0.isFinite }) else {
                throw ToolError("loss became \(loss) at step \(s + 1); stopped")
            }
            window += loss
            count += 1
            bar.advance()
            if (s + 1) % 50 == 0 || s + 1 == steps {
                emit(
                    .object([
                        .init("event", .string("train")), .init("step", .number(s + 1)),
                        .init("loss", .number(window / Float(count))),
                    ]))
                window = 0
                count = 0
            }
        }
        bar.finish()
        var meta: [String: String] = [
            "format": "prompt-transfer/projector", "toolkit_version": toolkitVersion,
            "prompt_length": String(n), "source_hidden": String(source.config.hidden),
            "target_hidden": String(target.config.hidden), "hidden": String(hidden),
            "activation": activation.rawValue, "layer_norm": String(layerNorm), "settings": settings.text,
        ]
        for m in settings.members ?? [] { meta[m.key] = m.value.string ?? m.value.text }
        try SafetensorsWriter.write(projector.tensors(), metadata: meta, to: output)
        emit(
            .object([
                .init("event", .string("done")), .init("output", .string(output)),
                .init("seconds", .number((Date().timeIntervalSince(t0) * 10).rounded() / 10)),
            ]))
    }

    /// `--objective vocab`: no prompts, no task data; the two models' input word embeddings
    /// over the tokens both vocabularies share (by string, special tokens left out).
    func runVocabularyMap() throws {
        let t0 = Date()
        let source = try Encoder(folder: sourceModel)
        let target = try Encoder(folder: targetModel)
        let sourceId = try ModelIdentity(source)
        let targetId = try ModelIdentity(target)
        func tokenRows(_ encoder: Encoder, _ folder: String) throws -> [String: Int] {
            let tokenizer = try Tokenizer.load(folder: folder)
            let special = Set(
                [
                    tokenizer.special.cls, tokenizer.special.sep, tokenizer.special.mask, tokenizer.special.pad,
                    tokenizer.special.unk,
                ].compactMap { $0 })
            let count = min(tokenizer.vocabSize, encoder.weights.words.rows)
            let ids = (0..<count).map { Int32($0) }.filter { !special.contains($0) }
            var rows: [String: Int] = [:]
            for (id, token) in zip(ids, tokenizer.tokens(ids)) where token != "?" && rows[token] == nil {
                rows[token] = Int(id)
            }
            return rows
        }
        let sourceRows = try tokenRows(source, sourceModel)
        let targetRows = try tokenRows(target, targetModel)
        let pairs = sourceRows.keys.sorted().compactMap { token in targetRows[token].map { (sourceRows[token]!, $0) } }
        let out = try DataOutput(path: nil)
        let readoutKind = targetReadout ?? (target.hasHead ? .mlm : .tied)
        let settings = JSON.object([
            .init("objective", .string("vocab")), .init("ridge", .number(ridge)), .init("seed", .number(Int(seed))),
            .init("source_model", .string(sourceId.name)), .init("source_model_id", .string(sourceId.id)),
            .init("target_model", .string(targetId.name)), .init("target_model_id", .string(targetId.id)),
            .init("target_readout", .string(readoutKind.rawValue)),
            .init("target_template", .string(PromptTemplate.defaultText(for: target.config))),
        ])
        out.writeLine(
            JSON.object([
                .init("event", .string("start")), .init("toolkit_version", .string(toolkitVersion)),
                .init("matrix_backend", JSON.matrixBackend), .init("settings", settings),
                .init("shared_tokens", .number(pairs.count)), .init("source_tokens", .number(sourceRows.count)),
                .init("target_tokens", .number(targetRows.count)),
            ]).text)
        out.flush()
        let (map, fit) = try VocabularyMap.fit(
            source: source.weights.words, target: target.weights.words, pairs: pairs, ridge: ridge, seed: seed)
        var meta: [String: String] = [
            "format": "prompt-transfer/projector", "kind": "vocab", "toolkit_version": toolkitVersion,
            "source_hidden": String(source.config.hidden), "target_hidden": String(target.config.hidden),
            "settings": settings.text, "shared_tokens": String(pairs.count),
        ]
        for m in settings.members ?? [] { meta[m.key] = m.value.string ?? m.value.text }
        try SafetensorsWriter.write(map.tensors(), metadata: meta, to: output)
        out.writeLine(
            JSON.object([
                .init("event", .string("done")), .init("output", .string(output)),
                .init("shared_tokens", .number(fit.shared)), .init("held_out_tokens", .number(fit.heldOut)),
                .init("train_rmse", .number(fit.trainRMSE)), .init("held_out_rmse", .number(fit.heldOutRMSE)),
                .init("mean_baseline_rmse", .number(fit.meanBaselineRMSE)),
                .init("seconds", .number((Date().timeIntervalSince(t0) * 10).rounded() / 10)),
            ]).text)
        try out.commit()
    }

    /// Prompt files keyed by the task they were tuned on (their recorded task, else name).
    func promptsByTask(_ paths: [String], model: ModelIdentity, role: String) throws -> [String: PromptFile] {
        var out: [String: PromptFile] = [:]
        for p in paths {
            let f = try PromptFile.read(p)
            try f.check(model: model, readout: nil)
            out[f.metadata["task"] ?? f.name] = f
        }
        for t in tasks where out[t] == nil && (role == "source" || objective == .distance) {
            throw ToolError.usage("no \(role) prompt for task \(t) among --\(role)-prompts")
        }
        guard !out.isEmpty else { throw ToolError.usage("give --\(role)-prompts") }
        return out
    }
}

public struct ProjectApplyRun {
    public var projector: String
    public var prompts: [String] = []
    public var outputDir = "out/projected"
    public var output: String? = nil

    public init(projector: String) { self.projector = projector }

    public func run() throws {
        let (proj, meta) = try PromptProjector.read(projector)
        guard !prompts.isEmpty else { throw ToolError.usage("name at least one prompt to project") }
        guard output == nil || prompts.count == 1 else {
            throw ToolError.usage("--output names one file: give one prompt, or use --output-dir")
        }
        let files = try prompts.map { try PromptFile.read($0) }
        for f in files {  // all checked before anything is written
            guard f.length == proj.promptLength ?? f.length, f.hidden == proj.sourceDim else {
                throw ToolError(
                    "\(f.path): prompt of shape [\(f.length), \(f.hidden)]; the projector takes "
                        + "[\(proj.promptLength.map(String.init) ?? "n"), \(proj.sourceDim)]"
                )
            }
            if let id = f.metadata["model_id"], let want = meta["source_model_id"], id != want {
                throw ToolError(
                    "\(f.path): prompt of model \(f.metadata["model"] ?? id); the projector maps prompts of "
                        + "\(meta["source_model"] ?? want)"
                )
            }
        }
        for f in files {
            let y = proj.map(f.prompt.array, length: f.length)
            var m: [String: String] = [
                "format": "prompt-transfer/prompt", "toolkit_version": toolkitVersion,
                "name": f.name, "task": f.metadata["task"] ?? f.name,
                "model": meta["target_model"] ?? "", "model_id": meta["target_model_id"] ?? "",
                "hidden_size": String(proj.targetDim), "prompt_length": String(f.length),
                "template": meta["target_template"] ?? f.metadata["template"] ?? PromptTemplate.bert,
                "readout": meta["target_readout"] ?? "", "projector": projector, "source_prompt": f.path,
                "projector_objective": meta["objective"] ?? "",
            ]
            if let s = f.metadata["settings"] { m["source_settings"] = s }
            let path = output ?? "\(outputDir)/\(f.name).safetensors"
            try PromptFile(prompt: Tensor(shape: [f.length, proj.targetDim], values: y), metadata: m, path: path).write(
                to: path)
            print(JSON.object([.init("source_prompt", .string(f.path)), .init("output", .string(path))]).text)
        }
    }
}
