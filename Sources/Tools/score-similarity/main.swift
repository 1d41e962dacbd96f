// `score-similarity`: its help and examples; the options and the run are ScoreSimilarityOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct ScoreSimilarity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score-similarity",
        abstract: "Transferability indicators for every ordered pair of prompts.",
        discussion: """
            One JSON line per ordered pair {"source","target", ...}: euclidean_concat, \
            euclidean_token, cosine_concat, cosine_token (prompts of one shape); with --model, \
            on_cosine, on_jaccard and on_cosine_layer_K — the overlap of the FFN neurons each \
            prompt activates (the prompt followed by a start token by default; --text, --read, \
            --layers, --threshold change that and are recorded under "on"). Prompts may be this \
            toolkit's safetensors, torch.save files, .npy, or PEFT adapters; a list of paths is \
            read from stdin when none is given.

            Examples:
              score-similarity out/prompts/*.safetensors | heatmap-csv --value cosine_token
              ls ../shared/reference/prompt-transferability/task_prompt_emb/*PromptRoberta/task_prompt \\
                  | score-similarity
              score-similarity --model models/splade-tiny out/prompts/*.splade-tiny.safetensors
              score-similarity --activations masks.safetensors
              score-similarity --model ~/models/roberta-base --layout paper-1.0 \\
                  ../shared/reference/prompt-transferability/task_prompt_emb/*PromptRoberta/task_prompt
            """,
        version: toolkitVersion)

    @OptionGroup var options: ScoreSimilarityOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(ScoreSimilarity.self)
