import ArgumentParser
import Datasets
import Pipelines
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

    @Argument(help: "Task name (a file data-manifests/TASK.json).") var task: String?
    @Option(help: "train, validation or test.") var split = "train"
    @Option(name: .shortAndLong, help: "Write to FILE (atomically) instead of stdout.") var output: String?
    @Option(help: "Folder with the raw upstream files (default $PT_DATA_MIRROR, else ../shared/data).") var mirror:
        String?
    @Option(help: "Folder of the data manifests (default ./data-manifests).") var manifests: String?
    @Flag(help: "Fetch the raw files from their upstream URLs into --cache instead of a mirror.") var download = false
    @Option(help: "Download cache folder.") var cache = PrepareRun.defaults.cache
    @Flag(help: "Report each malformed row on stderr and skip it, instead of stopping.") var skipBad = false
    @Flag(help: "List the tasks: name, category, available splits (tab-separated).") var list = false

    func run() throws {
        if list {
            let folder = try Manifest.folder(manifests)
            for t in try Manifest.tasks(in: folder) {
                let m = try Manifest.load("\(folder)/\(t).json")
                print("\(t)\t\(m.category)\t\(m.splitNames.filter(m.isAvailable).joined(separator: ","))")
            }
            return
        }
        guard let task else { throw ValidationError("name a task (see --list)") }
        var r = PrepareRun(task: task, split: split)
        r.output = output
        r.mirror = mirror
        r.manifests = manifests
        r.download = download
        r.cache = cache
        r.skipBad = skipBad
        try r.run()
    }
}

ToolMain.run(PrepareData.self)
