// The options of `heatmap-csv`, declared once, and what the tool does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct HeatmapCSVOptions: ParsableArguments {
    public init() {}

    @Option(help: "Field naming the row.") var row = HeatmapRun().row
    @Option(help: "Field naming the column.") var col = HeatmapRun().col
    @Option(help: "Numeric field in the cells.") var value = HeatmapRun().value
    @Option(help: "File with row/column names in order.") var order: String?
    @Flag(
        help: ArgumentHelp(
            "Divide each column of --value (default accuracy) by its diagonal, the target's own result; other "
                + "fields (an indicator under --spearman) are never divided."))
    var relative = false
    @Option(help: "Also draw the heatmap into FILE.svg.") var svg: String?
    @Option(help: "Title of the SVG.") var title: String?
    @Option(
        help: ArgumentHelp(
            "Mark with * the SVG cells whose line has FIELD above 0 (e.g. excluded, from eval-prompt "
                + "--exclude-overlap source).", valueName: "FIELD"))
    var mark: String?
    @Option(parsing: .unconditional, help: "Digits shown in the SVG cells (the CSV keeps at least 4).") var digits =
        HeatmapRun().digits
    @Option(help: "X,Y: Spearman correlation between two fields instead of a matrix.") var spearman: String?
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "JSON-lines files (stdin when none).") var files: [String] = []

    public func run() throws {
        var r = HeatmapRun()
        r.inputs = files
        r.row = row
        r.col = col
        r.value = value
        r.order = order
        r.relative = relative
        r.mark = mark
        r.svg = svg
        r.title = title
        r.digits = digits
        r.output = destination.output
        if let spearman {
            let p = spearman.split(separator: ",").map(String.init)
            guard p.count == 2 else { throw ValidationError("--spearman takes two field names: X,Y") }
            r.spearman = (p[0], p[1])
        }
        try r.run()
    }
}
