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

    func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

/// Spearman's rank correlation, with average ranks for ties.
public func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    let rx = averageRanks(x)
    let ry = averageRanks(y)
    let mx = rx.reduce(0, +) / Double(rx.count)
    let my = ry.reduce(0, +) / Double(ry.count)
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in 0..<rx.count {
        sxy += (rx[i] - mx) * (ry[i] - my)
        sxx += (rx[i] - mx) * (rx[i] - mx)
        syy += (ry[i] - my) * (ry[i] - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// Ranks 1…n; tied values share the mean of the ranks they span.
public func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var ranks = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count, v[order[j + 1]] == v[order[i]] { j += 1 }
        let avg = Double(i + j + 2) / 2
        for k in i...j { ranks[order[k]] = avg }
        i = j + 1
    }
    return ranks
}
