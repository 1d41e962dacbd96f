// `project apply`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing
import Transfer
import Tuning

public struct ProjectApply: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Map prompts through a projector into prompt files for the target model.",
        discussion: """
            Each output's metadata names the target model, the projector and the source prompt, \
            ready for eval-prompt and score-similarity. A prompt of another model or shape \
            than the projector's source is an error.

            Example:
              project apply --projector out/projector.safetensors --output-dir out/projected src/*.safetensors
            """)

    public init() {}

    @Option(help: "Projector file.") var projector: String
    @Option(help: "Folder for the projected prompts (NAME.safetensors).")
    var outputDir = ProjectApplyRun(projector: "").outputDir
    @Option(name: .shortAndLong, help: "Output file, for a single prompt.") var output: String?
    @Argument(help: "Source prompts.") var prompts: [String] = []

    public func run() throws {
        var r = ProjectApplyRun(projector: projector)
        r.prompts = prompts
        r.outputDir = outputDir
        r.output = output
        try r.run()
    }
}
