import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

/// `tune-prompt`: learns a soft prompt for a task on a frozen model.
public struct TuneRun {
    public var model: String
    public var settings = TuneSettings()
    public var inputs = TaskInputs()
    public var trainFile: String? = nil, validationFile: String? = nil
    public var readout: Readout.Kind? = nil
    public var output: String? = nil
    public var format = "safetensors"
    public var checkpoint: String? = nil
    public var checkpointEvery: Int? = nil
    public var resume = false
    public var keepCheckpoint = false
    public var timeLimit: Double? = nil
    public var logEvery = 50
    public var progress = false
    /// Epochs instead of steps: the step count follows from the training set's size.
    public var epochs: Double? = nil
    /// Overwrite a finished prompt at the output path.
    public var force = false

    public init(model: String) { self.model = model }

    public func run() throws {
        let t0 = Date()
        let encoder = try Encoder(folder: model)
        let tokenizer = try Tokenizer.load(folder: model)
        let identity = try ModelIdentity(encoder)
        var s = settings
        s.readout = readout ?? (encoder.hasHead ? .mlm : .tied)
        let (trainTexts, valTexts, words) = try loadData(&s, tokenizer)
        if let epochs { s.steps = max(1, Int((epochs * Double(trainTexts.count) / Double(s.batchSize)).rounded(.up))) }
        let template = try PromptTemplate(
            s.template.isEmpty ? PromptTemplate.defaultText(for: encoder.config) : s.template,
            tokenizer: tokenizer)
        s.template = template.text  // recorded expanded, so the prompt file says what it was tuned with
        func encode(_ t: [LabeledText]) throws -> EncodedSet {
            try EncodedSet(
                t, tokenizer: tokenizer, template: template, promptLength: s.promptLength,
                maxTextTokens: s.maxTextTokens,
                maxSequence: encoder.config.maxSequence, typeVocab: encoder.config.typeVocab)
        }
        var valSubset = valTexts
        if let limit = s.evalLimit, limit < valSubset.count {
            var rng = SplitMix64(seed: s.seed ^ 0xE7A1)
            valSubset.seededShuffle(&rng)
            valSubset = Array(valSubset.prefix(limit))
        }
        let train = try encode(trainTexts)
        let validation = try encode(valSubset)
        let readoutHead = try Readout(s.readout, words: words, encoder: encoder)
        let initial = try s.initMode.values(
            n: s.promptLength, encoder: encoder, tokenizer: tokenizer, identity: identity, seed: s.seed)
        let trainer = Trainer(
            settings: s, encoder: encoder, readout: readoutHead, train: train, validation: validation,
            identity: identity, initial: initial)
        let defaultName = "\(s.task.isEmpty ? "prompt" : s.task).\(identity.name)"
        let outPath = output ?? "out/prompts/\(defaultName)\(format == "peft" ? "" : ".safetensors")"
        let ckpt = checkpoint ?? outPath + ".ckpt"
        try checkOutputs(outPath, ckpt)
        trainer.checkpointPath = ckpt
        trainer.checkpointEvery = checkpointEvery ?? max(s.evalEvery, 1)
        trainer.timeLimit = timeLimit
        trainer.logEvery = logEvery
        if resume {
            if FileManager.default.fileExists(atPath: ckpt) {
                try trainer.resume(from: ckpt)
                Log.info("resuming from \(ckpt) at step \(trainer.step)")
            } else {
                Log.info("no checkpoint at \(ckpt): starting from step 0")
            }
        }
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
                .init("train_n", .number(train.count)), .init("validation_n", .number(validation.count)),
                .init("truncated", .number(train.truncated + validation.truncated)),
                .init("start_step", .number(trainer.step)), .init("settings", s.json),
            ]))
        trainer.progress = ProgressLine(
            label: "tune \(s.task)", total: s.steps, enabled: progress || Log.stderrIsTerminal)
        let signals = StopSignals()
        trainer.stopRequested = { signals.received != 0 }
        var result = try trainer.run(emit: emit)
        trainer.progress?.finish()
        // An interrupted run writes its best prompt so far beside the output (OUTPUT.partial),
        // so that the output path itself only ever holds a finished run (make-style caching
        // by file existence stays right); the checkpoint stays for --resume.
        let partialPath = outPath + ".partial"
        let written = trainer.interrupted ? partialPath : outPath
        result.path = written
        if trainer.interrupted {
            result.metadata["interrupted_at_step"] = String(trainer.step)
        }
        if format == "peft" {
            try PEFTExport.write(result, encoder: encoder, folder: written)
        } else {
            try result.write(to: written)
        }
        if trainer.interrupted {
            let signal = signals.received
            throw ToolError(
                "interrupted (signal \(signal)) at step \(trainer.step): "
                    + "best prompt so far in \(partialPath), "
                    + "checkpoint \(ckpt); continue with --resume", exitCode: 128 + signal)
        }
        try? FileManager.default.removeItem(atPath: partialPath)
        // The run is complete: its checkpoint has nothing more to resume.
        if !keepCheckpoint { try? FileManager.default.removeItem(atPath: ckpt) }
        emit(
            .object([
                .init("event", .string("done")),
                .init("best_accuracy", .number(Double(result.metadata["best_validation_accuracy"]!)!)),
                .init("best_step", .number(Int(result.metadata["best_step"]!)!)), .init("steps", .number(trainer.step)),
                .init("output", .string(outPath)),
                .init("seconds", .number((Date().timeIntervalSince(t0) * 10).rounded() / 10)),
            ]))
    }

    /// Before any training: a finished prompt at the output is never overwritten unless asked
    /// (--force), --resume of a finished run says so, and an output that cannot be written is
    /// found now rather than after the run.
    func checkOutputs(_ outPath: String, _ ckpt: String) throws {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        let outputExists = files.fileExists(atPath: outPath, isDirectory: &isFolder)
        let checkpointExists = files.fileExists(atPath: ckpt)
        if outputExists && isFolder.boolValue && format != "peft" {
            throw ToolError.usage("\(outPath) is a folder; give -o a file name")
        }
        if outputExists && !force {
            if resume && !checkpointExists {
                throw ToolError.usage(
                    "\(outPath) is a finished run (no checkpoint \(ckpt) to resume); "
                        + "pass --force to train it again")
            }
            if !resume {
                throw ToolError.usage(
                    "\(outPath) exists; pass --force to overwrite it, "
                        + "or --resume to continue its run")
            }
        }
        if checkpointExists && !resume && !force {
            throw ToolError.usage(
                "\(ckpt) holds an unfinished run; pass --resume to "
                    + "continue it, or --force to start over")
        }
        for path in [outPath, ckpt] {
            do {
                try AtomicFile.makeParentFolder(of: path)
            } catch let error as ToolError {
                throw ToolError.usage("cannot create the folder of \(path): \(error.description)")
            }
            let folder =
                (path as NSString).deletingLastPathComponent.isEmpty
                ? "." : (path as NSString).deletingLastPathComponent
            guard access(folder, W_OK) == 0 else { throw ToolError.usage("cannot write to \(folder) (for \(path))") }
        }
    }

    /// Training and validation texts, and the label word ids (each one token).
    func loadData(_ s: inout TuneSettings, _ tok: Tokenizer) throws -> ([LabeledText], [LabeledText], [Int]) {
        var classes: Int
        if !s.task.isEmpty {
            let m = try inputs.manifest(s.task)
            if s.verbalizer.isEmpty { s.verbalizer = m.verbalizer }
            classes = m.labels.count
        } else {
            guard !s.verbalizer.isEmpty else {
                throw ToolError.usage("without --task, give --verbalizer word,word,...")
            }
            classes = s.verbalizer.count
        }
        guard s.verbalizer.count == classes else {
            throw ToolError.usage("the verbalizer has \(s.verbalizer.count) words for \(classes) classes")
        }
        let words = try labelWordIds(s.verbalizer, tokenizer: tok)
        func texts(_ file: String?, _ split: String) throws -> [LabeledText] {
            if let file { return try readLabeledTexts(file, classes: classes) }
            guard !s.task.isEmpty else { throw ToolError.usage("give --task, or --train and --validation files") }
            return try inputs.examples(s.task, split: split)
        }
        let train = try texts(trainFile, "train")
        let val = try texts(validationFile, "validation")
        guard !train.isEmpty, !val.isEmpty else { throw ToolError("no training or validation examples") }
        return (train, val, words)
    }
}
