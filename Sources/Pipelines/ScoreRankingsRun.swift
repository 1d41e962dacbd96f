// `score-rankings`: the transferability benchmark's measures. rank-sources' rows (each source
// scored for a target) against the transfer matrix measured afterwards (eval-prompt rows of every
// prompt on every target): per estimator Spearman and Kendall with relative transfer, Regret@1/@3
// and the top-1 hit rate, with intervals, beside a random ranking; estimators compared pairwise,
// target by target; or several runs (seeds) of those lines combined as mean ± sd.
import Analysis
import Foundation
import Plumbing
import Reports

public struct ScoreRankingsRun {
    /// eval-prompt lines: the matrix (every prompt on every target, the target's own included).
    public var transfer: [String] = []
    /// rank-sources lines (or, with `combine`, score-rankings lines of several runs).
    public var inputs: [String] = []
    /// The estimators to measure (default: every one the rankings carry).
    public var estimators: [String] = []
    public var format = "json"
    public var perTarget = false
    public var combine = false
    /// Estimator pairs (a, b) compared target by target: the mean difference a − b of each
    /// per-target measure with its paired bootstrap interval.
    public var paired: [(String, String)] = []
    public var seed: UInt64 = 0
    public var output: String? = nil

    public static let knownEstimators = RankRun.estimators
    public static let randomRow = "random ranking (expected)"

    public init() {}

    struct Cell: Hashable {
        var source: String
        var target: String
    }

    public func run() throws {
        let out = try DataOutput(path: output)
        if combine {
            out.writeLine(String(try combined().dropLast()))
            try out.commit()
            return
        }
        guard !transfer.isEmpty else { throw ToolError.usage("give --transfer FILE (the eval-prompt matrix)") }
        let (relative, split) = try relativeTransfer()
        let (scores, carried) = try readRankings(matrix: relative)
        let chosen = estimators.isEmpty ? Self.knownEstimators.filter(carried.contains) : estimators
        for e in chosen + paired.flatMap({ [$0.0, $0.1] }) where !carried.contains(e) {
            throw ToolError.usage("no ranking row carries \(e) (rank-sources gives it\(Self.needs(e)))")
        }
        var lines: [JSON] = []
        var tables: [(String, RankingQuality.Measures)] = []
        for e in chosen {
            let targets = Self.targets(scores[e] ?? [:], relative: relative)
            let m = RankingQuality.measure(targets, seed: seed)
            tables.append((e, m))
            lines.append(row(e, m, split: split))
            if perTarget { lines += targets.map { detail(e, $0) } }
        }
        let candidates = Self.targets(scores[chosen.first ?? ""] ?? [:], relative: relative)
        let randomTargets = candidates.map(RankingQuality.random)
        let random = RankingQuality.measure(randomTargets, seed: seed)
        tables.append((Self.randomRow, random))
        lines.append(row(Self.randomRow, random, split: split))
        var differences: [(String, String, RankingQuality.Difference)] = []
        for (a, b) in paired {
            let d = RankingQuality.difference(
                Self.targets(scores[a] ?? [:], relative: relative), Self.targets(scores[b] ?? [:], relative: relative),
                seed: seed)
            differences.append((a, b, d))
            lines.append(differenceRow(a, b, d))
        }
        if format == "markdown" {
            out.writeLine(String(Self.markdown(tables).dropLast()))
            if !differences.isEmpty {
                out.writeLine("")
                out.writeLine(String(Self.markdown(differences).dropLast()))
            }
        } else {
            for l in lines { out.writeLine(l.text) }
        }
        try out.commit()
    }

    static func needs(_ estimator: String) -> String {
        estimator.hasPrefix("euclidean") || estimator.hasPrefix("cosine") || estimator.hasPrefix("on_")
            ? " with --reference" : ""
    }

    /// Relative transfer accuracy(source, target) ÷ accuracy(target's own prompt, target), and the split.
    func relativeTransfer() throws -> ([Cell: Double], String) {
        var accuracy: [Cell: Double] = [:]
        var splits: Set<String> = []
        var reader = JSONLinesReader(paths: transfer)
        while let r = try reader.next() {
            guard let source = r.value["source"]?.string, let target = r.value["target"]?.string,
                let a = r.value["accuracy"]?.double
            else { throw r.fail("not an eval-prompt line (needs \"source\", \"target\", \"accuracy\")") }
            guard a.isFinite, a >= 0, a <= 1 else { throw r.fail("accuracy \(a) is not in [0, 1]") }
            let cell = Cell(source: source, target: target)
            guard accuracy[cell] == nil else { throw r.fail("a second row of \(source) on \(target)") }
            accuracy[cell] = a
            if let s = r.value["split"]?.string { splits.insert(s) }
        }
        var relative: [Cell: Double] = [:]
        let targets = Set(accuracy.keys.map(\.target))
        for t in targets {
            guard let own = accuracy[Cell(source: t, target: t)], own > 0 else {
                throw ToolError(
                    "\(transfer.joined(separator: ", ")): no row of \(t)'s own prompt on \(t) (or it is 0): "
                        + "relative transfer divides by it", exitCode: 65)
            }
            for (cell, a) in accuracy where cell.target == t { relative[cell] = a / own }
        }
        return (relative, splits.sorted().joined(separator: ","))
    }

