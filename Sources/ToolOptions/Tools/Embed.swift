// `embed`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct Embed: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Encode JSON lines with a BERT-family model; one vector per line.",
        discussion: """
            Input lines hold "text_a" (optional "text_b") or an already tokenized "input_ids" \
            (optional "token_type_ids"). Output: each line with "embedding" added, or with \
            --output FILE.safetensors one tensor "embeddings" [N, hidden] whose metadata lists the \
            lines' "id" fields (their line numbers where absent).

            Examples:
              echo '{"text_a":"A gripping film."}' | embed --model models/minilm --normalize
              tokenize --model models/minilm data.jsonl | embed --model models/minilm --pool cls
              embed --model models/minilm --output sst2.safetensors data/sst2/validation.jsonl
              embed --model models/splade-tiny --activations --output masks.safetensors out/prompts/*.safetensors

            With --activations the inputs are prompt files instead: each is fed to the model \
            (followed by a start token) and the binary masks of its FFN activations are written \
            to --output FILE.safetensors, for `score-similarity --activations`.
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "Model folder (config.json, model.safetensors, tokenizer).") var model: String
    @Option(help: "Pooling: cls, mean (over the tokens) or mask (the [MASK] token's state).") var pool: EmbedRun.Pool =
        .mean
    @Flag(help: "Scale each vector to unit length.") var normalize = false
    @Option(parsing: .unconditional, help: "Sequences per forward pass.") var batchSize = EmbedRun.defaults.batchSize
    @Option(parsing: .unconditional, help: "Truncate longest-first to N tokens; without it a longer input is an error.")
    var maxLength: Int?
    @OptionGroup var threading: ThreadOptions
    @Option(name: .shortAndLong, help: "Write to FILE (atomically); FILE.safetensors writes one tensor.") var output:
        String?
    @OptionGroup var reporting: ProgressOption
    @Flag(help: "Inputs are prompt files: write their FFN activation masks (see below).") var activations = false
    @OptionGroup(title: "With --activations") var stimulus: StimulusOptions
    @Argument(help: "JSON-lines files (stdin when none); prompt files with --activations.") var files: [String] = []

    public func validate() throws {
        try OptionRange.check("batch-size", batchSize, OptionRange.batchSize)
        try OptionRange.check("max-length", maxLength, 1...100_000)
    }

    public func run() throws {
        threading.apply()
        if activations {
            guard let output, output.hasSuffix(".safetensors") else {
                throw ValidationError("--activations writes --output FILE.safetensors")
            }
            try EmbedRun.writeActivations(
                prompts: files, model: model, stimulation: try stimulus.stimulation(), to: output)
            return
        }
        var r = EmbedRun(model: model)
        r.inputs = files
        r.output = output
        r.pool = pool
        r.normalize = normalize
        r.batchSize = batchSize
        r.maxLength = maxLength
        r.progress = reporting.progress
        try r.run()
    }
}
