import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

/// How tune-prompt writes a prompt: safetensors, or a PEFT prompt-tuning adapter folder.
public enum PromptOutputFormat: String, CaseIterable {
    case safetensors, peft
}

/// `tune-prompt`: learns a soft prompt for a task on a frozen model.
public struct TuneRun {
    public var model: String
    public var settings = TuneSettings()
    public var inputs = TaskInputs()
    public var trainFile: String? = nil
    public var validationFile: String? = nil
    /// How --train and --validation are read, and the class names labels written as names map through.
    public var fields = ExampleFields()
    /// The prompt's name (default: the task, else the training file's name).
    public var name: String? = nil
    public var readout: Readout.Kind? = nil
    public var output: String? = nil
    public var format = TuneRun.defaultFormat
    public var control = TrainingControl()
    /// Epochs instead of steps: the step count follows from the training set's size.
    public var epochs: Double? = nil

    public static let defaultFormat = PromptOutputFormat.safetensors

    public init(model: String) { self.model = model }

    public func run() throws {
        let t0 = Date()
        let (frozen, tokenizer, identity) = try loadModelAndTokenizer(folder: model)
        var s = settings
        s.readout = readout ?? defaultReadout(frozen)
        try checkReadout(s.readout, model: frozen)
        let (data, words) = try loadData(&s, tokenizer, firstToken: s.readout == .decoder)
        if let epochs { s.steps = max(1, Int((epochs * Double(data.fit.count) / Double(s.batchSize)).rounded(.up))) }
        let template = try PromptTemplate(
            s.template.isEmpty ? PromptTemplate.defaultText(for: frozen) : s.template,
            tokenizer: tokenizer, readsAtMask: s.readout != .decoder)
        s.template = template.text  // recorded expanded, so the prompt file says what it was tuned with
        func encode(_ t: [LabeledText]) throws -> EncodedSet {
            try EncodedSet(
                t, tokenizer: tokenizer, template: template, promptLength: s.promptLength,
                maxTextTokens: s.maxTextTokens,
                maxSequence: frozen.maxSequence, typeVocab: frozen.typeVocab)
        }
        let train = try encode(data.fit)
        let validation = try encode(data.selection)
        let reader = try labelReader(s.readout, words: words, model: frozen)
        let initial = try s.initMode.values(
            n: s.promptLength, model: frozen, tokenizer: tokenizer, identity: identity, seed: s.seed)
        let objective = PromptTuningObjective(
            settings: s, model: frozen, reader: reader, train: train, validation: validation,
            selection: data.json)
        let loop = TrainingLoop(
            settings: s.loop, objective: objective, initial: initial, recordedSettings: s.json, modelId: identity.id,
            parameterName: "prompt")
        let defaultName = "\(s.name).\(identity.name)"
        let outPath = output ?? "out/prompts/\(defaultName)\(format == .peft ? "" : ".safetensors")"
        guard format != .peft || frozen is Encoder else {
            throw ToolError.usage("--format peft exports prompts of encoder models; this model is T5")
        }
        try control.checkOutputs(outPath, folderOutput: format == .peft)
        try control.prepare(loop, output: outPath)
        let out = try DataOutput(path: nil)
        func emit(_ j: JSON) {
            out.writeLine(j.text)
            out.flush()
        }
        emit(
            .object([
                .init("event", .string("start")), .init("toolkit_version", .string(toolkitVersion)),
                .init("matrix_backend", JSON.matrixBackend),
                .init("model", .string(identity.name)), .init("model_id", .string(identity.id)),
                .init("train_n", .number(train.count)), .init("selection", data.json),
                .init("truncated", .number(train.truncated + validation.truncated)),
                .init("start_step", .number(loop.step)), .init("settings", s.json),
            ]))
        try control.run(loop, output: outPath, label: "tune \(s.task)", emit: emit) { path, interrupted in
            var result = objective.promptFile(of: loop, identity: identity)
            result.path = path
            if interrupted {
                result.metadata["interrupted_at_step"] = String(loop.step)
            }
            if format == .peft, let encoder = frozen as? Encoder {
                try PEFTExport.write(result, encoder: encoder, folder: path)
            } else {
                try result.write(to: path)
            }
        }
        emit(
            .object([
                .init("event", .string("done")),
                .init("best_accuracy", .number(loop.bestAccuracy)),
                .init("best_step", .number(loop.bestStep)), .init("steps", .number(loop.step)),
                .init("output", .string(outPath)),
                .init("seconds", .tenths(Date().timeIntervalSince(t0))),
                .init("training_seconds", loop.trainingSeconds.map(JSON.tenths) ?? .null),
            ]))
    }

