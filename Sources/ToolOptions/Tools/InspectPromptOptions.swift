// The options of `inspect-prompt`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct InspectPromptOptions: ParsableArguments {
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
