// `tune-prompt`: its help and examples; the options and the run are TunePromptOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct TunePrompt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-prompt",
        abstract: "Learn a soft prompt for a task on a frozen model (AdamW on the prompt alone).",
        discussion: """
            Input layout (--template): [CLS] P1..Pn [MASK] text_a [SEP] (text_b [SEP]) — for RoBERTa \
            <s> P1..Pn <mask> text_a </s> (</s> text_b </s>) — or the paper's 1.0 layout \
            (paper-1.0); the label is read at [MASK] through the MLM head restricted to the task's \
            label words (--readout mlm) or \
            through the model's input word embeddings (--readout tied, for encoders without a head). \
            T5 (model_type t5): P1..Pn text_a </s> (text_b </s>), the label read from the first \
            decoder step's logits at the first token of each label word (--readout decoder). \
            Evaluates on validation every --eval-every steps and writes the best prompt as \
            safetensors (tensor "prompt" [n, hidden] + metadata) or a PEFT adapter folder. \
            stdout: one JSON line per event (start, train, eval, done); stderr: progress.

            Examples:
              tune-prompt --model models/minilm --task sst2 --prompt-length 20
              tune-prompt --model models/minilm --task rotten_tomatoes \\
                  --init from:out/prompts/sst2.minilm.safetensors
              tune-prompt --model models/splade-tiny --train a.jsonl \\
                  --validation b.jsonl --verbalizer no,yes
              tune-prompt ... --resume    # continue from the checkpoint
              tune-prompt --model ~/models/roberta-base --task sst2 \\
                  --verbalizer negative,positive --template paper-1.0 --prompt-length 100
              tune-prompt --model ~/models/t5-base --task sst2 --template paper-1.0-t5 \\
                  --prompt-length 100
            """,
        version: toolkitVersion)

    @OptionGroup var options: TunePromptOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(TunePrompt.self)
