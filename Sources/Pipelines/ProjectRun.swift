import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tokenizers
import Transfer
import Tuning

// Cross-model transfer's tools: `project train` (the projector on the training loop through its
// objectives in Transfer/ProjectorTraining.swift, or the vocabulary map) and `project apply`.

/// `project train`: learns a projector from a source model's prompt space into a target
/// model's, by the target's task loss (`task`) or by the distance to prompts tuned on the
/// target (`distance`), on the one training loop (checkpoints, --resume, validation, early
/// stopping as tune-prompt); or without any task data by a linear map between the two models'
/// word embeddings fitted on their shared tokens (`vocab`). `project apply`: maps prompts through it.
public struct ProjectTrainRun {
    public enum Objective: String, CaseIterable { case task, distance, vocab }

    public var sourceModel: String
    public var targetModel: String
    public var objective = Objective.task
    public var tasks: [String] = []
    public var sourcePrompts: [String] = []
    public var targetPrompts: [String] = []
    public var settings = ProjectorSettings()
    public var targetReadout: Readout.Kind? = nil
    public var output = "out/projector.safetensors"
    public var inputs = TaskInputs()
    public var control = TrainingControl()
    /// The vocabulary map's ridge, relative to the mean diagonal of XᵀX.
    public var ridge = 0.01

