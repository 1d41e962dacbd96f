// `rank-sources`: which source prompt should a new task start from? Each source prompt is run on
// the target task's selection slice of train (never a reported split), and scored by estimators
// that read target data — LEEP (its own label distribution), LogME and H-score (the states the
// label is read from), the zero-shot probe accuracy — then ranked by one of them.
import Analysis
import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

public struct RankRun {
    public var model: String
    /// The target: a task (its train split's selection slice is read) or a file of its examples.
    public var target = TargetChoice()
    public var prompts: [String] = []
    /// The prompts' names in the rows, in order (default: each prompt's recorded name).
    public var names: [String] = []
    /// The selection slice's size (the slice tune-prompt would carve with the same seed).
    public var selectionSize = Selection.defaultSize
    public var seed: UInt64 = 0
    public var forward = ForwardPass()
    /// The estimator that orders the rows: leep, logme, hscore, hscore_regularized or probe_accuracy.
    public var by = RankRun.defaultEstimator
    public var output: String? = nil
    public var progress = false

    /// A prompt of the target (e.g. tuned briefly on it): with it, the paper's prompt-only
    /// indicators of each source against it (euclidean_*, cosine_*; sources of its shape) and the
    /// overlap of the FFN neurons each switches on (on_*, each prompt in its own recorded layout).
    public var reference: String? = nil

    public static let estimators = [
        "leep", "logme", "hscore", "hscore_regularized", "probe_accuracy", "euclidean_concat", "euclidean_token",
        "cosine_concat", "cosine_token", "on_cosine", "on_jaccard",
    ]
    public static let defaultEstimator = "logme"
    public static let defaults = RankRun(model: "")

    public init(model: String) {
        self.model = model
    }

