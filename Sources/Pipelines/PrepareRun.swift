import Datasets
import Foundation
import Plumbing

/// `prepare-data`: one split of one task as normalised JSON lines
/// `{"id","task","text_a","text_b"?,"label"}`, from checksummed raw files.
public struct PrepareRun {
    public var task: String
    public var split: String
    public var output: String? = nil
    public var mirror: String? = nil
    public var manifests: String? = nil
    public var download = false
    public var cache = "data/.cache"
    public var skipBad = false

    public init(task: String, split: String) {
        self.task = task
        self.split = split
    }

    /// The manifests folder: --manifests, $PT_MANIFESTS, ./data-manifests, or the one of the
    /// source tree the executable was built in.
    public static func manifestsFolder(_ given: String?) throws -> String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates: [String?] = [
            given, ProcessInfo.processInfo.environment["PT_MANIFESTS"], "data-manifests",
            exe.deletingLastPathComponent().appendingPathComponent("../../../data-manifests").standardized.path,
        ]
        for c in candidates.compactMap({ $0 }) where FileManager.default.fileExists(atPath: c + "/sst2.json") {
            return c
        }
        if let given { throw ToolError.usage("\(given): no data manifests there") }
        throw ToolError.usage("cannot find data-manifests/; pass --manifests DIR")
    }

    public static func tasks(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }.sorted()
    }

    public func run() throws {
        let folder = try PrepareRun.manifestsFolder(manifests)
        let path = "\(folder)/\(task).json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError.usage(
                "unknown task '\(task)' (known: \(try PrepareRun.tasks(in: folder).joined(separator: ", ")))")
        }
        let manifest = try Manifest.load(path)
        let origin: RawFiles.Origin
        if download {
            origin = .download(cache: cache)
        } else {
            guard let dir = mirror ?? RawFiles.defaultMirror() else {
                throw ToolError.usage("no dataset mirror: pass --mirror DIR, set PT_DATA_MIRROR, or use --download")
            }
            origin = .mirror(dir)
        }
        var builder = DatasetBuilder(manifest: manifest, files: RawFiles(origin: origin))
        builder.skipBad = skipBad
        let examples = try builder.build(split: split)
        let out = try DataOutput(path: output)
        for e in examples { out.writeLine(e.json(task: task).text) }
        try out.commit()
        if skipBad {
            Log.info("\(task) \(split): \(examples.count) examples written, \(builder.skipped) bad rows skipped")
        }
    }
}
