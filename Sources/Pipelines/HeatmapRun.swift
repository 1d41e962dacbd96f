import Analysis
import Datasets
import Foundation
import Plumbing
import Reports

/// `heatmap-csv`: pivots JSON lines into a matrix CSV (and SVG), prints Spearman correlations
/// between two value fields joined on (row, column), or the mean value of the off-diagonal pairs
/// within and across the tasks' categories.
public struct HeatmapRun {
    public var inputs: [String] = []
    public var row = "source", col = "target", value = "accuracy"
    public var order: String? = nil
    public var relative = false
    public var svg: String? = nil
    public var title: String? = nil
    public var digits = 3
    public var spearman: (String, String)? = nil
    /// Cells whose line has this field above 0 are marked in the SVG (e.g. `excluded`: the target's
    /// examples shared with the source's train split, left out of the cell).
    public var mark: String? = nil
    /// Instead of the matrix: the mean of --value over off-diagonal pairs whose row and column
    /// tasks share a category (the manifests'), beside the pairs across categories.
    public var categories = false
    public var taskInputs = TaskInputs()
    public var output: String? = nil

    public init() {}

    public func run() throws {
        if relative, let (x, y) = spearman, value != x, value != y {
            throw ToolError.usage("--relative divides --value (\(value)), which is not one of --spearman \(x),\(y)")
        }
        var reader = JSONLinesReader(paths: inputs)
        var fields: [String: LabeledMatrix] = [:]
        let wanted = spearman.map { [$0.0, $0.1] } ?? [value]
        var seen = 0
        var marked = Set<String>()
        while let r = try reader.next() {
            guard let rk = r.value[row]?.string ?? r.value[row]?.text,
                let ck = r.value[col]?.string ?? r.value[col]?.text
            else {
                throw r.fail("missing \"\(row)\" or \"\(col)\"")
            }
            if let mark, let v = r.value[mark]?.double, v > 0 { marked.insert(HeatmapSVG.markKey(rk, ck)) }
            for f in wanted {
                guard let v = r.value[f] else { continue }
                guard let d = v.double else { throw r.fail("\"\(f)\" is not a number") }
                guard fields[f]?[rk, ck] == nil else {
                    throw r.fail("a second \"\(f)\" for row \"\(rk)\", column \"\(ck)\" (each cell once)")
                }
                fields[f, default: LabeledMatrix()][rk, ck] = d
            }
            seen += 1
        }
        let orderNames = try order.map {
            try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        for k in fields.keys {
            if let o = orderNames { fields[k]!.reorder(o) }
        }
        // only the value compared with the target's own (accuracy) is relative, never an indicator
        if relative, let m = fields[value] { fields[value] = m.relative() }
        func matrix(_ field: String) throws -> LabeledMatrix {
            guard let m = fields[field] else {
                throw ToolError("no values for \"\(field)\" in \(seen) lines", exitCode: 65)
            }
            return m
        }
        let out = try DataOutput(path: output)
        if categories {
            for line in try categoryMeans(try matrix(value)) { out.writeLine(line.text) }
        } else if let (x, y) = spearman {
            for line in correlations(try matrix(x), try matrix(y), x, y) { out.writeLine(line.text) }
        } else {
            let m = try matrix(value)
            out.writeLine(String(m.csv(digits: max(digits, 4)).dropLast()))
            if let svg {
                let t =
                    title
                    ?? "\(value)\(relative ? " (relative to the target's own prompt)" : "") — rows: \(row), columns: "
                    + "\(col)"
                let note = "\(mark ?? "") > 0 in this cell's line (for excluded: the target's examples shared with the "
                    + "source's train split were left out)"
                let picture = HeatmapSVG.render(m, title: t, digits: digits, marked: marked, markNote: note)
                try AtomicFile.write(Data(picture.utf8), to: svg)
            }
        }
        try out.commit()
    }

    /// Over off-diagonal pairs having both values: one correlation over all of them, and the
    /// mean of the per-column (per-target) correlations.
    func correlations(_ a: LabeledMatrix, _ b: LabeledMatrix, _ x: String, _ y: String) -> [JSON] {
        var xs: [Double] = []
        var ys: [Double] = []
        var perTarget: [Double] = []
        for c in a.cols {
            var cx: [Double] = []
            var cy: [Double] = []
            for r in a.rows where r != c {
                if let u = a[r, c], let v = b[r, c] {
                    cx.append(u)
                    cy.append(v)
                }
            }
            xs += cx
            ys += cy
            if let s = Analysis.spearman(cx, cy) { perTarget.append(s) }
        }
        func line(_ scope: String, _ v: Double?, _ ci: Interval?, _ p: Double?, _ n: Int) -> JSON {
            .object([
                .init("x", .string(x)), .init("y", .string(y)), .init("scope", .string(scope)),
                .init("spearman", v.map { .number($0) } ?? .null), .init("ci95", ci.map { $0.json } ?? .null),
                .init("p", p.map { .number($0) } ?? .null), .init("n", .number(n)),
            ])
        }
        // all pairs: bootstrap over pairs, permutation p; per target: bootstrap of the mean over targets
        let meanPerTarget = perTarget.isEmpty ? nil : Statistics.meanSD(perTarget).mean
        return [
            line(
                "all", Analysis.spearman(xs, ys), Statistics.spearmanInterval(xs, ys),
                Statistics.spearmanPermutationP(xs, ys), xs.count),
            line("mean_per_target", meanPerTarget, Statistics.mean(perTarget), nil, perTarget.count),
        ]
    }

    /// The off-diagonal pairs within a category and across categories (rows and columns are
    /// tasks): each group's mean with a bootstrap interval over its pairs, each category's, and
    /// within − across with its interval and permutation p.
    func categoryMeans(_ m: LabeledMatrix) throws -> [JSON] {
        var category: [String: String] = [:]
        let known = try Manifest.tasks(in: Manifest.folder(taskInputs.manifests))
        for task in Set(m.rows + m.cols).sorted() {
            guard known.contains(task) else {
                throw ToolError.usage(
                    "--categories: '\(task)' is not a task of the manifests (known: \(known.joined(separator: ", ")))")
            }
            let c = try taskInputs.manifest(task).category  // a broken manifest says what is wrong with it
            guard !c.isEmpty else {
                throw ToolError.usage("--categories: the manifest of '\(task)' gives it no category")
            }
            category[task] = c
        }
        var within: [Double] = []
        var across: [Double] = []
        var perCategory: [String: [Double]] = [:]
        for r in m.rows {
            for c in m.cols where r != c {
                guard let v = m[r, c] else { continue }
                if category[r] == category[c] {
                    within.append(v)
                    perCategory[category[r]!, default: []].append(v)
                } else {
                    across.append(v)
                }
            }
        }
        func number(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
        func line(_ scope: String, _ values: [Double]) -> JSON {
            let ci = Statistics.mean(values)
            return .object([
                .init("value", .string(value)), .init("relative", .bool(relative)), .init("scope", .string(scope)),
                .init("mean", number(ci?.estimate)), .init("ci95", ci.map { $0.json } ?? .null),
                .init("n", .number(values.count)),
            ])
        }
        var lines = [line("same_category", within), line("across_categories", across)]
        let difference = Statistics.meanDifference(within, across)
        lines.append(
            .object([
                .init("value", .string(value)), .init("relative", .bool(relative)),
                .init("scope", .string("same_category - across_categories")),
                .init("difference", number(difference?.difference.estimate)),
                .init("ci95", difference.map { $0.difference.json } ?? .null), .init("p", number(difference?.p)),
                .init("n", .number(within.count + across.count)),
            ]))
        for name in perCategory.keys.sorted() { lines.append(line("category:\(name)", perCategory[name]!)) }
        return lines
    }
}