    public func run() throws {
        guard Self.estimators.contains(by) else {
            throw ToolError.usage("--by is one of \(Self.estimators.joined(separator: ", ")), not \(by)")
        }
        let promptOnly = by.hasPrefix("euclidean") || by.hasPrefix("cosine") || by.hasPrefix("on_")
        guard reference != nil || !promptOnly else {
            throw ToolError.usage("--by \(by) compares each source with the target's prompt: give --reference PROMPT")
        }
        let paths = try LineSource.promptPaths(prompts)
        let (frozen, tokenizer, identity) = try loadModelAndTokenizer(folder: model)
        let files = try PromptFile.readAll(paths, names: names, model: identity)
        let referenceFile = try reference.map { try PromptFile.readAll([$0], names: [], model: identity)[0] }
        let referenceGeometry = referenceFile.map { PromptGeometry($0.prompt) }
        let stimulation = Stimulation()
        let referenceMask = try referenceFile.map {
            try stimulation.mask($0.prompt, template: $0.metadata["template"], model: frozen, tokenizer: tokenizer)
        }
        let (examples, targetWords, split) = try targetExamples()
        let labels = examples.map(\.label)
        let targetIds = try labelWordIds(targetWords, tokenizer: tokenizer, firstToken: frozen is T5Model)
        var rows: [JSON] = []
        for f in files {
            let sourceWords = try f.metadata["verbalizer"].flatMap { try JSON.parse($0).array?.compactMap(\.string) }
            let sourceIds = try sourceWords.map {
                try labelWordIds($0, tokenizer: tokenizer, firstToken: frozen is T5Model)
            }
            let kind = Readout.Kind(rawValue: f.metadata["readout"] ?? "") ?? defaultReadout(frozen)
            let template = try PromptTemplate(
                f.metadata["template"] ?? PromptTemplate.defaultText(for: frozen), tokenizer: tokenizer,
                readsAtMask: kind != .decoder)
            let set = try EncodedSet(
                examples, tokenizer: tokenizer, template: template, promptLength: f.length,
                maxTextTokens: forward.textTokens(for: f),
                maxSequence: frozen.maxSequence, typeVocab: frozen.typeVocab)
            // one pass: the states, and the logits at the source's words then the target's
            let reader = try labelReader(kind, words: (sourceIds ?? []) + targetIds, model: frozen)
            let bar = ProgressLine(
                label: "\(f.name) on \(target.task)", total: set.count, enabled: progress || Log.stderrIsTerminal)
            var states: [Double] = []
            var logits: [Float] = []
            let values = f.prompt.array
            var start = 0
            while start < set.count {
                let batch = start..<min(start + forward.batchSize, set.count)
                let r = try reader.statesAndLogits(
                    set.input(Array(batch)[...], firstPosition: frozen.firstPosition), prompt: values,
                    promptLength: f.length)
                states += r.states.map(Double.init)
                logits += r.logits
                start = batch.upperBound
                bar.advance(batch.count)
            }
            bar.finish()
            guard states.allSatisfy(\.isFinite), logits.allSatisfy(\.isFinite) else {
                throw ToolError("\(f.path): the model gave non-finite states with this prompt", exitCode: 65)
            }
            let n = set.count
            let z = sourceIds?.count ?? 0
            let k = targetIds.count
            let width = z + k
            // LEEP: the source's own label distribution (softmax over its words)
            var leep: Double? = nil
            if z > 0 {
                var theta = [Double](repeating: 0, count: n * z)
                for i in 0..<n {
                    let row = (0..<z).map { Double(logits[i * width + $0]) }
                    let top = row.max()!
                    let e = row.map { Foundation.exp($0 - top) }
                    let sum = e.reduce(0, +)
                    for j in 0..<z { theta[i * z + j] = e[j] / sum }
                }
                leep = Transferability.leep(probabilities: theta, sourceClasses: z, labels: labels, targetClasses: k)
            }
            let correct = (0..<n).filter { i in
                let row = (0..<k).map { logits[i * width + z + $0] }
                return row.firstIndex(of: row.max()!) == labels[i]
            }.count
            let C = frozen.hidden
            let logme = Transferability.logme(features: states, n: n, d: C, labels: labels, classes: k)
            let hscore = Transferability.hscore(features: states, n: n, d: C, labels: labels)
            let regularizedHScore = Transferability.regularizedHScore(features: states, n: n, d: C, labels: labels)
            func number(_ x: Double?) -> JSON { x.map { JSON.number($0, significant: 8) } ?? .null }
            var indicators: [JSON.Member] = []
            if let referenceFile, let referenceGeometry {
                let comparable = f.prompt.shape == referenceFile.prompt.shape
                if !comparable {
                    Log.info(
                        "\(f.path): \(f.length) vectors, the reference \(referenceFile.length): no prompt indicators")
                }
                let metrics = comparable ? PromptGeometry.metrics(PromptGeometry(f.prompt), referenceGeometry) : []
                for name in Self.estimators where name.hasPrefix("euclidean") || name.hasPrefix("cosine") {
                    indicators.append(.init(name, number(metrics.first { $0.0 == name }?.1)))
                }
                if let referenceMask {
                    let mask = try stimulation.mask(
                        f.prompt, template: f.metadata["template"], model: frozen, tokenizer: tokenizer)
                    let overlap = activationOverlap(mask, referenceMask, range: 0..<mask.count)
                    indicators.append(.init("on_cosine", number(overlap.cosine)))
                    indicators.append(.init("on_jaccard", number(overlap.jaccard)))
                }
            }
            rows.append(
                .object([
                    .init("source", .string(f.name)),
                    .init("target", .string(target.task.isEmpty ? split : target.task)),
                    .init("model", .string(identity.name)), .init("split", .string(split)), .init("n", .number(n)),
                    .init("leep", number(leep)), .init("logme", number(logme)), .init("hscore", number(hscore)),
                    .init("hscore_regularized", number(regularizedHScore)),
                    .init("probe_accuracy", number(Double(correct) / Double(n))),
                ] + indicators + [
                    .init("prompt", .string(f.path)),
                    .init(
                        "settings",
                        .object([
                            .init("selection_size", .number(selectionSize)), .init("seed", .number(Int(seed))),
                            .init("template", .string(template.text)), .init("readout", .string(kind.rawValue)),
                            .init("target_verbalizer", .array(targetWords.map { .string($0) })),
                            .init("source_verbalizer", sourceWords.map { .array($0.map { .string($0) }) } ?? .null),
                            .init("reference", referenceFile.map { .string($0.path) } ?? .null),
                            .init(
                                "on_stimulus",
                                referenceFile == nil
                                    ? .null : stimulation.settingsJSON(model: identity.name, layers: frozen.layers)),
                            .init("toolkit_version", .string(toolkitVersion)),
                        ])),
                ]))
            if sourceWords == nil { Log.info("\(f.path): records no label words, so no LEEP") }
        }
        if let n = rows.first?["n"]?.int, n <= frozen.hidden {
            Log.info(
                "note: \(n) examples for \(frozen.hidden) feature dimensions: H-score needs more examples than "
                    + "dimensions (it is K − 1 whatever the prompt otherwise) and is null; raise --selection-size")
        }
        // rank: 1 = best by the chosen estimator (nulls last, ties keep the input order)
        let order = rows.indices.sorted { a, b in
            let x = rows[a][by]?.double ?? -.infinity
            let y = rows[b][by]?.double ?? -.infinity
            return x != y ? x > y : a < b
        }
        for (rank, index) in order.enumerated() {
            rows[index].set("rank", .number(rank + 1))
            rows[index].set("by", .string(by))
        }
        let out = try DataOutput(path: output)
        for index in order { out.writeLine(rows[index].text) }
        try out.commit()
    }

    /// The target's examples the estimators read (its train split's selection slice, or its own
    /// file), its label words and what the examples are.
    func targetExamples() throws -> ([LabeledText], [String], String) {
        let resolved = try target.resolve { _ in
            let train = try target.inputs.examples(target.task, split: "train")
            let slice = Selection.carve(train, size: selectionSize, seed: seed).selection
            guard !slice.isEmpty else { throw ToolError.data(target.task, "its train split gives no selection slice") }
            return slice
        }
        return (resolved.texts, resolved.words, target.examplesFile ?? "train:selection")
    }
}
