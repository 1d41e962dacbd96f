// `tokenize`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct Tokenize: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Add input_ids to JSON lines, exactly as the model's Hugging Face tokenizer would.",
        discussion: """
            Reads JSON lines with "text_a" (and optional "text_b"); writes each line back with \
            "input_ids" added (and "token_type_ids" for pairs). Every other field passes through.

            Examples:
              echo '{"text_a":"A gripping film."}' | tokenize --model models/minilm
              tokenize --model models/splade-tiny --max-length 128 data/sst2/validation.jsonl | jq -c .input_ids
              # is a label word one token? (RoBERTa: "positive" and " positive" are different tokens)
              echo '{"text_a":" positive"}' | tokenize --model ~/models/roberta-base --tokens | jq -c .tokens
            """,
        version: toolkitVersion)

    public init() {}

    @Option(
        help: "Model folder holding tokenizer.json, vocab.txt (WordPiece) or vocab.json + merges.txt (byte-level BPE).")
    var model: String
    @Option(parsing: .unconditional, help: "Truncate longest-first to at most N tokens (special tokens included).")
    var maxLength: Int?
    @OptionGroup var destination: DataOutputOption
    @Flag(help: "Also write the token strings as \"tokens\" (as convert_ids_to_tokens gives them).") var tokens = false
    @OptionGroup var reporting: ProgressOption
    @Argument(help: "JSON-lines files (stdin when none).") var files: [String] = []

    public func validate() throws {
        try OptionRange.check("max-length", maxLength, 1...100_000)
    }

    public func run() throws {
        var r = TokenizeRun(model: model)
        r.inputs = files
        r.output = destination.output
        r.maxLength = maxLength
        r.progress = reporting.progress
        r.withTokens = tokens
        try r.run()
    }
}