    /// The examples to train on and to choose the best on, and the label word ids (each one
    /// token, or with `firstToken` each word's first token).
    func loadData(
        _ s: inout TuneSettings, _ tok: Tokenizer, firstToken: Bool
    ) throws -> (SelectedData, [Int]) {
        var fields = self.fields
        var wordsFromLabels = false
        if !s.task.isEmpty {
            let m = try inputs.manifest(s.task)
            if s.verbalizer.isEmpty { s.verbalizer = m.verbalizer }
            if fields.labels.isEmpty { fields.labels = m.labels }
            guard fields.labels.count == m.labels.count else {
                throw ToolError.usage("--labels names \(fields.labels.count) classes; \(s.task) has \(m.labels.count)")
            }
        } else {
            guard trainFile != nil else {
                throw ToolError.usage(
                    "give --task, or your own examples: --train FILE (JSON lines, CSV or TSV) with --labels "
                        + "NAME,NAME,... (see tune-prompt --help)")
            }
            if s.verbalizer.isEmpty {
                guard !fields.labels.isEmpty else {
                    throw ToolError.usage(
                        "without --task, give --labels NAME,NAME,... (the class names in class order; the label "
                            + "words default to them) or --verbalizer WORD,WORD,...")
                }
                s.verbalizer = fields.labels
                wordsFromLabels = true
            }
            guard fields.labels.isEmpty || fields.labels.count == s.verbalizer.count else {
                throw ToolError.usage(
                    "--labels names \(fields.labels.count) classes; --verbalizer gives \(s.verbalizer.count) words")
            }
        }
        let classes = fields.labels.isEmpty ? s.verbalizer.count : fields.labels.count
        guard s.verbalizer.count == classes else {
            throw ToolError.usage("the verbalizer has \(s.verbalizer.count) words for \(classes) classes")
        }
        if trainFile != nil { s.fields = fields }
        s.labels = fields.labels
        if s.name.isEmpty {
            s.name = name ?? (s.task.isEmpty ? ExampleFile.stem(trainFile ?? "prompt") : s.task)
        }
        guard validationFile == nil || s.selection == .validation else {
            throw ToolError.usage(
                "--validation is read only with --select-on-validation (by default the best is chosen on a slice "
                    + "of --train)")
        }
        let words: [Int]
        do {
            words = try labelWordIds(s.verbalizer, tokenizer: tok, firstToken: firstToken)
        } catch let error as ToolError where wordsFromLabels {
            throw ToolError.usage("\(error.description): the label words are the --labels names; give --verbalizer")
        }
        func texts(_ file: String?, _ split: String) throws -> [LabeledText] {
            if let file { return try ExampleFile.read(file, fields: fields, classes: classes) }
            guard !s.task.isEmpty else {
                throw ToolError.usage("give --task, or --train (and --validation with --select-on-validation)")
            }
            return try inputs.examples(s.task, split: split)
        }
        let validating = s.evalEvery > 0 || s.patience != nil
        let data = try SelectedData(
            train: try texts(trainFile, "train"), validation: { try texts(validationFile, "validation") },
            selection: s.selection, evalLimit: s.evalLimit, seed: s.seed, validating: validating)
        guard !data.fit.isEmpty else { throw ToolError("no training examples", exitCode: 65) }
        guard !validating || !data.selection.isEmpty else {
            throw ToolError(
                "no examples to choose the best on: a selection slice takes at most a tenth of train's "
                    + "\(data.fit.count) examples' groups; give more training data, --eval-every 0 (the last step's "
                    + "prompt is the result), or --select-on-validation with --validation FILE")
        }
        return (data, words)
    }
}
