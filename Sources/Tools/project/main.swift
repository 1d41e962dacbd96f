// `project`: its help and examples; the options and the runs are ProjectTrainOptions and
// ProjectApplyOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Cross-model prompt transfer: train a projector, or apply one.",
        version: toolkitVersion,
        subcommands: [Train.self, Apply.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
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
        @OptionGroup var options: ProjectTrainOptions

        func run() throws {
            try options.run()
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map prompts through a projector into prompt files for the target model.",
            discussion: """
                Each output's metadata names the target model, the projector and the source prompt, \
                ready for eval-prompt and score-similarity. A prompt of another model or shape \
                than the projector's source is an error.

                Example:
                  project apply --projector out/projector.safetensors --output-dir out/projected src/*.safetensors
                """)
        @OptionGroup var options: ProjectApplyOptions

        func run() throws {
            try options.run()
        }
    }
}

ToolMain.run(Project.self)
