// The options of `overlap`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct OverlapOptions: ParsableArguments {
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
