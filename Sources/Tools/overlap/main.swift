// `overlap`: its help and examples; the options and the run are OverlapOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct Overlap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlap",
        abstract: "Count the examples of one task split whose texts also stand in another split.",
        discussion: """
            Texts are compared normalised (lower-cased letters and digits only). One JSON line per \
            (source, target) pair: {"source","source_split","target","target_split","target_n", \
            "first_text","pair","any_text","examples"}: target examples whose first text, whose \
            (first, second) pair, or any of whose texts stand in the source split. eval-prompt \
            --exclude-overlap leaves out the any_text ones.

            Examples:
              overlap --source sst2:train --target rotten_tomatoes:test
              overlap --source mnli:train --target mnli:validation   # a task with itself
              overlap --all -o out/overlap.jsonl                     # what make overlap runs,
              overlap --from out/overlap.jsonl --markdown            #   then tabulates
            """,
        version: toolkitVersion)

    @OptionGroup var options: OverlapOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(Overlap.self)
