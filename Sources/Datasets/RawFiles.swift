import Foundation
import Plumbing
import TensorFiles

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where raw files are read from: a local mirror of the upstream files (default), or a
/// download cache filled from each file's upstream URL. Either way a file's sha256 is
/// checked against the manifest before a byte of it is parsed.
public struct RawFiles {
    public enum Origin { case mirror(String), download(cache: String) }

    public let origin: Origin
    private var verified: Set<String> = []

    public init(origin: Origin) { self.origin = origin }

    /// The default mirror: $PT_DATA_MIRROR, else ../shared/data when it exists (beside the working
    /// folder, then beside the source tree the tool was built in), else the installation's.
    public static func defaultMirror() -> String? {
        if let env = ProcessInfo.processInfo.environment["PT_DATA_MIRROR"], !env.isEmpty { return env }
        for folder in ["../shared/data", Installation.sourceTree + "/../shared/data"]
        where FileManager.default.fileExists(atPath: folder) {
            return folder
        }
        return Installation.recordedPath("mirror")
    }

    /// Local path of a verified raw file.
    public mutating func path(_ f: Manifest.File) throws -> String {
        let local: String
        switch origin {
        case .mirror(let dir):
            local = dir + "/" + f.path
            guard FileManager.default.fileExists(atPath: local) else {
                throw ToolError.data(local, "missing raw file (\(f.key) of the manifest)")
            }
        case .download(let cache):
            local = cache + "/" + f.path
            if !FileManager.default.fileExists(atPath: local) { try download(f, to: local) }
        }
        if !verified.contains(local) {
            let sum = try RawFiles.sha256(of: local)
            guard sum == f.sha256 else {
                throw ToolError(
                    "\(local): sha256 mismatch: expected \(f.sha256), got \(sum); the file is not the one the "
                    + "manifest names",
                    exitCode: 65)
            }
            verified.insert(local)
        }
        return local
    }

    public static func sha256(of path: String) throws -> String {
        let m = try MappedFile(path: path)
        return SHA256.hex(m.bytes)
    }

    /// Fetches the upstream URL into the cache (atomically). This machine has no network:
    /// the call fails there with the URL and the reason.
    func download(_ f: Manifest.File, to local: String) throws {
        guard let s = f.url, let url = URL(string: s) else {
            throw ToolError.data(f.key, "the manifest gives no URL to download from")
        }
        try AtomicFile.makeParentFolder(of: local)
        Log.info("downloading \(s) ...")
        final class Box: @unchecked Sendable { var result: Result<Data, Error> = .failure(ToolError("no answer")) }
        let box = Box()  // written once by the callback, read after the semaphore
        let done = DispatchSemaphore(value: 0)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        URLSession(configuration: config).dataTask(with: url) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else if let h = response as? HTTPURLResponse, h.statusCode != 200 {
                box.result = .failure(ToolError("HTTP \(h.statusCode)"))
            } else {
                box.result = .success(data ?? Data())
            }
            done.signal()
        }.resume()
        done.wait()
        let data: Data
        switch box.result {
        case .success(let d): data = d
        case .failure(let e): throw ToolError("cannot download \(s) for \(f.key): \(e.localizedDescription)")
        }
        guard let member = f.urlMember else {
            try AtomicFile.write(data, to: local)
            return
        }
        // The file is one member of an upstream archive: keep the archive, extract the member.
        let archive = local + ".download"
        try AtomicFile.write(data, to: archive)
        var found: [UInt8]? = nil
        try ArchiveReader.members(of: archive, want: { $0 == member }, read: { _, b in found = b })
        guard let found else { throw ToolError.data(s, "the downloaded archive has no member '\(member)'") }
        try AtomicFile.write(Data(found), to: local)
    }
}
