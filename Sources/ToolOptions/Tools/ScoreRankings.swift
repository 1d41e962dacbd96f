// `score-rankings`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing

public struct ScoreRankings: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "score-rankings",
        abstract: "Measure how well each estimator's ranking of source prompts predicts the transfer measured.",
        discussion: """
            Reads the transfer matrix (--transfer: eval-prompt rows of every prompt on every target, \
            the target's own prompt included) and rank-sources rows (each source scored for a target). \
            For each estimator the rows carry: Spearman and Kendall's tau-b of its scores with \
            relative transfer (accuracy ÷ the target's own prompt's), pooled over the (source, target) \
            pairs and as the mean of per-target values; Regret@1 and Regret@3 (points of relative \
            transfer lost against the best source in hindsight, starting from the best of the top 1 \
            or 3); the top-1 hit rate. Each with a 95 % seeded bootstrap interval (pooled: over \
            pairs; per target: over targets); ties in an estimator's scores count as a random order \
            (exact expectations). A last row gives a random ranking's expectations. One JSON line \
            per estimator (--per-target adds one per target), or a markdown table. --paired A,B \
            compares two estimators target by target: the mean of the per-target differences A − B \
            (Spearman, Regret@1/@3, top-1) with a bootstrap interval over the targets both rank; a \
            difference whose interval holds 0 is not shown. --combine turns score-rankings lines of \
            several runs (seeds) into mean ± sd.

            Examples:
              score-rankings --transfer out/ct/transfer.jsonl out/ct/rank/*.jsonl
              score-rankings --transfer out/ct/transfer.jsonl --format markdown --estimators logme,on_cosine \\
                out/ct/rank/*.jsonl
              score-rankings --transfer out/ct/transfer.jsonl --format markdown --paired probe_accuracy,leep \
                --paired cosine_token,on_cosine out/ct/rank/*.jsonl
              score-rankings --combine --format markdown out/ct-seed*/rankings-scored.jsonl
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "The transfer matrix: eval-prompt JSON lines (repeat for several files).") var transfer: [String] =
        []
    @Option(help: "Estimators to measure, comma-separated (default: every one the rankings carry).")
    var estimators: String?
    @Option(help: "json or markdown.") var format = ScoreRankingsRun().format
    @Flag(help: "Also one JSON line per target and estimator: its top source, the best in hindsight, regrets.")
    var perTarget = false
    @Flag(help: "The inputs are score-rankings lines of several runs: mean ± sd per estimator (markdown).")
    var combine = false
    @Option(help: "Two estimators A,B compared target by target (mean difference A − B, paired interval; repeat).")
    var paired: [String] = []
    @Option(parsing: .unconditional, help: "Seed of the bootstrap resamples.") var seed = ScoreRankingsRun().seed
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "rank-sources JSON-lines files (stdin when none).") var files: [String] = []

    public func validate() throws {
        guard ["json", "markdown"].contains(format) else { throw ValidationError("--format is json or markdown") }
        if combine && !transfer.isEmpty {
            throw ValidationError("--combine reads score-rankings lines, not --transfer")
        }
        if !combine && transfer.isEmpty { throw ValidationError("give --transfer FILE (the eval-prompt matrix)") }
        if combine && perTarget { throw ValidationError("--per-target belongs to a run, not to --combine") }
        if combine && !paired.isEmpty { throw ValidationError("--paired belongs to a run, not to --combine") }
        for p in paired where p.split(separator: ",").count != 2 || Set(p.split(separator: ",")).count != 2 {
            throw ValidationError("--paired takes two different estimators as A,B, not \(p)")
        }
    }

    public func run() throws {
        var r = ScoreRankingsRun()
        r.transfer = transfer
        r.inputs = files
        r.estimators = estimators.map { $0.split(separator: ",").map(String.init) } ?? []
        r.format = combine ? "markdown" : format
        r.perTarget = perTarget
        r.combine = combine
        r.paired = paired.map { p in
            let names = p.split(separator: ",").map(String.init)
            return (names[0], names[1])
        }
        r.seed = seed
        r.output = destination.output
        try r.run()
    }
}
