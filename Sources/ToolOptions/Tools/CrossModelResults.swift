// `cross-model-results`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing

public struct CrossModelResults: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cross-model-results",
        abstract: "Tabulate a cross-model grid (scripts/cross-model-paper.sh) with every result's baselines.",
        discussion: """
            Reads FOLDER/eval (the projected prompts' evaluations and each target model's baselines) \
            and writes one JSON line per projector × task: source_model, target_model, method, \
            train_tasks, task, category, seen, accuracy, ci95, n, excluded, majority_accuracy, \
            random_accuracy, random_sd, random_draws, own_accuracy (the target's own prompt of the \
            task), same_task_transfer (the target's prompt of the projector's training task, \
            zero-shot on this task; the mean over them for a projector of several tasks; null for \
            the vocabulary map; a baselines file without one of them is an error). --format \
            markdown: the same as a table (accuracy in %). --summary: a row per projector — its \
            training task's accuracy (the target's own), the unseen tasks above / below random \
            beyond the noise (the difference exceeds 1.96 × sqrt(p(1 − p)/n + sd²): the projected \
            accuracy's sampling error and the spread of the random draws), and the mean projected \
            − random accuracy over the unseen tasks of the training task's category and over the \
            others. --init: from FOLDER/logs, \
            one line per projector × init task — the target tuned from the projected prompt \
            against the same run from scratch (scratch_best and its step, init_step0, init_best \
            and its step, steps_to_scratch_best). --combine FOLDER FOLDER…: several runs (seeds) \
            of the same grid, a line per projector found in every run: each summary measure (its \
            training task's projected, own, random and majority-class accuracy; over the unseen \
            tasks of its category the projected, random, majority-class and same-task-transfer \
            accuracy; projected − random in \
            the category and outside it) as the runs' values with their mean and sd, and the unseen \
            tasks above / below random summed over the runs; a projector missing from some run is \
            left out, named on stderr.

            Examples:
              cross-model-results out/cross-model-paper > results.jsonl
              cross-model-results --format markdown out/cross-model-paper
              cross-model-results --summary out/cross-model-paper
              cross-model-results --init --format markdown out/cross-model-paper
              cross-model-results --combine --format markdown out/cross-model-paper out/cross-model-s1 \
                out/cross-model-s2
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "json or markdown.") var format = CrossModelResultsRun(folder: "").format
    @Flag(help: "A row per projector (markdown).") var summary = false
    @Flag(name: .customLong("init"), help: "The init stage: tuning from projected prompts against from scratch.")
    var initRuns = false
    @Flag(help: "Several runs (seeds) of the same grid as mean ± sd per projector (two or more folders).")
    var combine = false
    @OptionGroup var destination: DataOutputOption
    @OptionGroup var data: DataFolderOptions
    @Argument(help: "The grid's output folder (OUT of cross-model-paper.sh); with --combine, one per run.")
    var folders: [String]

    public func validate() throws {
        guard ["json", "markdown"].contains(format) else { throw ValidationError("--format is json or markdown") }
        guard !(summary && initRuns) else { throw ValidationError("give --summary or --init, not both") }
        guard !(combine && (summary || initRuns)) else {
            throw ValidationError("--combine makes its own summary; it takes neither --summary nor --init")
        }
        if combine {
            guard folders.count >= 2 else { throw ValidationError("--combine needs the folders of two runs or more") }
        } else {
            guard folders.count == 1 else { throw ValidationError("give one folder (several: --combine)") }
        }
    }

    public func run() throws {
        var r = CrossModelResultsRun(folder: folders[0])
        r.format = summary ? "markdown" : format
        r.summary = summary
        r.combineFolders = combine ? folders : []
        r.initRuns = initRuns
        r.inputs = data.inputs
        r.output = destination.output
        try r.run()
    }
}
