// The target a tool runs prompts on (eval-prompt, rank-sources), chosen in one place: a task (its
// manifest's labels and label words, its prepared splits) or a file of one's own examples, read
// with the given label words and fields over the task's or, else, over what the prompts recorded;
// and how the forward passes batch and truncate the target's texts.
import Datasets
import Plumbing
import Tuning

public struct TargetChoice {
    /// The target task (data-manifests/TASK.json); may be empty with `examplesFile`.
    public var task = ""
    /// The target's own examples (JSON lines, CSV or TSV) instead of a task's split.
    public var examplesFile: String? = nil
    /// How `examplesFile` is read, over what the prompts recorded (else the defaults).
    public var fields = ExampleFieldChoice()
    /// The target's label words (default: the task's verbalizer, else what the prompts recorded).
    public var verbalizer: [String]? = nil
    public var inputs = TaskInputs()

    public init() {}

    /// What the target resolved to: its examples, label words, name (the task, else the file's
    /// stem) and the fields its file was read with.
    struct Resolved {
        var texts: [LabeledText]
        var words: [String]
        var name: String
        var fields: ExampleFields
    }

    /// The target's examples: `taskExamples(manifest)` reads a task's (a split, or a slice of
    /// train); `recorded(key)` is what every prompt recorded under a metadata key (nil when none
    /// did), the last default of a file's label words, class names and fields.
    func resolve(
        taskExamples: (Manifest) throws -> [LabeledText],
        recorded: (String) throws -> String? = { _ in nil }
    ) throws -> Resolved {
        guard let examplesFile else {
            guard !task.isEmpty else { throw ToolError.usage("give --task, or --examples FILE") }
            let m = try inputs.manifest(task)
            let words = verbalizer ?? m.verbalizer
            guard words.count == m.labels.count else {
                throw ToolError.usage("\(task) has \(m.labels.count) labels; --verbalizer gives \(words.count) words")
            }
            return Resolved(texts: try taskExamples(m), words: words, name: task, fields: ExampleFields())
        }
        func strings(_ text: String?) throws -> [String]? {
            guard let text else { return nil }
            return try JSON.parse(text).array?.compactMap { $0.string }
        }
        let manifest = task.isEmpty ? nil : try inputs.manifest(task)
        let recordedWords = manifest == nil ? try strings(recorded("verbalizer")) : nil
        guard let words = verbalizer ?? manifest?.verbalizer ?? recordedWords else {
            throw ToolError.usage(
                "--examples without --task: give --verbalizer word,word,... (none given, none recorded)")
        }
        let recordedFields = try recorded("example_fields").map { ExampleFields(json: try JSON.parse($0)) }
        var fields = self.fields.over(recordedFields ?? ExampleFields())
        if fields.labels.isEmpty { fields.labels = try manifest?.labels ?? strings(recorded("labels")) ?? [] }
        guard fields.labels.isEmpty || fields.labels.count == words.count else {
            throw ToolError.usage("\(fields.labels.count) class names for \(words.count) label words")
        }
        let texts = try ExampleFile.read(examplesFile, fields: fields, classes: words.count)
        let name = task.isEmpty ? ExampleFile.stem(examplesFile) : task
        return Resolved(texts: texts, words: words, name: name, fields: fields)
    }
}

/// How prompts are run over a target's texts: examples per forward pass (the results do not
/// depend on it) and the text tokens kept (default: each prompt's recorded setting).
public struct ForwardPass {
    public var batchSize = 32
    public var maxTextTokens: Int? = nil

    public init() {}

    /// The text tokens kept for a prompt: the given number, else the prompt's recorded one, else
    /// tune-prompt's default.
    func textTokens(for prompt: PromptFile) -> Int {
        maxTextTokens ?? prompt.recordedMaxTextTokens ?? TuneSettings().maxTextTokens
    }
}
