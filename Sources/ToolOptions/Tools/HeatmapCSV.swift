// `heatmap-csv`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Pipelines
import Plumbing

public struct HeatmapCSV: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "heatmap-csv",
        abstract: "Pivot JSON lines into a matrix CSV (and an SVG heatmap), or correlate two fields.",
        discussion: """
            Rows and columns come in first-seen order (or --order FILE, one name a line); missing \
            cells are empty. --relative divides each column by its diagonal (the target's own \
            prompt): the paper's relative transfer performance. --spearman X,Y joins the fields X \
            and Y on (row, column) and prints {"x","y","scope","spearman","n"} over the \
            off-diagonal pairs: scope "all", and "mean_per_target" (the mean of per-column ones). \
            --categories (rows and columns are tasks) prints the mean of --value within a category \
            and across categories, their difference and each category's.

            Examples:
              eval-prompt ... | heatmap-csv --value accuracy --relative --svg transfer.svg > transfer.csv
              cat transfer.jsonl similarity.jsonl | heatmap-csv --relative --spearman cosine_concat,accuracy
              cat out/cross-task/minilm/eval/*.jsonl | heatmap-csv --relative --categories
            """,
        version: toolkitVersion)

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
    @Flag(
        help: ArgumentHelp(
            "Instead of a matrix: the mean of --value over the off-diagonal pairs whose tasks share a category "
                + "(the manifests'), beside the pairs across categories and each category, with 95 % bootstrap "
                + "intervals, and within − across with its permutation p."))
    var categories = false
    @OptionGroup var data: DataFolderOptions
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "JSON-lines files (stdin when none).") var files: [String] = []

    public func validate() throws {
        guard !categories || (spearman == nil && svg == nil) else {
            throw ValidationError("--categories prints means, not a matrix: without --spearman and --svg")
        }
    }

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
        r.categories = categories
        r.taskInputs = data.inputs
        if let spearman {
            let p = spearman.split(separator: ",").map(String.init)
            guard p.count == 2 else { throw ValidationError("--spearman takes two field names: X,Y") }
            r.spearman = (p[0], p[1])
        }
        try r.run()
    }
}
