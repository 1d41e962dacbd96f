// `inspect-prompt`: its help and examples; the options and the run are InspectPromptOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct InspectPrompt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-prompt",
        abstract: "Look inside prompts: each vector's nearest vocabulary tokens, its norm, how far it moved.",
        discussion: """
            One JSON line per prompt vector: {"prompt","name","model","vector","norm", \
            "vocabulary_norm_mean","init","moved","moved_relative","nearest_cosine","nearest_dot"}, \
            the nearest tokens by cosine and by dot product with the word embeddings (the tied readout's \
            score), each {"token","id","score"}. "moved" is the L2 distance from where tuning started: \
            the prompt's recorded init recomputed with its recorded seed, or --init FILE; \
            "moved_relative" divides it by the starting vector's norm. On a terminal a table instead.

            Examples:
              inspect-prompt --model models/minilm out/demo/sst2.safetensors
              inspect-prompt --model models/minilm --nearest 3 --json out/demo/sst2.safetensors \\
                | jq -c '{vector, moved, near: [.nearest_cosine[].token]}'
              inspect-prompt --model models/minilm --init out/demo/sst2.safetensors \\
                out/demo/rotten_tomatoes-from-sst2.safetensors     # how far transfer moved it
            """,
        version: toolkitVersion)

    @OptionGroup var options: InspectPromptOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(InspectPrompt.self)
