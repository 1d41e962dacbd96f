import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

/// `eval-prompt`: accuracy of prompts on a task's split — zero-shot cross-task transfer when
/// a prompt was tuned on another task. The template and readout recorded in each prompt are
/// used; the label words are the target task's.
public struct EvalRun {
    public var model: String
    public var task: String
    public var split = "validation"
    public var prompts: [String] = []
    public var inputs = TaskInputs()
    public var maxTextTokens: Int? = nil
    public var batchSize = 64
    public var output: String? = nil
    /// Evaluate on a seeded sample of at most this many examples.
    public var limit: Int? = nil
    public var seed: UInt64 = 0
    /// Overrides the template recorded in the prompts (needed for files without one, such as
    /// the paper's released prompts: `paper-1.0`).
    public var template: String? = nil
    /// Overrides the task's label words.
    public var verbalizer: [String]? = nil
    /// Progress on stderr even when it is not a terminal.
    public var progress = false

    /// Examples from this JSON-lines file (`{"text_a", "text_b"?, "label"}`) instead of the
    /// task's split; without a task, `verbalizer` gives the classes.
    public var examplesFile: String? = nil

    /// The defaults the tool's options show.
    public static let defaults = EvalRun(model: "", task: "")

    public init(model: String, task: String) {
        self.model = model
        self.task = task
    }

    /// The examples, the label words and the target's name.
    func loadExamples() throws -> (texts: [LabeledText], words: [String], target: String) {
        if let examplesFile {
            let manifest = task.isEmpty ? nil : try inputs.manifest(task)
            guard let words = verbalizer ?? manifest?.verbalizer else {
                throw ToolError.usage("--examples without --task: give --verbalizer word,word,...")
            }
            let target =
                task.isEmpty ? ((examplesFile as NSString).lastPathComponent as NSString).deletingPathExtension : task
            return (try readLabeledTexts(examplesFile, classes: words.count), words, target)
        }
        guard !task.isEmpty else { throw ToolError.usage("give --task, or --examples FILE") }
        let m = try inputs.manifest(task)
        let words = verbalizer ?? m.verbalizer
        guard words.count == m.labels.count else {
            throw ToolError.usage("\(task) has \(m.labels.count) labels; --verbalizer gives \(words.count) words")
        }
        return (try inputs.examples(task, split: split), words, task)
    }

    public func run() throws {
        guard !prompts.isEmpty else { throw ToolError.usage("name at least one prompt file") }
        let frozen = try loadModel(folder: model)
        let tokenizer = try Tokenizer.load(folder: model)
        let identity = try ModelIdentity(frozen)
        var (texts, labelWords, target) = try loadExamples()
        guard !texts.isEmpty else { throw ToolError("no examples to evaluate on") }
        if let limit, limit < texts.count {
            var rng = SplitMix64(seed: seed ^ 0xE7A1)
            texts.seededShuffle(&rng)
            texts = Array(texts.prefix(limit))
        }
        let words = try labelWordIds(labelWords, tokenizer: tokenizer, firstToken: frozen is T5Model)
        let files = try prompts.map { try PromptFile.read($0) }  // all checked before any work
        for f in files { try f.check(model: identity, readout: nil) }
        let out = try DataOutput(path: output)
        var cache: [String: EncodedSet] = [:]
        for f in files {
            let kind = Readout.Kind(rawValue: f.metadata["readout"] ?? "") ?? defaultReadout(frozen)
            let template = try PromptTemplate(
                self.template ?? f.metadata["template"] ?? PromptTemplate.defaultText(for: frozen),
                tokenizer: tokenizer, readsAtMask: kind != .decoder)
            let limit = maxTextTokens ?? recordedMaxText(f) ?? 128
            let key = "\(template.text)|\(f.length)|\(limit)"
            if cache[key] == nil {
                cache[key] = try EncodedSet(
                    texts, tokenizer: tokenizer, template: template, promptLength: f.length, maxTextTokens: limit,
                    maxSequence: frozen.maxSequence, typeVocab: frozen.typeVocab)
            }
            let set = cache[key]!
            let reader = try labelReader(kind, words: words, model: frozen)
            let bar = ProgressLine(
                label: "\(f.name) on \(target)", total: set.count,
                enabled: progress || Log.stderrIsTerminal)
            let preds = try predict(
                set, prompt: f.prompt.array, promptLength: f.length, reader: reader,
                firstPosition: frozen.firstPosition, batchSize: batchSize, progress: bar)
            bar.finish()
            out.writeLine(
                JSON.object([
                    .init("source", .string(f.name)), .init("target", .string(target)),
                    .init("model", .string(identity.name)), .init("split", .string(examplesFile ?? split)),
                    .init("accuracy", .number(accuracy(preds, set.labels))), .init("n", .number(set.count)),
                    .init("prompt", .string(f.path)), .init("readout", .string(kind.rawValue)),
                    .init("matrix_backend", JSON.matrixBackend),
                    .init(
                        "settings",
                        .object([
                            .init("limit", self.limit.map { .number($0) } ?? .null), .init("seed", .number(Int(seed))),
                            .init("max_text_tokens", .number(limit)), .init("template", .string(template.text)),
                            .init("verbalizer", .array(labelWords.map { .string($0) })),
                            .init("toolkit_version", .string(toolkitVersion)),
                        ])),
                ]).text)
            out.flush()
        }
        try out.commit()
    }

    func recordedMaxText(_ f: PromptFile) -> Int? {
        guard let s = f.metadata["settings"], let j = try? JSON.parse(s) else { return nil }
        return j["max_text_tokens"]?.int
    }
}
