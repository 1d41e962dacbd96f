// The options of `project apply`, declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing
import Transfer
import Tuning

public struct ProjectApplyOptions: ParsableArguments {
    public init() {}

    @Option(help: "Projector file.") var projector: String
    @Option(help: "Folder for the projected prompts (NAME.safetensors).") var outputDir = "out/projected"
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
