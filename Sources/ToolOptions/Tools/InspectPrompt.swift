// `inspect-prompt`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct InspectPrompt: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    public init() {}

    @Option(help: "Model folder (the prompts' model).") var model: String
    @Option(parsing: .unconditional, help: "Nearest vocabulary tokens listed per vector.")
    var nearest = InspectRun.defaults.nearest
    @Option(
        name: .customLong("init"),
        help: "Measure movement from this prompt file instead of the prompt's recorded init, recomputed.")
    var initFile: String?
    @Flag(help: "A readable table (the default when stdout is a terminal).") var table = false
    @Flag(help: "JSON lines even on a terminal.") var json = false
    @OptionGroup var destination: DataOutputOption
    @OptionGroup var threading: ThreadOptions
    @Argument(help: "Prompt files (default: paths read from stdin, one per line).") var prompts: [String] = []

    public func validate() throws {
        try OptionRange.check("nearest", nearest, 1...1000)
        guard !(table && json) else { throw ValidationError("give --table or --json") }
    }

    public func run() throws {
        threading.apply()
        var r = InspectRun(model: model)
        r.prompts = prompts
        r.nearest = nearest
        r.initFile = initFile
        r.table = table ? true : (json ? false : nil)
        r.output = destination.output
        try r.run()
    }
}
