// Markdown tables as the results tools write them: a header row, its separator, one line per row.

public enum MarkdownTable {
    /// The table's text, each line ending in a newline; cells are written as given.
    public static func render(_ header: [String], _ rows: [[String]]) -> String {
        var lines = [line(header), "|" + String(repeating: "---|", count: header.count)]
        for row in rows { lines.append(line(row)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
}
