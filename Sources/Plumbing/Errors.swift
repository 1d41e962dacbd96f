/// An error the user can act on. Tools print `description` on stderr and exit with `exitCode`.
public struct ToolError: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) {
        description = message
        self.exitCode = exitCode
    }

    /// Bad input at a place in a file: `FILE:LINE: reason`.
    public static func at(_ file: String, line: Int, _ reason: String) -> ToolError {
        ToolError("\(file):\(line): \(reason)", exitCode: 65)  // EX_DATAERR
    }
    public static func usage(_ reason: String) -> ToolError { ToolError(reason, exitCode: 64) }  // EX_USAGE
    /// A file that is not what it claims to be: `FILE: reason`, exit 65 (EX_DATAERR).
    public static func data(_ file: String, _ reason: String) -> ToolError {
        ToolError("\(file): \(reason)", exitCode: 65)
    }
}
