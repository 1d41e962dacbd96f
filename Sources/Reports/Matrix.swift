// A matrix of values keyed by row and column names, and its CSV.
import Foundation
import Plumbing

/// Values keyed by (row, column) from JSON lines, in first-seen order (or a given order).
public struct LabeledMatrix {
    public var rows: [String] = []
    public var cols: [String] = []
    public var cells: [String: [String: Double]] = [:]  // row → col → value

    public init() {}

    public subscript(r: String, c: String) -> Double? {
        get { cells[r]?[c] }
        set {
            if cells[r] == nil { cells[r] = [:] }
            if !rows.contains(r) { rows.append(r) }
            if !cols.contains(c) { cols.append(c) }
            cells[r]![c] = newValue
        }
    }

    /// Reorders rows and columns by `order` (names not in it keep their order, after it).
    public mutating func reorder(_ order: [String]) {
        func sort(_ xs: [String]) -> [String] { order.filter(xs.contains) + xs.filter { !order.contains($0) } }
        rows = sort(rows)
        cols = sort(cols)
    }

    /// Each column divided by its diagonal (the target's own result): the paper's relative
    /// transfer performance. Columns without a diagonal value are left empty.
    public func relative() -> LabeledMatrix {
        var m = LabeledMatrix()
        m.rows = rows
        m.cols = cols
        for r in rows {
            for c in cols {
                guard let v = self[r, c], let d = self[c, c], d != 0 else { continue }
                if m.cells[r] == nil { m.cells[r] = [:] }
                m.cells[r]![c] = v / d
            }
        }
        return m
    }

    public func csv(digits: Int) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "" }
        var lines = ["," + cols.map(csvField).joined(separator: ",")]
        for r in rows { lines.append(csvField(r) + "," + cols.map { f(self[r, $0]) }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

}

/// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a newline.
public func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
