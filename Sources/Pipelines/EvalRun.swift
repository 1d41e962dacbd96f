import Analysis
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
    /// The task or file evaluated on, its label words and fields.
    public var target = TargetChoice()
    public var split = "validation"
    public var prompts: [String] = []
    /// The prompts' names in the rows, in order (default: each prompt's recorded name).
    public var names: [String] = []
    public var forward = ForwardPass()
    public var output: String? = nil
    /// Evaluate on a seeded sample of at most this many examples.
    public var limit: Int? = nil
    public var seed: UInt64 = 0
    /// Overrides the template recorded in the prompts (needed for files without one, such as
    /// the paper's released prompts: `paper-1.0`).
    public var template: String? = nil
    /// Progress on stderr even when it is not a terminal.
    public var progress = false
    /// `TASK:SPLIT` of other tasks: examples sharing any normalised text with one of them are
    /// left out before the --limit sample (e.g. `sst2:train` on rotten_tomatoes); `source`: each
    /// prompt's own training task's train split (a cross-task matrix's cells).
    public var excludeOverlap: [String] = []
    /// Also a row for the majority class of the target's train split.
    public var majority = false
    /// The majority class from this file of one's own training examples (read as --examples).
    public var majorityFrom: String? = nil
    /// Each row also carries `"correct"`: one 0/1 per example, in the evaluated order (for paired
    /// tests: `results-table --paired A,B`).
    public var perExample = false
    /// Also a row for this many random prompts (seeds 0…K−1, laid out as the first prompt):
    /// their mean accuracy and its sd.
    public var randomPrompts = 0

    /// The defaults the tool's options show.
    public static let defaults = EvalRun(model: "")

    public init(model: String) {
        self.model = model
    }

    /// The examples, the label words, the target's name and the fields its file was read with.
    /// Without a task, the label words, class names and fields default to what the prompts
    /// recorded (when they all agree).
    func loadExamples(_ files: [PromptFile]) throws -> TargetChoice.Resolved {
        func recorded(_ key: String) throws -> String? {
            let values = Set(files.map { $0.metadata[key] ?? "" })
            guard values.count == 1, let value = values.first, !value.isEmpty else {
                if values.count > 1 {
                    throw ToolError.usage("the prompts record different \(key); give --task or --verbalizer")
                }
                return nil
            }
            return value
        }
        return try target.resolve(
            taskExamples: { _ in try target.inputs.examples(target.task, split: split) }, recorded: recorded)
    }

    public func run() throws {
        let prompts = try LineSource.promptPaths(self.prompts)
        let (frozen, tokenizer, identity) = try loadModelAndTokenizer(folder: model)
        let files = try PromptFile.readAll(prompts, names: names, model: identity)
        let resolved = try loadExamples(files)
        let (allTexts, labelWords, fields) = (resolved.texts, resolved.words, resolved.fields)
        // the examples each prompt is evaluated on: the split less the overlap with --exclude-overlap's
        // splits (`source`: the prompt's own training task's train split), then the --limit sample
        var evaluationSets: [String: (texts: [LabeledText], excluded: Int)] = [:]
        var overlaps: [String: TextOverlap] = [:]  // each source split read and indexed once
        func evaluationSet(_ specs: [String]) throws -> (texts: [LabeledText], excluded: Int) {
            let key = specs.joined(separator: "|")
            if let set = evaluationSets[key] { return set }
            var texts = allTexts
            for spec in specs {
                if overlaps[spec] == nil { overlaps[spec] = TextOverlap(try target.inputs.examples(spec: spec)) }
                texts.removeAll(where: overlaps[spec]!.sharesAnyText)
            }
            guard !texts.isEmpty else { throw ToolError("no examples to evaluate on", exitCode: 65) }
            let set = (Selection.sample(texts, limit: limit, seed: seed), allTexts.count - texts.count)
            evaluationSets[key] = set
            return set
        }
        func specs(_ f: PromptFile) throws -> [String] {
            try excludeOverlap.map { spec in
                guard spec == "source" else { return spec }
                guard let task = f.metadata["task"], !task.isEmpty else {
                    throw ToolError.usage(
                        "\(f.path) records no task: --exclude-overlap source needs the prompt's training task")
                }
                return "\(task):train"
            }
        }
        let majorityLabel =
            try majority || majorityFrom != nil ? majorityClass(labels: labelWords.count, fields: fields) : nil
        let words = try labelWordIds(labelWords, tokenizer: tokenizer, firstToken: frozen is T5Model)
        let out = try DataOutput(path: output)
        var cache: [String: EncodedSet] = [:]
        func row(_ f: PromptFile, source: String, correct: [Bool], template: String, maxText: Int,
                 extra: [JSON.Member] = []) throws -> JSON {
            let excluded = try evaluationSet(specs(f)).excluded
            let ci = Statistics.accuracy(correct, seed: seed)
            return .object(
                [
                    .init("source", .string(source)), .init("target", .string(resolved.name)),
                    .init("model", .string(identity.name)), .init("split", .string(target.examplesFile ?? split)),
                    .init("accuracy", .number(ci?.estimate ?? 0)), .init("ci95", ci.map { $0.json } ?? .null),
                    .init("n", .number(correct.count)), .init("excluded", .number(excluded)),
                ] + extra
                    + (perExample ? [.init("correct", .string(String(correct.map { $0 ? "1" : "0" })))] : []) + [
                    .init("prompt", .string(f.path)),
                    .init("readout", .string(f.metadata["readout"] ?? defaultReadout(frozen).rawValue)),
                    .init("matrix_backend", JSON.matrixBackend),
                    .init(
                        "settings",
                        .object([
                            .init("eval_limit", self.limit.map { .number($0) } ?? .null),
                            .init("seed", .number(Int(seed))),
                            .init("exclude_overlap", .array(try specs(f).map { .string($0) })),
                            .init("max_text_tokens", .number(maxText)), .init("template", .string(template)),
                            .init("verbalizer", .array(labelWords.map { .string($0) })),
                            .init("toolkit_version", .string(toolkitVersion)),
                        ])),
                ])
        }
        /// Per example: the prompt's prediction is the label.
        func correctness(_ f: PromptFile, values: [Float]) throws -> (correct: [Bool], template: String, maxText: Int) {
            let kind = Readout.Kind(rawValue: f.metadata["readout"] ?? "") ?? defaultReadout(frozen)
            let template = try PromptTemplate(
                self.template ?? f.metadata["template"] ?? PromptTemplate.defaultText(for: frozen),
                tokenizer: tokenizer, readsAtMask: kind != .decoder)
            let limit = forward.textTokens(for: f)
            let specs = try specs(f)
            let key = "\(template.text)|\(f.length)|\(limit)|\(specs.joined(separator: "|"))"
            if cache[key] == nil {
                cache[key] = try EncodedSet(
                    try evaluationSet(specs).texts, tokenizer: tokenizer, template: template, promptLength: f.length,
                    maxTextTokens: limit, maxSequence: frozen.maxSequence, typeVocab: frozen.typeVocab)
            }
            let set = cache[key]!
            let reader = try labelReader(kind, words: words, model: frozen)
            let bar = ProgressLine(
                label: "\(f.name) on \(resolved.name)", total: set.count,
                enabled: progress || Log.stderrIsTerminal)
            let preds = try predict(
                set, prompt: values, promptLength: f.length, reader: reader,
                firstPosition: frozen.firstPosition, batchSize: forward.batchSize, progress: bar)
            bar.finish()
            return (zip(preds, set.labels).map { $0 == $1 }, template.text, limit)
        }
        for f in files {
            let r = try correctness(f, values: f.prompt.array)
            out.writeLine(
                try row(f, source: f.name, correct: r.correct, template: r.template, maxText: r.maxText).text)
            out.flush()
        }
        // the baselines are evaluated on the first prompt's examples
        if let majorityLabel {
            let f = files[0]
            let correct = try evaluationSet(specs(f)).texts.map { $0.label == majorityLabel }
            let extra: [JSON.Member] = [
                .init("majority_label", .number(majorityLabel)),
                .init("majority_from", .string(majorityFrom ?? "train")),
            ]
            out.writeLine(
                try row(f, source: "majority", correct: correct, template: "", maxText: 0, extra: extra).text)
            out.flush()
        }
        if randomPrompts > 0 {
            // laid out as the first prompt (length, template, readout), values drawn as tune-prompt's random init
            let f = files[0]
            var accuracies: [Double] = []
            var last: (correct: [Bool], template: String, maxText: Int)? = nil
            for draw in 0..<randomPrompts {
                let values = try PromptInit.random.values(
                    n: f.length, model: frozen, tokenizer: tokenizer, identity: identity, seed: UInt64(draw))
                let r = try correctness(f, values: values)
                accuracies.append(Double(r.correct.filter { $0 }.count) / Double(max(1, r.correct.count)))
                last = r
            }
            let (mean, sd) = Statistics.meanSD(accuracies)
            let extra: [JSON.Member] = [
                .init("accuracy_mean", .number(mean)), .init("accuracy_sd", .number(sd)),
                .init("draws", .number(randomPrompts)), .init("accuracies", .array(accuracies.map { .number($0) })),
            ]
            var j = try row(
                f, source: "random", correct: last!.correct, template: last!.template, maxText: last!.maxText,
                extra: extra)
            j.set("accuracy", .number(mean))
            j.set("ci95", .null)
            out.writeLine(j.text)
            out.flush()
        }
        try out.commit()
    }

    /// The most frequent label of the target task's train split (ties: the lower index).
    func majorityClass(labels: Int, fields: ExampleFields) throws -> Int {
        let train: [LabeledText]
        if let majorityFrom {
            train = try ExampleFile.read(majorityFrom, fields: fields, classes: labels)
        } else {
            guard !target.task.isEmpty else {
                throw ToolError.usage(
                    "--majority needs --task (its train split), or --majority-from FILE (your own training examples)")
            }
            train = try target.inputs.examples(target.task, split: "train")
        }
        var counts = [Int](repeating: 0, count: labels)
        for t in train { counts[t.label] += 1 }
        return counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
    }

}
