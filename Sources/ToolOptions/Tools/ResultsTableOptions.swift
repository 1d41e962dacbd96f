// The options of `results-table`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct ResultsTableOptions: ParsableArguments {
    public init() {}

    @Option(help: "markdown or csv.") var format = ResultsTableRun().format
    @Option(
        help: ArgumentHelp(
            "Compare prompt A with B on every evaluation set both have per-example results for (eval-prompt "
                + "--per-example): paired bootstrap interval of the difference and McNemar's exact p.",
            valueName: "A,B"))
    var paired: String?
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "eval-prompt JSON-lines files, one per seed or together (stdin when none).") var files:
        [String] = []

    public func validate() throws {
        guard ["markdown", "csv"].contains(format) else { throw ValidationError("--format is markdown or csv") }
        if let paired, paired.split(separator: ",").count != 2 {
            throw ValidationError("--paired takes two prompt names: A,B")
        }
    }

    public func run() throws {
        var r = ResultsTableRun()
        r.inputs = files
        r.format = format
        r.paired = paired.map { p in
            let names = p.split(separator: ",").map(String.init)
            return (names[0], names[1])
        }
        r.output = destination.output
        try r.run()
    }
}
