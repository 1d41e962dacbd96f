// `prepare-data`: the command — its help and examples, its options declared once, and what it does with them.
import ArgumentParser
import Datasets
import Pipelines
import Plumbing

public struct PrepareData: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    public init() {}

    @Argument(help: "Task name (a file data-manifests/TASK.json).", completion: taskNames) var task: String?
    @Option(name: .customLong("task"), help: "The task, as the other tools name it.", completion: taskNames)
    var taskOption: String?
    @Option(help: "train, validation or test.") var split = PrepareRun.defaults.split
    @Option(name: .shortAndLong, help: "Write to FILE (atomically) instead of stdout.") var output: String?
    @Option(help: "Folder with the raw upstream files (default $PT_DATA_MIRROR, else ../shared/data).") var mirror:
        String?
    @Option(help: "Folder of the data manifests (default $PT_MANIFESTS, ./data-manifests, else the toolkit's own).")
    var manifests: String?
    @Flag(help: "Fetch the raw files from their upstream URLs into --cache instead of a mirror.") var download = false
    @Option(help: "Download cache folder.") var cache = PrepareRun.defaults.cache
    @Flag(help: "Report each malformed row on stderr and skip it, instead of stopping.") var skipBad = false
    @Flag(help: "List the tasks: name, category, available splits (tab-separated).") var list = false
    @Flag(help: "With --list: only the paper's 13 tasks, in its order.") var paper = false

    public func run() throws {
        if list {
            let folder = try Manifest.folder(manifests)
            var listed = try Manifest.tasks(in: folder).map { ($0, try Manifest.load("\(folder)/\($0).json")) }
            if paper {
                listed = listed.filter { $0.1.paperOrder != nil }.sorted { $0.1.paperOrder! < $1.1.paperOrder! }
            }
            for (t, m) in listed {
                print("\(t)\t\(m.category)\t\(m.splitNames.filter(m.isAvailable).joined(separator: ","))")
            }
            return
        }
        guard task == nil || taskOption == nil || task == taskOption else {
            throw ValidationError("two tasks: \(task!) and --task \(taskOption!)")
        }
        guard let task = task ?? taskOption else { throw ValidationError("name a task (see --list)") }
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
