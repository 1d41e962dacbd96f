// `score-similarity`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct ScoreSimilarity: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    public init() {}

    @Option(help: "Model folder: also score the overlap of activated FFN neurons.") var model: String?
    @Option(
        name: .customLong("activations"), help: "Stored masks (embed --activations) to compare, instead of a model.")
    var activations: [String] = []
    @OptionGroup(title: "With --model") var stimulus: StimulusOptions
    @Option(help: "Name of each prompt, in order (repeat the option).") var name: [String] = []
    @OptionGroup var destination: DataOutputOption
    @OptionGroup var threading: ThreadOptions
    @Argument(help: "Prompt files (or a list of paths on stdin).") var prompts: [String] = []

    public func validate() throws {
    }

    public func run() throws {
        threading.apply()
        var r = ScoreRun()
        r.prompts = prompts
        r.names = name
        r.model = model
        r.activationFiles = activations
        r.output = destination.output
        r.stimulation = try stimulus.stimulation()
        try r.run()
    }
}
