// `heatmap-csv`: its help and examples; the options and the run are HeatmapCSVOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct HeatmapCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heatmap-csv",
        abstract: "Pivot JSON lines into a matrix CSV (and an SVG heatmap), or correlate two fields.",
        discussion: """
            Rows and columns come in first-seen order (or --order FILE, one name a line); missing \
            cells are empty. --relative divides each column by its diagonal (the target's own \
            prompt): the paper's relative transfer performance. --spearman X,Y joins the fields X \
            and Y on (row, column) and prints {"x","y","scope","spearman","n"} over the \
            off-diagonal pairs: scope "all", and "mean_per_target" (the mean of per-column ones).

            Examples:
              eval-prompt ... | heatmap-csv --value accuracy --relative --svg transfer.svg > transfer.csv
              cat transfer.jsonl similarity.jsonl | heatmap-csv --relative --spearman cosine_concat,accuracy
            """,
        version: toolkitVersion)

    @OptionGroup var options: HeatmapCSVOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(HeatmapCSV.self)
