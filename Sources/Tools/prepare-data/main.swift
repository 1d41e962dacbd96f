// `prepare-data`: its help and examples; the options and the run are PrepareDataOptions (ToolOptions).
import ArgumentParser
import Plumbing
import ToolOptions

struct PrepareData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Write one split of a task as normalised JSON lines, from checksummed raw files.",
        discussion: """
            Output lines: {"id","task","text_a","text_b"?,"label"} with label the class index of the \
            manifest's "labels" (data-manifests/TASK.json, which also holds the verbalizer). Raw \
            files are verified by sha256 before they are parsed; a malformed row stops the run with \
            FILE:LINE: reason unless --skip-bad.

            Examples:
              prepare-data sst2 --split validation | head -2
              prepare-data --list
              prepare-data laptop --split train --mirror ../shared/data --output data/laptop/train.jsonl
            """,
        version: toolkitVersion)

    @OptionGroup var options: PrepareDataOptions

    func run() throws {
        try options.run()
    }
}

ToolMain.run(PrepareData.self)
