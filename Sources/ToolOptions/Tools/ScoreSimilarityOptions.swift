// The options of `score-similarity`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct ScoreSimilarityOptions: ParsableArguments {
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