    /// Each estimator's score per (source, target) off the diagonal, and the estimators carried.
    func readRankings(matrix: [Cell: Double]) throws -> ([String: [Cell: Double]], Set<String>) {
        var scores: [String: [Cell: Double]] = [:]
        var carried: Set<String> = []
        var missing: Set<Cell> = []
        var reader = JSONLinesReader(paths: inputs)
        var rows = 0
        while let r = try reader.next() {
            guard let source = r.value["source"]?.string, let target = r.value["target"]?.string else {
                throw r.fail("not a rank-sources line (needs \"source\" and \"target\")")
            }
            rows += 1
            let cell = Cell(source: source, target: target)
            guard source != target else { continue }
            guard matrix[cell] != nil else {
                missing.insert(cell)
                continue
            }
            // the known estimators and any other field named by --estimators, each once
            for e in Self.knownEstimators + estimators.filter({ !Self.knownEstimators.contains($0) }) {
                guard let v = r.value[e], v != .null else { continue }
                guard let x = v.double, x.isFinite else { throw r.fail("\(e) is not a finite number") }
                carried.insert(e)
                guard scores[e, default: [:]][cell] == nil else {
                    throw r.fail("a second ranking row of \(source) for \(target)")
                }
                scores[e, default: [:]][cell] = x
            }
        }
        guard rows > 0 else { throw ToolError.usage("no rank-sources lines (files, or stdin)") }
        if !missing.isEmpty {
            let list = missing.map { "\($0.source)→\($0.target)" }.sorted().prefix(5).joined(separator: ", ")
            Log.info("note: \(missing.count) ranked pairs have no cell in the matrix and are left out (\(list))")
        }
        return (scores, carried)
    }

    /// The targets with their candidate sources (sorted by name, so the order carries no signal).
    static func targets(_ scores: [Cell: Double], relative: [Cell: Double]) -> [RankingQuality.Target] {
        let byTarget = Dictionary(grouping: scores.keys, by: \.target)
        return byTarget.keys.sorted().map { t in
            let cells = byTarget[t]!.sorted { $0.source < $1.source }
            return RankingQuality.Target(
                name: t, sources: cells.map(\.source), transfer: cells.map { relative[$0]! },
                scores: cells.map { scores[$0]! })
        }
    }

    func row(_ estimator: String, _ m: RankingQuality.Measures, split: String) -> JSON {
        var members: [JSON.Member] = [
            .init("estimator", .string(estimator)), .init("targets", .number(m.targets)),
            .init("pairs", .number(m.pairs)),
        ]
        let measures: [(String, Interval?)] = [
            ("spearman_pooled", m.spearmanPooled), ("spearman_per_target", m.spearmanPerTarget),
            ("kendall_pooled", m.kendallPooled), ("kendall_per_target", m.kendallPerTarget),
            ("regret_at_1", m.regretAt1), ("regret_at_3", m.regretAt3), ("top1", m.top1),
        ]
        for (name, value) in measures {
            members.append(.init(name, value.map { .number($0.estimate, significant: 6) } ?? .null))
            members.append(.init("\(name)_ci95", value?.json ?? .null))
        }
        members.append(
            .init(
                "settings",
                .object([
                    .init("transfer", .array(transfer.map { .string($0) })), .init("split", .string(split)),
                    .init("relative_to", .string("the target's own prompt")), .init("seed", .number(Int(seed))),
                    .init("resamples", .number(Statistics.defaultResamples)),
                    .init("regret_unit", .string("points of relative transfer")),
                    .init("toolkit_version", .string(toolkitVersion)),
                ])))
        return .object(members)
    }

    /// Two estimators, paired over the targets both rank: the mean differences a − b.
    func differenceRow(_ a: String, _ b: String, _ d: RankingQuality.Difference) -> JSON {
        var members: [JSON.Member] = [
            .init("comparison", .string("\(a) − \(b)")), .init("a", .string(a)), .init("b", .string(b)),
            .init("targets", .number(d.targets)),
        ]
        for (name, value) in Self.differenceColumns(d) {
            members.append(.init("\(name)_difference", value.map { .number($0.estimate, significant: 6) } ?? .null))
            members.append(.init("\(name)_difference_ci95", value?.json ?? .null))
        }
        let settings: [JSON.Member] = [
            .init("paired_over", .string("targets")), .init("seed", .number(Int(seed))),
            .init("resamples", .number(Statistics.defaultResamples)),
            .init("toolkit_version", .string(toolkitVersion)),
        ]
        members.append(.init("settings", .object(settings)))
        return .object(members)
    }

