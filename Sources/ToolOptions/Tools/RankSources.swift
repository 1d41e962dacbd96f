// `rank-sources`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing
import Tuning

public struct RankSources: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rank-sources",
        abstract: "Rank source prompts for a new target task by transferability estimators.",
        discussion: """
            Each source prompt is run on the target task's selection slice of train (the slice \
            tune-prompt carves with the same --seed and --selection-size; never a reported split) \
            and scored: leep (its own label distribution at the read row, through its recorded \
            label words, as an empirical predictor of the target labels; Nguyen et al. 2020), logme \
            (the evidence of a Bayesian linear model on the states the label is read from; You et \
            al. 2021), hscore (Bao et al. 2019; needs more examples than the model's hidden size, \
            else null), hscore_regularized (its Ledoit-Wolf shrinkage form, Ibrahim et al. 2022; any \
            number of examples), probe_accuracy (zero-shot accuracy through the target's label \
            words). One JSON line per source, best first by --by: {"source","target","model","split", \
            "n","leep","logme","hscore","hscore_regularized","probe_accuracy","rank","by",...}; with \
            --reference also the indicators against the target's own prompt (euclidean_*, cosine_*, \
            on_*).

            Examples:
              rank-sources --model models/mpnet-base --task rotten_tomatoes out/mpnet/*/sst2.safetensors
              ls out/cross-task/minilm/prompts/*.safetensors | rank-sources --model models/minilm \\
                --task mrpc --by leep --selection-size 1000
              rank-sources --model models/minilm --examples mine.csv --verbalizer bad,good --labels bad,good \\
                out/prompts/*.minilm.safetensors
            """,
        version: toolkitVersion)

    public init() {}

    @Option(help: "Model folder (the prompts' model).") var model: String
    @OptionGroup var target: TargetOptions
    @Option(
        parsing: .unconditional,
        help: "Examples in the selection slice (default \(Selection.defaultSize); as tune-prompt's).")
    var selectionSize: Int?
    @Option(parsing: .unconditional, help: "Seed of the selection slice (as tune-prompt's --seed).")
    var seed = RankRun.defaults.seed
    @OptionGroup var forward: ForwardPassOptions
    @Option(help: "The estimator that orders the rows: \(RankRun.estimators.joined(separator: ", ")).")
    var by = RankRun.defaultEstimator
    @Option(
        help: ArgumentHelp(
            "A prompt of the target (e.g. tuned briefly on it): the paper's indicators of each source against it "
                + "are added (euclidean_concat, euclidean_token, cosine_concat, cosine_token, on_cosine, on_jaccard).",
            valueName: "PROMPT"))
    var reference: String?
    @Option(help: "Name of each prompt in the rows, in order (repeat the option; default its recorded name).")
    var name: [String] = []
    @OptionGroup var destination: DataOutputOption
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var reporting: ProgressOption
    @Argument(help: "Source prompt files (default: paths read from stdin, one per line).") var prompts: [String] = []

    public func validate() throws {
        try OptionRange.check("selection-size", selectionSize, 2...100_000)
        guard RankRun.estimators.contains(by) else {
            throw ValidationError("--by is one of \(RankRun.estimators.joined(separator: ", ")), not \(by)")
        }
    }

    public func run() throws {
        threading.apply()
        var r = RankRun(model: model)
        r.target = target.target
        r.forward = forward.forward
        r.prompts = prompts
        r.names = name
        r.reference = reference
        if let selectionSize { r.selectionSize = selectionSize }
        r.seed = seed
        r.by = by
        r.output = destination.output
        r.progress = reporting.progress
        try r.run()
    }
}
