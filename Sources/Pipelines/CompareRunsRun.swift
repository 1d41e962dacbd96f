// `compare-runs`: tuning runs against the same run from scratch (same task and seed) — the
// accuracy a transferred start has at step 0, its best, and the steps it needs to reach the
// from-scratch best: whether starting from a source prompt converges faster, per run or as
// mean ± sd over seeds. Accuracies are tune-prompt's selection accuracies (a slice of train).
import Analysis
import Foundation
import Plumbing
import Reports

public struct CompareRunsRun {
    /// tune-prompt logs of the runs compared.
    public var runs: [String] = []
    /// From-scratch logs: each run is compared with the one of its task and seed.
    public var references: [String] = []
    public var format = "json"
    public var output: String? = nil

    public init() {}

    struct Row {
        var run: String, task: String, seed: Int, start: String
        var stepZero: Double?, best: Double?, bestStep: Int?
        var referenceBest: Double?, referenceBestStep: Int?, stepsToReferenceBest: Int?, lastStep: Int?
    }

    static func key(_ c: TuningCurve) throws -> (task: String, seed: Int) {
        guard let settings = c.settings, let seed = settings["seed"]?.int else {
            throw ToolError("\(c.path): no start event with settings.seed (not a tune-prompt log?)", exitCode: 65)
        }
        return (settings["task"]?.string ?? "", seed)
    }

    public func run() throws {
        guard !runs.isEmpty else { throw ToolError.usage("no run logs: name tune-prompt logs") }
        guard !references.isEmpty else { throw ToolError.usage("give --reference LOG (the from-scratch run)") }
        var scratch: [String: TuningCurve] = [:]
        for path in references {
            let c = try TuningCurve.read(path)
            let (task, seed) = try Self.key(c)
            guard scratch["\(task)|\(seed)"] == nil else {
                let other = scratch["\(task)|\(seed)"]!.path
                throw ToolError.usage("two references for \(task) seed \(seed): \(path) and \(other)")
            }
            scratch["\(task)|\(seed)"] = c
        }
        var rows: [Row] = []
        for path in runs {
            let c = try TuningCurve.read(path)
            let (task, seed) = try Self.key(c)
            guard let reference = scratch["\(task)|\(seed)"] else {
                throw ToolError(
                    "\(path): no reference run of \(task) with seed \(seed) among --reference", exitCode: 65)
            }
            let referenceBest = reference.best
            rows.append(
                Row(
                    run: ((path as NSString).lastPathComponent as NSString).deletingPathExtension, task: task,
                    seed: seed, start: Self.start(c.settings?["init"]?.string ?? "?"), stepZero: c.atStepZero,
                    best: c.best,
                    bestStep: c.firstStep(reaching: c.best), referenceBest: referenceBest,
                    referenceBestStep: reference.firstStep(reaching: referenceBest),
                    stepsToReferenceBest: c.firstStep(reaching: referenceBest), lastStep: c.evals.last?.step))
        }
        let out = try DataOutput(path: output)
        if format == "markdown" {
            out.writeLine(String(Self.markdown(rows).dropLast()))
        } else {
            for r in rows { out.writeLine(Self.json(r).text) }
        }
        try out.commit()
    }

    /// The start as a table shows it: `from:DIR/sst2.safetensors` → `from sst2`.
    static func start(_ initMode: String) -> String {
        guard initMode.hasPrefix("from:") else { return initMode }
        let file = (String(initMode.dropFirst(5)) as NSString).lastPathComponent
        return "from " + (file.hasSuffix(".safetensors") ? String(file.dropLast(12)) : file)
    }

    static func json(_ r: Row) -> JSON {
        func number(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
        func step(_ x: Int?) -> JSON { x.map { .number($0) } ?? .null }
        return .object([
            .init("run", .string(r.run)), .init("task", .string(r.task)), .init("seed", .number(r.seed)),
            .init("init", .string(r.start)), .init("step0_accuracy", number(r.stepZero)),
            .init("best_accuracy", number(r.best)), .init("best_step", step(r.bestStep)),
            .init("last_step", step(r.lastStep)), .init("scratch_best_accuracy", number(r.referenceBest)),
            .init("scratch_best_step", step(r.referenceBestStep)),
            .init("steps_to_scratch_best", step(r.stepsToReferenceBest)),
            .init("split", .string("train:selection")),
        ])
    }

    /// One row per task and start over its seeds: mean ± sd of each measure (and how many runs
    /// reached the from-scratch best; steps averaged over those that did).
    static func markdown(_ rows: [Row]) -> String {
        let header = [
            "task", "start", "seeds", "step 0", "best (step)", "from scratch: best (step)",
            "steps to the from-scratch best",
        ]
        var table: [[String]] = []
        func pct(_ v: [Double]) -> String {
            guard !v.isEmpty else { return "–" }
            let (m, sd) = Statistics.meanSD(v)
            return v.count > 1 ? String(format: "%.1f ± %.1f", 100 * m, 100 * sd) : String(format: "%.1f", 100 * m)
        }
        func steps(_ v: [Int]) -> String {
            guard !v.isEmpty else { return "–" }
            let (m, sd) = Statistics.meanSD(v.map(Double.init))
            return v.count > 1 ? String(format: "%.0f ± %.0f", m, sd) : "\(v[0])"
        }
        var order: [String] = []
        var groups: [String: [Row]] = [:]
        for r in rows {
            let key = "\(r.task)|\(r.start)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        for key in order {
            let g = groups[key]!
            let reached = g.compactMap(\.stepsToReferenceBest)
            let cells = [
                g[0].task, g[0].start, "\(g.count)", pct(g.compactMap(\.stepZero)),
                "\(pct(g.compactMap(\.best))) (\(steps(g.compactMap(\.bestStep))))",
                "\(pct(g.compactMap(\.referenceBest))) (\(steps(g.compactMap(\.referenceBestStep))))",
                reached.isEmpty
                    ? "not reached (0 of \(g.count))" : "\(steps(reached)) (\(reached.count) of \(g.count))",
            ]
            table.append(cells)
        }
        return MarkdownTable.render(header, table)
    }
}
