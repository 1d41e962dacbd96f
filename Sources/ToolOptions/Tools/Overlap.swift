// `overlap`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct Overlap: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "overlap",
        abstract: "Count the examples of one task split whose texts also stand in another split.",
        discussion: """
            Texts are compared normalised (lower-cased letters and digits only). One JSON line per \
            (source, target) pair: {"source","source_split","target","target_split","target_n", \
            "first_text","pair","any_text","examples"}: target examples whose first text, whose \
            (first, second) pair, or any of whose texts stand in the source split. eval-prompt \
            --exclude-overlap leaves out the any_text ones.

            Examples:
              overlap --source sst2:train --target rotten_tomatoes:test
              overlap --source mnli:train --target mnli:validation   # a task with itself
              overlap --all -o out/overlap.jsonl                     # what make overlap runs,
              overlap --from out/overlap.jsonl --markdown            #   then tabulates
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: ArgumentHelp("Split whose texts are looked up in (repeatable).", valueName: "TASK:SPLIT"))
    var source: [String] = []
    @Option(help: ArgumentHelp("Split whose examples are counted (repeatable).", valueName: "TASK:SPLIT"))
    var target: [String] = []
    @Flag(help: "Every task's train split against every task's validation and test splits, itself included.")
    var all = false
    @Flag(help: "A markdown table of the pairs that share examples instead of JSON lines.") var markdown = false
    @Option(help: "Tabulate the JSON lines of an earlier run instead of measuring (with --markdown).") var from:
        String?
    @Option(parsing: .unconditional, help: "Ids of shared target examples listed per row.") var examples =
        OverlapRun().examples
    @OptionGroup var data: DataFolderOptions
    @OptionGroup var destination: DataOutputOption

    public func validate() throws {
        try OptionRange.check("examples", examples, 0...1000)
        let modes = [all, !source.isEmpty || !target.isEmpty, from != nil].filter { $0 }.count
        guard modes == 1, all || from != nil || (!source.isEmpty && !target.isEmpty) else {
            throw ValidationError("give --source TASK:SPLIT and --target TASK:SPLIT, --all, or --from FILE")
        }
    }

    public func run() throws {
        var r = OverlapRun()
        r.inputs = data.inputs
        r.sources = source
        r.targets = target
        r.all = all
        r.markdown = markdown
        r.examples = examples
        r.from = from
        r.output = destination.output
        try r.run()
    }
}
