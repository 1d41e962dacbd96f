// The options of `results-table`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct ResultsTableOptions: ParsableArguments {
    public init() {}

    @Option(help: "markdown or csv.") var format = ResultsTableRun().format
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "eval-prompt JSON-lines files, one per seed or together (stdin when none).") var files:
        [String] = []

    public func validate() throws {
        guard ["markdown", "csv"].contains(format) else { throw ValidationError("--format is markdown or csv") }
    }

    public func run() throws {
        var r = ResultsTableRun()
        r.inputs = files
        r.format = format
        r.output = destination.output
        try r.run()
    }
}
