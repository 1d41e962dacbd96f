// `results-table`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct ResultsTable: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "results-table",
        abstract: "Tabulate eval-prompt results: each prompt and baseline with n and a 95 % interval.",
        discussion: """
            Rows are keyed by prompt (source), evaluation set (target, split, excluded overlap) and n, \
            in first-seen order. One result: the accuracy and its bootstrap interval; the same key in \
            several inputs (one per seed): mean ± sd over them and each value; eval-prompt's \
            "random" row: the mean ± sd over its draws.

            Examples:
              eval-prompt --model models/minilm --task rotten_tomatoes --split test --majority \\
                  --random-prompts 5 out/demo/sst2.safetensors | results-table
              results-table out/demo-seed*/rt-test.jsonl          # mean ± sd over seeds
              results-table --format csv out/demo/*.eval.jsonl > table.csv
              # does the SST-2 prompt beat rotten_tomatoes' own? (eval-prompt --per-example)
              results-table --paired sst2,rotten_tomatoes out/demo/rt-test.jsonl
            """,
        version: toolkitVersion)

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
