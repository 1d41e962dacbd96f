// `compare-runs`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing

public struct CompareRuns: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare-runs",
        abstract: "Compare tuning runs with the same run from scratch: start, best, steps to the scratch best.",
        discussion: """
            Reads tune-prompt logs (its JSON events). Each run is paired with the --reference log of \
            the same task and seed (the run from scratch) and gives: its selection accuracy at step 0, \
            its best and the step of it, the from-scratch best and its step, and steps_to_scratch_best \
            — the first validation step at which the run reaches the from-scratch best (null: never). \
            Accuracies are the selection slice of train that tune-prompt evaluates on, not a reported \
            split (evaluate the final prompts with eval-prompt for that). One JSON line per run, or \
            --format markdown: one row per task and start (its init) with mean ± sd over the seeds.

            Examples:
              compare-runs --reference logs/mrpc.random.s0.jsonl logs/mrpc.*.s0.jsonl
              compare-runs --format markdown --reference 'logs/*.random.*.jsonl' logs/*.jsonl
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "A from-scratch tune-prompt log (repeat: one per task and seed).") var reference: [String] = []
    @Option(help: "json or markdown.") var format = CompareRunsRun().format
    @OptionGroup var destination: DataOutputOption
    @Argument(help: "tune-prompt logs of the runs to compare.") var runs: [String] = []

    public func validate() throws {
        guard ["json", "markdown"].contains(format) else { throw ValidationError("--format is json or markdown") }
        guard !reference.isEmpty else { throw ValidationError("give --reference LOG (the run from scratch)") }
        guard !runs.isEmpty else { throw ValidationError("name the tune-prompt logs to compare") }
    }

    public func run() throws {
        var r = CompareRunsRun()
        r.runs = runs
        r.references = reference
        r.format = format
        r.output = destination.output
        try r.run()
    }
}
