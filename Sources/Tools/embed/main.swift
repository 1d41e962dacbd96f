// `embed`: its help and examples; the options and the run are EmbedOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var options: EmbedOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(Embed.self)
