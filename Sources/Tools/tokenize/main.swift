// `tokenize`: its help and examples; the options and the run are TokenizeOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var options: TokenizeOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(Tokenize.self)
