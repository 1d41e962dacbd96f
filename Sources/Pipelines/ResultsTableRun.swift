// `results-table`: eval-prompt's JSON lines as a results table (markdown or CSV): each prompt
// and baseline with its n and 95 % interval, the rows of several seeds as mean ± sd.
import Analysis
import Foundation
import Plumbing
import Reports

public struct ResultsTableRun {
    public var inputs: [String] = []
    public var format = "markdown"
    /// Prompts A and B compared on each evaluation set both were evaluated on with per-example
    /// results (eval-prompt --per-example): McNemar's exact p and the paired bootstrap interval
    /// of the difference, after the table.
    public var paired: (String, String)? = nil
    public var output: String? = nil

    public init() {}

    /// One table row: a prompt (or baseline) on an evaluation set, over one or more seeds.
    struct Row {
        var source: String
        var evaluatedOn: String
        var n: Int
        var accuracies: [Double] = []
        var intervals: [JSON] = []
        /// Per-example correctness of each run that carried it.
        var correct: [[Bool]] = []
        var randomSD: [Double] = []
        var draws = 0
        /// eval-prompt's majority-class row (it carries majority_label): the same in every seed's file.
        var majority = false
    }

    public func run() throws {
        var reader = JSONLinesReader(paths: inputs)
        var rows: [Row] = []
        var index: [String: Int] = [:]
        while let r = try reader.next() {
            guard let source = r.value["source"]?.string, let target = r.value["target"]?.string,
                let accuracy = r.value["accuracy"]?.double, let n = r.value["n"]?.int
            else {
                throw r.fail("not an eval-prompt line (needs \"source\", \"target\", \"accuracy\", \"n\")")
            }
            let split = r.value["split"]?.string ?? ""
            let excluded = (r.value["settings"]?["exclude_overlap"]?.array ?? []).compactMap { $0.string }
            let on =
                "\(target) \(split)"
                + (excluded.isEmpty ? "" : " without \(excluded.joined(separator: ", "))")
            let key = "\(source)|\(on)|\(n)"
            if index[key] == nil {
                index[key] = rows.count
                rows.append(Row(source: source, evaluatedOn: on, n: n))
            }
            let i = index[key]!
            rows[i].accuracies.append(accuracy)
            if let ci = r.value["ci95"], ci != .null { rows[i].intervals.append(ci) }
            if let bits = r.value["correct"]?.string {
                guard bits.count == n, bits.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                    throw r.fail("\"correct\" must hold one 0 or 1 per example (n = \(n))")
                }
                rows[i].correct.append(bits.map { $0 == "1" })
            }
            if r.value["majority_label"] != nil { rows[i].majority = true }
            if let sd = r.value["accuracy_sd"]?.double {
                rows[i].randomSD.append(sd)
                rows[i].draws = r.value["draws"]?.int ?? 0
            }
        }
        guard !rows.isEmpty else { throw ToolError("no eval-prompt lines to tabulate", exitCode: 65) }
        let out = try DataOutput(path: output)
        var table = format == "csv" ? csv(rows) : markdown(rows)
        if let (a, b) = paired { table += try comparisons(rows, a, b) }
        out.writeLine(String(table.dropLast()))
        try out.commit()
    }

    static func pct(_ v: Double) -> String { String(format: "%.1f", 100 * v) }

    /// The accuracy cell: one run with its interval; several seeds as mean ± sd (and each);
    /// random prompts as the mean ± sd over draws.
    func cell(_ r: Row) -> String {
        let p = Self.pct
        // random draws and the majority class do not depend on the run's seed: one value; a prompt
        // over several seeds is mean ± sd even where every seed scored the same
        if let sd = r.randomSD.first {
            return "\(p(r.accuracies[0])) ± \(p(sd)) (mean ± sd of \(r.draws) random prompts)"
        }
        if r.accuracies.count > 1 && (!r.majority || Set(r.accuracies).count > 1) {
            let (m, sd) = Statistics.meanSD(r.accuracies)
            return "\(p(m)) ± \(p(sd)) (seeds: \(r.accuracies.map(p).joined(separator: " / ")))"
        }
        if let ci = r.intervals.first?.array, ci.count == 2, let lo = ci[0].double, let hi = ci[1].double {
            return "\(p(r.accuracies[0])) [\(p(lo)), \(p(hi))]"
        }
        return p(r.accuracies[0])
    }

    /// A against B on every evaluation set with per-example results for both: one line per run
    /// (input file order: a seed each).
    func comparisons(_ rows: [Row], _ a: String, _ b: String) throws -> String {
        let p = Self.pct
        var lines = [
            "", "| \(a) − \(b) on | run | n | difference, points (95 % paired bootstrap) | \(a) only right / "
                + "\(b) only right | McNemar exact p |",
            "|---|---|---|---|---|---|",
        ]
        for ra in rows where ra.source == a {
            guard let rb = rows.first(where: { $0.source == b && $0.evaluatedOn == ra.evaluatedOn && $0.n == ra.n })
            else { continue }
            for (run, (ca, cb)) in zip(ra.correct, rb.correct).enumerated() {
                let d = Statistics.pairedDifference(ca, cb)
                let m = Statistics.mcnemar(ca, cb)
                let cell = d.map { "\(p($0.estimate)) [\(p($0.low)), \(p($0.high))]" } ?? "—"
                lines.append(
                    "| \(ra.evaluatedOn) | \(run + 1) | \(ra.n) | \(cell) | \(m.onlyA) / \(m.onlyB) | "
                        + "\(String(format: "%.3g", m.p)) |")
            }
        }
        guard lines.count > 3 else {
            throw ToolError.usage(
                "--paired \(a),\(b): no evaluation set has per-example results of both (eval-prompt --per-example)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func markdown(_ rows: [Row]) -> String {
        MarkdownTable.render(
            ["prompt", "evaluated on", "n", "accuracy % (95 % CI; seeds: mean ± sd)"],
            rows.map { [$0.source, $0.evaluatedOn, "\($0.n)", cell($0)] })
    }

    func csv(_ rows: [Row]) -> String {
        var lines = ["prompt,evaluated_on,n,runs,accuracy_mean,accuracy_sd,ci_low,ci_high"]
        for r in rows {
            let (m, sd) = Statistics.meanSD(r.accuracies)
            var ci = ["", ""]
            if r.accuracies.count == 1, let a = r.intervals.first?.array, a.count == 2 {
                ci = [a[0].text, a[1].text]
            }
            let spread = r.randomSD.first.map { "\($0)" } ?? (r.accuracies.count > 1 ? "\(sd)" : "")
            lines.append(
                [r.source, r.evaluatedOn, "\(r.n)", "\(r.accuracies.count)", "\(m)", spread, ci[0], ci[1]]
                    .map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
