// `results-table`: its help and examples; the options and the run are ResultsTableOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct ResultsTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results-table",
        abstract: "Tabulate eval-prompt results: each prompt and baseline with n and a 95 % interval.",
        discussion: """
            Rows are keyed by prompt (source), evaluation set (target, split, excluded overlap) and n, \
            in first-seen order. One result: the accuracy and its bootstrap interval; the same key in \
            several inputs (one per seed): mean ± sd over them and each value; eval-prompt's \
            "random" row: the mean ± sd over its draws.

            Examples:
              eval-prompt --model models/minilm --task rotten_tomatoes --split test --majority \\
                  --random-prompts 5 out/demo/sst2.safetensors | results-table
              results-table out/demo-seed*/rt-test.jsonl          # mean ± sd over seeds
              results-table --format csv out/demo/*.eval.jsonl > table.csv
              # does the SST-2 prompt beat rotten_tomatoes' own? (eval-prompt --per-example)
              results-table --paired sst2,rotten_tomatoes out/demo/rt-test.jsonl
            """,
        version: toolkitVersion)

    @OptionGroup var options: ResultsTableOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(ResultsTable.self)
