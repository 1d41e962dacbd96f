// The heatmap as an SVG picture.
import Foundation

/// A heatmap as an SVG picture: one cell per value with the value written in it, row labels
/// on the left, column labels on top (slanted), a colour scale with its legend, and a `*` in
/// the corner of each marked cell with the mark's meaning below the picture.
public enum HeatmapSVG {
    public static func render(
        _ m: LabeledMatrix, title: String, digits: Int, marked: Set<String> = [], markNote: String = ""
    ) -> String {
        let values = m.rows.flatMap { r in m.cols.compactMap { m[r, $0] } }
        let lo = values.min() ?? 0
        let hi = values.max() ?? 1
        let cell = 46.0
        let left = 12 + Double((m.rows.map(\.count).max() ?? 4)) * 7.2
        let top = 40 + Double((m.cols.map(\.count).max() ?? 4)) * 5.4
        let legendW = 80.0
        // a column label, slanted up by 40°, reaches cos 40° × its length to the right of its column
        let lastLabelEnd =
            left + cell * (Double(m.cols.count) - 0.5)
            + Double(m.cols.last?.count ?? 0) * 6.6 * cos(40 * Double.pi / 180) + 12
        let width = max(left + cell * Double(m.cols.count) + legendW + 20, 24 + Double(title.count) * 7.8, lastLabelEnd)
        let height = top + cell * Double(m.rows.count) + (marked.isEmpty ? 20 : 40)
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="12" y="18" font-size="14" font-weight="bold">\(escape(title))</text>

            """
        for (j, c) in m.cols.enumerated() {
            let x = left + cell * (Double(j) + 0.5)
            s += "<text x=\"\(x)\" y=\"\(top - 6)\" transform=\"rotate(-40 \(x) \(top - 6))\">\(escape(c))</text>\n"
        }
        for (i, r) in m.rows.enumerated() {
            let y = top + cell * Double(i)
            s += "<text x=\"\(left - 6)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escape(r))</text>\n"
            for (j, c) in m.cols.enumerated() {
                let x = left + cell * Double(j)
                guard let v = m[r, c] else {
                    s +=
                        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"#f2f2f2\" "
                        + "stroke=\"white\"/>\n"
                    continue
                }
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let (fill, ink) = color(t)
                s +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" "
                    + "stroke=\"white\"/>\n"
                s +=
                    "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" "
                    + "fill=\"\(ink)\">\(String(format: "%.\(digits)f", v))</text>\n"
                if marked.contains(markKey(r, c)) {
                    s += "<text x=\"\(x + cell - 4)\" y=\"\(y + 11)\" text-anchor=\"end\" fill=\"\(ink)\">*</text>\n"
                }
            }
        }
        if !marked.isEmpty {
            s += "<text x=\"12\" y=\"\(top + cell * Double(m.rows.count) + 24)\">* \(escape(markNote))</text>\n"
        }
        // legend: a vertical colour bar from hi (top) to lo (bottom)
        let lx = left + cell * Double(m.cols.count) + 20
        let lh = max(cell * Double(m.rows.count), 60)
        for k in 0..<50 {
            let t = 1 - Double(k) / 49
            s +=
                "<rect x=\"\(lx)\" y=\"\(top + lh * Double(k) / 50)\" width=\"14\" height=\"\(lh / 50 + 0.5)\" "
                + "fill=\"\(color(t).0)\"/>\n"
        }
        s += "<text x=\"\(lx + 18)\" y=\"\(top + 9)\">\(String(format: "%.\(digits)f", hi))</text>\n"
        s += "<text x=\"\(lx + 18)\" y=\"\(top + lh)\">\(String(format: "%.\(digits)f", lo))</text>\n"
        return s + "</svg>\n"
    }

    /// The key of a marked cell.
    public static func markKey(_ row: String, _ col: String) -> String { row + "\t" + col }

    /// A light-yellow → green → dark-blue ramp (YlGnBu-like), and a readable ink for it.
    static func color(_ t: Double) -> (String, String) {
        let stops: [(Double, Double, Double)] = [
            (255, 255, 217), (199, 233, 180), (65, 182, 196), (34, 94, 168), (8, 29, 88),
        ]
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let c = (0..<3).map { k -> Int in
            let a = [stops[i].0, stops[i].1, stops[i].2][k]
            let b = [stops[i + 1].0, stops[i + 1].1, stops[i + 1].2][k]
            return Int((a + (b - a) * f).rounded())
        }
        return (String(format: "#%02x%02x%02x", c[0], c[1], c[2]), t > 0.55 ? "white" : "black")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }
}
