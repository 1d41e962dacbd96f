// The options of `tokenize`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct TokenizeOptions: ParsableArguments {
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
