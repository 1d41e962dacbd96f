// The options of `embed`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct EmbedOptions: ParsableArguments {
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
        try OptionRange.check("batch-size", batchSize, 1...4096)
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
