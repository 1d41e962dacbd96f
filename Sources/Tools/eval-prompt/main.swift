// `eval-prompt`: its help and examples; the options and the run are EvalPromptOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct EvalPrompt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-prompt",
        abstract: "Evaluate prompts on a task's split (zero-shot cross-task transfer).",
        discussion: """
            Writes one JSON line per prompt: {"source","target","model","split","accuracy","n",...}. \
            Each prompt's recorded template and readout are used, with the target task's label \
            words. A prompt recorded for another model or hidden size is an error.

            Examples:
              eval-prompt --model models/minilm --task rotten_tomatoes \\
                  --split test out/prompts/sst2.minilm.safetensors
              eval-prompt --model models/minilm --examples my-reviews.jsonl \\
                  --verbalizer negative,positive out/demo/sst2.safetensors
              eval-prompt --model models/minilm --task sst2 out/prompts/*.minilm.* \\
                  | jq -c '[.source, .accuracy]'
              # a released RoBERTa prompt, in the layout and with the words the paper used
              eval-prompt --model ~/models/roberta-base --task sst2 --template paper-1.0 \\
                  --verbalizer negative,positive --max-text-tokens 128 \\
                  ../shared/reference/prompt-transferability/task_prompt_emb/SST2PromptRoberta/task_prompt
            """,
        version: toolkitVersion)

    @OptionGroup var options: EvalPromptOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(EvalPrompt.self)
