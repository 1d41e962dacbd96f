// `project train`: the command — its help and examples, its options declared once, and what it does.
import ArgumentParser
import Pipelines
import Plumbing
import Transfer
import Tuning

public struct ProjectTrain: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn a projector from a source model's prompts to a target model's.",
        discussion: """
            The projector: flatten [n, d_s] → Linear(n·d_s → h) → LeakyReLU|Tanh → \
            Linear(h → n·d_t) → [n, d_t] (→ per-token LayerNorm). Objectives: task — the \
            projected prompt runs the frozen target model on the training tasks and the \
            target's verbalizer cross-entropy is back-propagated into the projector; \
            distance — the mean squared distance to prompts tuned on the target for the \
            same tasks; vocab — no prompts and no task data: a linear map from the source's word \
            embeddings to the target's, fitted by ridge least squares over the tokens both \
            vocabularies share (matched by string), applied to each prompt vector (any prompt \
            length). Writes the projector (safetensors + metadata) and a JSON-lines log.

            Examples:
              project train --source-model models/splade-tiny --target-model models/minilm \\
                --objective task --tasks sst2,mnli --source-prompts src/*.safetensors
              project train ... --objective distance --target-prompts tgt/*.safetensors
              project train --source-model models/minilm --target-model models/mpnet-base \\
                --objective vocab -o out/minilm-to-mpnet.vocab.safetensors
            """)

    public init() {}

    @Option(help: "Source model folder.") var sourceModel: String
    @Option(help: "Target model folder.") var targetModel: String
    @Option(help: "task, distance or vocab.") var objective: ProjectTrainRun.Objective = .task
    @Option(help: "Training tasks, comma-separated (task and distance objectives).") var tasks: String = ""
    @Option(
        help: "A training task (repeatable; the same as --tasks, as the other tools name it).", completion: taskNames)
    var task: [String] = []
    var allTasks: [String] { tasks.split(separator: ",").map(String.init) + task }
    @Option(parsing: .upToNextOption, help: "Prompts tuned on the source model (their recorded task pairs them).")
    var sourcePrompts: [String] = []
    @Option(parsing: .upToNextOption, help: "Prompts tuned on the target model (distance objective).")
    var targetPrompts: [String] = []
    @Option(parsing: .unconditional, help: "Hidden width h.") var hidden = ProjectorSettings().hidden
    @Option(help: "leakyrelu or tanh.") var activation = ProjectorSettings().activation
    @Flag(help: "Per-token LayerNorm on the output.") var layerNorm = false
    @Option(parsing: .unconditional, help: "Text tokens kept per example.")
    var maxTextTokens = ProjectorSettings().maxTextTokens
    @Option(help: "Target readout (default mlm with a head, else tied; decoder for T5).")
    var targetReadout: Readout.Kind?
    @Option(
        parsing: .unconditional,
        help: "Vocabulary map: ridge, relative to the mean diagonal of XᵀX (vocab objective).")
    var ridge = ProjectTrainRun.defaults.ridge
    @Option(name: .shortAndLong, help: "Output projector file.") var output = ProjectTrainRun.defaults.output
    @OptionGroup var optimizer: OptimizerOptions<ProjectorSettings>
    @OptionGroup var training: TrainingControlOptions
    @OptionGroup var data: DataFolderOptions
    @OptionGroup var threading: ThreadOptions

    public func validate() throws {
        try OptionRange.check("hidden", hidden, 1...65_536)
        try OptionRange.check("max-text-tokens", maxTextTokens, OptionRange.textTokens)
        guard ridge.isFinite, ridge >= 0 else { throw ValidationError("--ridge must be 0 or more, not \(ridge)") }
        if objective == .vocab {
            guard allTasks.isEmpty, sourcePrompts.isEmpty, targetPrompts.isEmpty else {
                throw ValidationError("--objective vocab takes no --tasks or prompts (it needs no task data)")
            }
        } else if allTasks.isEmpty {
            throw ValidationError("--objective \(objective.rawValue) needs --tasks")
        }
    }

    public func run() throws {
        threading.apply()
        var run = ProjectTrainRun(sourceModel: sourceModel, targetModel: targetModel)
        run.objective = objective
        run.tasks = allTasks
        run.sourcePrompts = sourcePrompts
        run.targetPrompts = targetPrompts
        run.settings.hidden = hidden
        run.settings.activation = activation
        run.settings.layerNorm = layerNorm
        run.settings.maxTextTokens = maxTextTokens
        try optimizer.apply(to: &run.settings)
        run.targetReadout = targetReadout
        run.ridge = ridge
        run.output = output
        run.inputs = data.inputs
        run.control = training.control
        try run.run()
    }
}