    /// The defaults the tool's options show.
    public static let defaults = ProjectTrainRun(sourceModel: "", targetModel: "")

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
        let s = settings
        guard !tasks.isEmpty else { throw ToolError.usage("name the training tasks with --tasks") }
        let source = try loadModel(folder: sourceModel)
        let target = try loadModel(folder: targetModel)
        let sourceId = try ModelIdentity(source)
        let targetId = try ModelIdentity(target)
        let readoutKind = targetReadout ?? defaultReadout(target)
        let src = try promptsByTask(sourcePrompts, model: sourceId, role: "source")
        let tgt = objective == .distance ? try promptsByTask(targetPrompts, model: targetId, role: "target") : [:]
        // the layout projected prompts are for: the target prompts' (distance), else the one trained through (task)
        let targetTemplates = Set(tgt.values.compactMap { $0.metadata["template"] })
        guard targetTemplates.count <= 1 else {
            throw ToolError("the target prompts were tuned with different templates: \(targetTemplates.sorted())")
        }
        let targetTemplate = targetTemplates.first ?? PromptTemplate.defaultText(for: target)
        let n = src.first!.value.length
        guard src.values.allSatisfy({ $0.length == n }) else {
            throw ToolError("source prompts must all have \(n) vectors")
        }
        let projector = Projector(
            n: n, sourceDim: source.hidden, targetDim: target.hidden, hidden: s.hidden,
            activation: s.activation, layerNorm: s.layerNorm, seed: s.seed)
        let recorded = s.json(
            objective: objective.rawValue, tasks: tasks, n: n, identities: (sourceId, targetId), readout: readoutKind,
            template: targetTemplate)
        try control.checkOutputs(output)
        let out = try DataOutput(path: nil)
        func emit(_ j: JSON) {
            out.writeLine(j.text)
            out.flush()
        }
        let sources = tasks.map { src[$0]!.prompt.array }
        // the target's data: training sets for the task objective, validation sets when validating
        let validating = s.evalEvery > 0 || s.patience != nil
        let needsTarget = objective == .task || validating
        let tokenizer = needsTarget ? try Tokenizer.load(folder: targetModel) : nil
        let template = try tokenizer.map {
            try PromptTemplate(targetTemplate, tokenizer: $0, readsAtMask: readoutKind != .decoder)
        }
        // each task's examples to train on (task objective) and to choose the best on
        var selected: [String: SelectedData] = [:]
        func data(_ task: String) throws -> SelectedData {
            if let d = selected[task] { return d }
            let d = try SelectedData(
                train: try inputs.examples(task, split: "train"),
                validation: { try inputs.examples(task, split: "validation") }, selection: s.selection,
                evalLimit: s.evalLimit, seed: s.seed, validating: validating)
            selected[task] = d
            return d
        }
        func encoded(_ texts: [LabeledText]) throws -> EncodedSet {
            try EncodedSet(
                texts, tokenizer: tokenizer!, template: template!, promptLength: n, maxTextTokens: s.maxTextTokens,
                maxSequence: target.maxSequence, typeVocab: target.typeVocab)
        }
        let readers = try tokenizer.map { tokenizer in
            try tasks.map { t in
                let verbalizer = try inputs.manifest(t).verbalizer
                let words = try labelWordIds(verbalizer, tokenizer: tokenizer, firstToken: readoutKind == .decoder)
                return try labelReader(readoutKind, words: words, model: target)
            }
        }
        let validation =
            validating
            ? ProjectedValidation(
                firstPosition: target.firstPosition, sources: sources,
                sets: try tasks.map { try encoded(data($0).selection) }, readers: readers!, promptLength: n)
            : nil
        let trained: TrainingObjective
        switch objective {
        case .vocab:
            preconditionFailure("the vocabulary map is fitted, not trained (runVocabularyMap)")
        case .distance:
            let targets = try tasks.map { t -> [Float] in
                guard let p = tgt[t] else { throw ToolError.usage("no target prompt for task \(t)") }
                guard p.length == n else {
                    throw ToolError.data(p.path, "\(p.length) vectors, the source prompts have \(n)")
                }
                return p.prompt.array
            }
            trained = ProjectorDistanceObjective(
                projector: projector, sources: sources, targets: targets, validation: validation)
        case .task:
            trained = ProjectorTaskObjective(
                projector: projector, firstPosition: target.firstPosition, sources: sources,
                sets: try tasks.map { try encoded(data($0).fit) }, readers: readers!,
                validation: validation, promptLength: n, settings: s)
        }
        let loop = TrainingLoop(
            settings: s.loop, objective: trained, initial: projector.params, recordedSettings: recorded,
            modelId: sourceId.id + "→" + targetId.id, parameterName: "projector")
        try control.prepare(loop, output: output)
        emit(
            .object([
                .init("event", .string("start")), .init("toolkit_version", .string(toolkitVersion)),
                .init("matrix_backend", JSON.matrixBackend), .init("start_step", .number(loop.step)),
                .init("settings", recorded),
                .init("selection", .array(tasks.compactMap { selected[$0]?.json })),
            ]))
        try control.run(loop, output: output, label: "project \(objective.rawValue)", emit: emit) { path, _ in
            projector.params = loop.best
            var meta: [String: String] = [
                "format": "prompt-transfer/projector", "toolkit_version": toolkitVersion,
                "prompt_length": String(n), "source_hidden": String(source.hidden),
                "target_hidden": String(target.hidden), "hidden": String(s.hidden),
                "activation": s.activation.rawValue, "layer_norm": String(s.layerNorm), "settings": recorded.text,
            ]
            for m in recorded.members ?? [] { meta[m.key] = m.value.string ?? m.value.text }
            if validating {
                meta["best_step"] = String(loop.bestStep)
                meta["best_selection_accuracy"] = String(loop.bestAccuracy)
                meta["selection"] = JSON.array(tasks.compactMap { selected[$0]?.json }).text
            }
            try SafetensorsWriter.write(projector.tensors(), metadata: meta, to: path)
        }
        emit(
            .object(
                [
                    .init("event", .string("done")), .init("output", .string(output)),
                    .init("steps", .number(loop.step)),
                ]
                    + (validating
                        ? [
                            .init("best_accuracy", .number(loop.bestAccuracy)),
                            .init("best_step", .number(loop.bestStep)),
                        ] : [])
                    + [
                        .init("seconds", .tenths(Date().timeIntervalSince(t0))),
                        .init("training_seconds", loop.trainingSeconds.map(JSON.tenths) ?? .null),
                    ]))
    }

    /// `--objective vocab`: no prompts, no task data; the two models' input word embeddings
    /// over the tokens both vocabularies share (by string, special tokens left out).
    func runVocabularyMap() throws {
        let t0 = Date()
        let source = try loadModel(folder: sourceModel)
        let target = try loadModel(folder: targetModel)
        let sourceId = try ModelIdentity(source)
        let targetId = try ModelIdentity(target)
        func tokenRows(_ model: FrozenModel, _ folder: String) throws -> [String: Int] {
            let tokenizer = try Tokenizer.load(folder: folder)
            let special = Set(
                [
                    tokenizer.special.cls, tokenizer.special.sep, tokenizer.special.mask, tokenizer.special.pad,
                    tokenizer.special.unk,
                ].compactMap { $0 })
            let count = min(tokenizer.vocabSize, model.wordEmbeddings.rows)
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
        let readoutKind = targetReadout ?? defaultReadout(target)
        let settings = JSON.object([
            .init("objective", .string("vocab")), .init("ridge", .number(ridge)),
            .init("seed", .number(Int(self.settings.seed))),
            .init("source_model", .string(sourceId.name)), .init("source_model_id", .string(sourceId.id)),
            .init("target_model", .string(targetId.name)), .init("target_model_id", .string(targetId.id)),
            .init("target_readout", .string(readoutKind.rawValue)),
            .init("target_template", .string(PromptTemplate.defaultText(for: target))),
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
            source: source.wordEmbeddings, target: target.wordEmbeddings, pairs: pairs, ridge: ridge,
            seed: self.settings.seed)
        var meta: [String: String] = [
            "format": "prompt-transfer/projector", "kind": "vocab", "toolkit_version": toolkitVersion,
            "source_hidden": String(source.hidden), "target_hidden": String(target.hidden),
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
                .init("seconds", .tenths(Date().timeIntervalSince(t0))),
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
