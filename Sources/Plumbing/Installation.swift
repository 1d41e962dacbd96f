// Where the toolkit's own files are, whichever folder a tool runs in: the source tree the tool
// was built in, or the share folder `make install` wrote beside it (PREFIX/share/prompt-transfer,
// with the data folders the installation was made from recorded in its `paths.json`).
import Foundation

public enum Installation {
    /// The folder of the running executable, symlinks resolved.
    static var executableFolder: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// PREFIX/share/prompt-transfer of an installed tool (PREFIX/bin/TOOL).
    public static var shareFolder: String {
        executableFolder.appendingPathComponent("../share/prompt-transfer").standardized.path
    }

    /// The source tree of a tool built in it (.build/TRIPLE/release/TOOL).
    public static var sourceTree: String {
        executableFolder.appendingPathComponent("../../..").standardized.path
    }

    /// Candidate places of the toolkit's folder `name` (e.g. "data-manifests"): the source tree,
    /// then the installation's share folder.
    public static func candidates(_ name: String) -> [String] {
        [sourceTree + "/" + name, shareFolder + "/" + name]
    }

    /// A path the installation recorded (`data_dir`, `mirror`), if it exists.
    public static func recordedPath(_ key: String) -> String? {
        guard let bytes = FileManager.default.contents(atPath: shareFolder + "/paths.json"),
            let json = try? JSON.parse(String(decoding: bytes, as: UTF8.self)),
            let path = json[key]?.string, FileManager.default.fileExists(atPath: path)
        else { return nil }
        return path
    }
}