    static func differenceColumns(_ d: RankingQuality.Difference) -> [(String, Interval?)] {
        [
            ("spearman_per_target", d.spearmanPerTarget), ("regret_at_1", d.regretAt1),
            ("regret_at_3", d.regretAt3), ("top1", d.top1),
        ]
    }

    /// The paired comparisons as a table: each difference with its interval.
    static func markdown(_ differences: [(String, String, RankingQuality.Difference)]) -> String {
        let rows = differences.map { a, b, d -> [String] in
            let cells = zip(differenceColumns(d), [3, 1, 1, 2]).map { column, digits -> String in
                guard let i = column.1 else { return "—" }
                let f = "%+.\(digits)f"
                return "\(String(format: f, i.estimate)) [\(String(format: f, i.low)), \(String(format: f, i.high))]"
            }
            return ["\(a) − \(b) (\(d.targets))"] + cells
        }
        let header = [
            "paired difference (targets)", "Spearman, per target", "Regret@1 (points)", "Regret@3 (points)",
            "top-1 hit rate",
        ]
        return MarkdownTable.render(header, rows)
    }

    /// One target under one estimator: its top source, the best in hindsight, the regrets.
    func detail(_ estimator: String, _ t: RankingQuality.Target) -> JSON {
        let top = t.scores.indices.max { t.scores[$0] < t.scores[$1] }!
        let best = t.transfer.indices.max { t.transfer[$0] < t.transfer[$1] }!
        return .object([
            .init("estimator", .string(estimator)), .init("target", .string(t.name)),
            .init("sources", .number(t.sources.count)), .init("top_source", .string(t.sources[top])),
            .init("top_relative_transfer", .number(t.transfer[top], significant: 6)),
            .init("best_source", .string(t.sources[best])),
            .init("best_relative_transfer", .number(t.transfer[best], significant: 6)),
            .init("spearman", spearman(t.scores, t.transfer).map { .number($0, significant: 6) } ?? .null),
            .init("regret_at_1", .number(RankingQuality.regret(1, t), significant: 6)),
            .init("regret_at_3", .number(RankingQuality.regret(3, t), significant: 6)),
        ])
    }

    static let columns = [
        ("spearman_pooled", "Spearman, pooled"), ("spearman_per_target", "Spearman, per target"),
        ("kendall_pooled", "Kendall, pooled"), ("kendall_per_target", "Kendall, per target"),
        ("regret_at_1", "Regret@1 (points)"), ("regret_at_3", "Regret@3 (points)"), ("top1", "top-1 hit rate"),
    ]

    static func markdown(_ tables: [(String, RankingQuality.Measures)]) -> String {
        func cell(_ i: Interval?, _ digits: Int) -> String {
            guard let i else { return "—" }
            let f = "%.\(digits)f"
            return "\(String(format: f, i.estimate)) [\(String(format: f, i.low)), \(String(format: f, i.high))]"
        }
        var table: [[String]] = []
        for (e, m) in tables {
            let values = [
                m.spearmanPooled, m.spearmanPerTarget, m.kendallPooled, m.kendallPerTarget, m.regretAt1, m.regretAt3,
                m.top1,
            ]
            let digits = [3, 3, 3, 3, 1, 1, 2]
            let cells = zip(values, digits).map { cell($0, $1) }
            table.append(["\(e) (\(m.targets), \(m.pairs))"] + cells)
        }
        return MarkdownTable.render(["estimator (targets, pairs)"] + columns.map(\.1), table)
    }

    /// score-rankings lines of several runs (e.g. seeds): one row per estimator, each measure as
    /// mean ± sd over the runs (and the number of runs).
    func combined() throws -> String {
        var order: [String] = []
        var values: [String: [String: [Double]]] = [:]
        var reader = JSONLinesReader(paths: inputs)
        while let r = try reader.next() {
            guard let e = r.value["estimator"]?.string else { throw r.fail("not a score-rankings line") }
            guard r.value["target"] == nil else { continue }  // --per-target details
            if values[e] == nil { order.append(e) }
            for (name, _) in Self.columns {
                if let v = r.value[name]?.double { values[e, default: [:]][name, default: []].append(v) }
            }
        }
        guard !order.isEmpty else { throw ToolError.usage("no score-rankings lines to combine") }
        var table: [[String]] = []
        for e in order {
            let cells = Self.columns.map { (name, _) -> String in
                guard let v = values[e]?[name], !v.isEmpty else { return "—" }
                let (mean, sd) = Statistics.meanSD(v)
                let digits = name.hasPrefix("regret") ? 1 : (name == "top1" ? 2 : 3)
                let f = "%.\(digits)f"
                return "\(String(format: f, mean)) ± \(String(format: f, sd)) (\(v.count))"
            }
            table.append([e] + cells)
        }
        return MarkdownTable.render(["estimator"] + Self.columns.map(\.1), table)
    }
}
