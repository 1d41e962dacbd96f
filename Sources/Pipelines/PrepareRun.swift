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

    /// The defaults the tool's options show.
    public static let defaults = PrepareRun(task: "", split: "train")

    public init(task: String, split: String) {
        self.task = task
        self.split = split
    }

    public func run() throws {
        let folder = try Manifest.folder(manifests)
        let path = "\(folder)/\(task).json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError.usage(
                "unknown task '\(task)' (known: \(try Manifest.tasks(in: folder).joined(separator: ", ")))")
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
