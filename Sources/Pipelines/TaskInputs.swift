import Datasets
import Foundation
import Plumbing
import Tuning

/// Where a task's examples come from: the prepared file `DATA/TASK/SPLIT.jsonl` when it
/// exists (`make data`), otherwise prepared on the fly from the checksummed mirror.
public struct TaskInputs {
    /// The prepared data folder; nil: `$PT_DATA_DIR`, ./data, the source tree's data/, or the
    /// one the installation recorded — the first that exists.
    public var dataDir: String? = nil
    public var mirror: String? = nil
    public var manifests: String? = nil

    public init() {}

    var preparedFolder: String {
        if let dataDir { return dataDir }
        let candidates = [ProcessInfo.processInfo.environment["PT_DATA_DIR"], "data", Installation.sourceTree + "/data"]
        for c in candidates.compactMap({ $0 }) where FileManager.default.fileExists(atPath: c) { return c }
        return Installation.recordedPath("data_dir") ?? "data"
    }

    /// The tasks of the manifests folder a tool finds by default (for shell completion; none when
    /// there is no such folder).
    public static func knownTasks() -> [String] {
        guard let folder = try? Manifest.folder(nil) else { return [] }
        return (try? Manifest.tasks(in: folder)) ?? []
    }

    /// A tuning preset: a file (a path with a "/" or ending in .json), or NAME in the manifests
    /// folder's presets/.
    public func preset(_ nameOrPath: String) throws -> TunePreset {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        let folder = isPath ? "" : try Manifest.folder(manifests) + "/presets"
        let path = isPath ? nameOrPath : "\(folder)/\(nameOrPath).json"
        guard FileManager.default.fileExists(atPath: path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".json") }
                .map { String($0.dropLast(5)) }.sorted().joined(separator: ", ")
            throw ToolError.usage("no preset \(nameOrPath)" + (known.map { " (known: \($0))" } ?? ""))
        }
        let json: JSON
        do {
            json = try JSON.parse(String(decoding: try readWholeFile(path), as: UTF8.self))
        } catch let error as JSONParseError {
            throw ToolError.data(path, "not valid JSON: \(error)")
        }
        return try TunePreset(name: ExampleFile.stem(path), json: json, file: path)
    }

    public func manifest(_ task: String) throws -> Manifest {
        let folder = try Manifest.folder(manifests)
        let path = "\(folder)/\(task).json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError.usage(
                "unknown task '\(task)' (known: \(try Manifest.tasks(in: folder).joined(separator: ", "))); for "
                    + "examples of your own give --train FILE (tune-prompt) or --examples FILE (eval-prompt): JSON "
                    + "lines, CSV or TSV, with --labels NAME,NAME,...")
        }
        return try Manifest.load(path)
    }

    /// `TASK:SPLIT` (e.g. `sst2:train`): that split's examples.
    public func examples(spec: String) throws -> [LabeledText] {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ToolError.usage("'\(spec)' is not TASK:SPLIT (e.g. sst2:train)")
        }
        return try examples(parts[0], split: parts[1])
    }

    public func examples(_ task: String, split: String) throws -> [LabeledText] {
        let m = try manifest(task)
        let file = "\(preparedFolder)/\(task)/\(split).jsonl"
        if FileManager.default.fileExists(atPath: file) { return try readLabeledTexts(file, classes: m.labels.count) }
        guard let dir = mirror ?? RawFiles.defaultMirror() else {
            throw ToolError.usage(
                "\(file) does not exist and there is no dataset mirror: run `make data`, or pass --mirror DIR")
        }
        var b = DatasetBuilder(manifest: m, files: RawFiles(origin: .mirror(dir)))
        return try b.build(split: split).map { LabeledText(id: $0.id, a: $0.textA, b: $0.textB, label: $0.label) }
    }
}
