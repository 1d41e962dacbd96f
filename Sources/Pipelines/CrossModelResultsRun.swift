// `cross-model-results`: the tables of scripts/cross-model-paper.sh, from its output folder.
// Each projector × task evaluation joined with its baselines on the same target model and task
// (the majority class, random prompts as mean ± sd of their draws, the target's own prompt, the
// target's prompt of the projector's training task: same-task transfer, the mean over them for a
// projector trained on several tasks), as JSON lines or a markdown table; a summary row per projector;
// and the init stage: tuning from the projected prompt against the same run from scratch.
import Analysis
import Foundation
import Plumbing
import Reports

public struct CrossModelResultsRun {
    /// The grid's output folder (eval/, logs/).
    public var folder: String
    public var format = "json"
    public var summary = false
    public var initRuns = false
    public var inputs = TaskInputs()
    public var output: String? = nil

    public init(folder: String) { self.folder = folder }

    /// One projector × task evaluation with its baselines.
    struct Result {
        var sourceModel: String, targetModel: String, method: String, trainTasks: [String], task: String
        var category: String?, accuracy: Double, n: Int
        /// The projected accuracy's 95 % bootstrap interval and the examples left out as seen in
        /// training (eval-prompt's ci95 and excluded; none in folders of older runs).
        var ci95: [Double]? = nil, excluded: Int? = nil
        var random: Double?, own: Double?, sameTask: Double?
        /// The random prompts' sd and number of draws (eval-prompt --random-prompts; none: one drawn prompt file).
        var randomSD: Double? = nil, randomDraws: Int? = nil
        /// Always answering the majority class of the task's train split (eval-prompt --majority).
        var majority: Double? = nil
        var seen: Bool { trainTasks.contains(task) }
        var projector: String { "\(sourceModel)|\(targetModel)|\(method)|\(trainTasks.joined(separator: ","))" }

        var json: JSON {
            func number(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
            return .object([
                .init("source_model", .string(sourceModel)), .init("target_model", .string(targetModel)),
                .init("method", .string(method)), .init("train_tasks", .array(trainTasks.map { .string($0) })),
                .init("task", .string(task)), .init("category", category.map { .string($0) } ?? .null),
                .init("seen", .bool(seen)), .init("accuracy", .number(accuracy)),
                .init("ci95", ci95.map { .array($0.map { .number($0) }) } ?? .null), .init("n", .number(n)),
                .init("excluded", excluded.map { .number($0) } ?? .null),
                .init("random_accuracy", number(random)), .init("random_sd", number(randomSD)),
                .init("random_draws", randomDraws.map { .number($0) } ?? .null),
                .init("majority_accuracy", number(majority)), .init("own_accuracy", number(own)),
                .init("same_task_transfer", number(sameTask)),
            ])
        }
    }

    public func run() throws {
        let out = try DataOutput(path: output)
        let text: String
        if initRuns {
            let rows = try initResults()
            text = format == "markdown" ? Self.initTable(rows) : rows.map { $0.text + "\n" }.joined()
        } else {
            let rows = try results()
            if summary {
                text = Self.summaryTable(rows)
            } else {
                text = format == "markdown" ? Self.table(rows) : rows.map { $0.json.text + "\n" }.joined()
            }
        }
        if !text.isEmpty { out.writeLine(String(text.dropLast())) }
        try out.commit()
    }

    func files(_ sub: String, _ keep: (String) -> Bool) throws -> [String] {
        let dir = (folder as NSString).appendingPathComponent(sub)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw ToolError("\(dir): no such folder (is \(folder) the output of cross-model-paper.sh?)", exitCode: 65)
        }
        return names.filter(keep).sorted().map { (dir as NSString).appendingPathComponent($0) }
    }

    func results() throws -> [Result] {
        struct Baseline {
            enum Kind { case prompt, random, majority }
            var model: String, source: String, target: String, accuracy: Double, kind: Kind
            var sd: Double? = nil, draws: Int? = nil
        }
        var baselines: [Baseline] = []
        var reader = JSONLinesReader(paths: try files("eval") { $0.hasSuffix(".baselines.jsonl") })
        while let r = try reader.next() {
            guard let model = r.value["model"]?.string, let source = r.value["source"]?.string,
                let target = r.value["target"]?.string, let accuracy = r.value["accuracy"]?.double,
                let prompt = r.value["prompt"]?.string
            else { throw r.fail("not an eval-prompt line (model, source, target, accuracy, prompt)") }
            // eval-prompt's baseline rows (--random-prompts: mean, sd and draws; --majority), or a
            // folder of the old layout's one random prompt file
            let draws = r.value["draws"]?.int
            let kind: Baseline.Kind =
                source == "majority" && r.value["majority_label"] != nil
                ? .majority
                : (source == "random" && draws != nil) || prompt.hasSuffix("/random.safetensors") ? .random : .prompt
            baselines.append(
                Baseline(
                    model: model, source: source, target: target, accuracy: accuracy, kind: kind,
                    sd: r.value["accuracy_sd"]?.double, draws: draws))
        }
        var categories: [String: String] = [:]
        var rows: [Result] = []
        reader = JSONLinesReader(
            paths: try files("eval") { $0.hasSuffix(".jsonl") && !$0.hasSuffix(".baselines.jsonl") })
        while let r = try reader.next() {
            let v = r.value
            guard let s = v["source_model"]?.string, let t = v["target_model"]?.string, let m = v["method"]?.string,
                let train = v["train_tasks"]?.array?.compactMap(\.string), let task = v["task"]?.string,
                let accuracy = v["accuracy"]?.double, let n = v["n"]?.int
            else { throw r.fail("not a projected evaluation (source_model, target_model, method, task, ...)") }
            if categories[task] == nil { categories[task] = (try? inputs.manifest(task))?.category }
            let here = baselines.filter { $0.model == t && $0.target == task }
            let prompts = here.filter { $0.kind == .prompt }
            let random = here.first { $0.kind == .random }
            // the target's prompt of a training task on this task: a baselines file evaluated before
            // this training task was added to TRAIN_TASKS lacks it, which is an error, not a smaller mean
            func sameTaskAccuracy(_ trainTask: String) throws -> Double {
                guard let found = prompts.first(where: { $0.source == trainTask }) else {
                    throw r.fail(
                        "no baseline of \(t)'s \(trainTask) prompt on \(task) in eval/\(t).baselines.jsonl "
                            + "(evaluated before \(trainTask) was a training task? "
                            + "delete that file and run stage eval)")
                }
                return found.accuracy
            }
            rows.append(
                Result(
                    sourceModel: s, targetModel: t, method: m, trainTasks: train, task: task,
                    category: categories[task], accuracy: accuracy, n: n,
                    ci95: v["ci95"]?.array?.compactMap(\.double), excluded: v["excluded"]?.int,
                    random: random?.accuracy, own: prompts.first { $0.source == task }?.accuracy,
                    sameTask: Self.meanOrNil(try train.map { k in try sameTaskAccuracy(k) }),
                    randomSD: random?.sd, randomDraws: random?.draws,
                    majority: here.first { $0.kind == .majority }?.accuracy))
        }
        return rows
    }

    /// The mean of the values (Statistics.meanSD's); none for none.
    static func meanOrNil(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : Statistics.meanSD(values).mean
    }

    /// A fraction as a percentage with one decimal; "–" for none.
    static func shown(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }

    static func projectorLabel(_ method: String, _ train: [String]) -> String {
        method + (train.isEmpty ? "" : " (\(train.joined(separator: ",")))")
    }

    /// The random baseline: mean ± sd of its draws, or the one drawn prompt's accuracy.
    static func shownRandom(_ r: Result) -> String {
        guard let sd = r.randomSD, let draws = r.randomDraws else { return shown(r.random) }
        return "\(shown(r.random)) ± \(String(format: "%.1f", 100 * sd)) (\(draws))"
    }

    /// The projected accuracy with its 95 % interval, where the row has one.
    static func shownProjected(_ r: Result) -> String {
        guard let ci = r.ci95, ci.count == 2 else { return shown(r.accuracy) }
        return "\(shown(r.accuracy)) [\(shown(ci[0])), \(shown(ci[1]))]"
    }

    /// Whether a projected accuracy is above (+1) or below (−1) the random prompts beyond the noise
    /// of both, else 0: the difference from the random prompts' mean against 1.96 × sqrt(p(1 − p)/n
    /// + sd²) — the projected accuracy's binomial sampling error and the spread of one random prompt
    /// (the sd of the draws), so a prompt counts only where a random prompt would rarely score it.
    static func beyondRandom(_ r: Result) -> Int? {
        guard let random = r.random else { return nil }
        let binomial = r.accuracy * (1 - r.accuracy) / Double(max(r.n, 1))
        let spread = (r.randomSD ?? 0) * (r.randomSD ?? 0)
        let margin = 1.96 * (binomial + spread).squareRoot()
        let difference = r.accuracy - random
        return difference > margin ? 1 : (difference < -margin ? -1 : 0)
    }

    static func table(_ rows: [Result]) -> String {
        let header = [
            "source → target", "method", "trained on", "task", "category", "projected [95 % interval]", "n",
            "majority class",
            "random prompts (mean ± sd, draws)", "target's own", "same-task transfer",
        ]
        return MarkdownTable.render(
            header,
            rows.map { r in
                [
                    "\(r.sourceModel) → \(r.targetModel)", r.method,
                    r.trainTasks.isEmpty ? "(no task data)" : r.trainTasks.joined(separator: ","),
                    r.task + (r.seen ? " (seen)" : ""), r.category ?? "–", shownProjected(r),
                    "\(r.n)" + (r.excluded.map { $0 > 0 ? " (\($0) left out)" : "" } ?? ""), shown(r.majority),
                    shownRandom(r), shown(r.own), shown(r.sameTask),
                ]
            })
    }

    /// A row per projector: its training task's accuracy (the target's own; the mean over them for
    /// a projector trained on several tasks), the unseen tasks above / below random beyond the noise
    /// (beyondRandom), and the mean projected − random accuracy over the unseen tasks of the
    /// training task's category and over the others.
    static func summaryTable(_ rows: [Result]) -> String {
        let header = [
            "source → target", "projector", "on its training task (target's own)",
            "unseen tasks above / below random beyond the noise",
            "mean projected − random: unseen tasks of the training task's category / others",
        ]
        var table: [[String]] = []
        func cell(_ group: [Result]) -> String {
            let gains = group.compactMap { r in r.random.map { r.accuracy - $0 } }
            guard let mean = meanOrNil(gains) else { return "—" }
            return "\(String(format: "%+.1f", 100 * mean)) (\(gains.count))"
        }
        var order: [String] = []
        let groups = Dictionary(grouping: rows, by: \.projector)
        for r in rows where !order.contains(r.projector) { order.append(r.projector) }
        for key in order.sorted() {
            let group = groups[key]!
            let first = group[0]
            let unseen = group.filter { !$0.seen }
            let seen = group.filter(\.seen)
            let trainCategories = Set(first.trainTasks.compactMap { t in group.first { $0.task == t }?.category })
            let same = unseen.filter { $0.category.map(trainCategories.contains) ?? false }
            let other = unseen.filter { !($0.category.map(trainCategories.contains) ?? false) }
            let above = unseen.filter { beyondRandom($0) == 1 }.count
            let below = unseen.filter { beyondRandom($0) == -1 }.count
            let projector =
                first.method
                + (first.trainTasks.isEmpty ? "" : ", trained on " + first.trainTasks.joined(separator: ","))
            let onTraining =
                seen.isEmpty
                ? "—"
                : "\(shown(meanOrNil(seen.map(\.accuracy)))) (\(shown(meanOrNil(seen.compactMap(\.own)))))"
                    + (seen.count > 1 ? ", mean of \(seen.count)" : "")
            table.append([
                "\(first.sourceModel) → \(first.targetModel)", projector, onTraining,
                "\(above) / \(below) of \(unseen.count)", "\(cell(same)) / \(cell(other))",
            ])
        }
        return MarkdownTable.render(header, table)
    }

    /// One line per projector × init task: the target tuned from the projected prompt against
    /// the same run from scratch (logs/init.NAME.TASK.jsonl against logs/tune.TARGET.TASK.jsonl).
    func initResults() throws -> [JSON] {
        var rows: [JSON] = []
        for log in try files("logs", { $0.hasPrefix("init.") && $0.hasSuffix(".jsonl") }) {
            var name = ((log as NSString).lastPathComponent as NSString).deletingPathExtension
            name.removeFirst("init.".count)
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3 else { throw ToolError.data(log, "not init.PAIR.METHOD[.TRAIN].TASK.jsonl") }
            let task = parts.last!
            let pair = parts[0]
            let method = parts[1]
            let train = parts.count > 3 ? parts[2].split(separator: ",").map(String.init) : []
            let started = try TuningCurve.read(log)
            guard let target = started.start?["model"]?.string else {
                throw ToolError("\(log): no start event naming the model", exitCode: 65)
            }
            let source = pair.hasSuffix("-\(target)") ? String(pair.dropLast(target.count + 1)) : pair
            let scratchLog = (folder as NSString).appendingPathComponent("logs/tune.\(target).\(task).jsonl")
            guard FileManager.default.fileExists(atPath: scratchLog) else {
                throw ToolError("no from-scratch log \(scratchLog)", exitCode: 65)
            }
            let scratch = try TuningCurve.read(scratchLog)
            func number(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
            func step(_ x: Int?) -> JSON { x.map { .number($0) } ?? .null }
            rows.append(
                .object([
                    .init("source_model", .string(source)), .init("target_model", .string(target)),
                    .init("method", .string(method)),
                    .init("train_tasks", .array(train.map { .string($0) })), .init("task", .string(task)),
                    .init("scratch_best", number(scratch.best)),
                    .init("scratch_best_step", step(scratch.firstStep(reaching: scratch.best))),
                    .init("init_step0", number(started.atStepZero)), .init("init_best", number(started.best)),
                    .init("init_best_step", step(started.firstStep(reaching: started.best))),
                    .init("steps_to_scratch_best", step(started.firstStep(reaching: scratch.best))),
                ]))
        }
        return rows
    }

    static func initTable(_ rows: [JSON]) -> String {
        let header = [
            "source → target", "projector", "task", "from scratch: best (step)", "projected start: step 0",
            "best (step)", "steps to the scratch best",
        ]
        return MarkdownTable.render(
            header,
            rows.map { r in
                let train = r["train_tasks"]?.array?.compactMap(\.string) ?? []
                func step(_ key: String) -> String { r[key]?.int.map(String.init) ?? "–" }
                return [
                    "\(r["source_model"]?.string ?? "") → \(r["target_model"]?.string ?? "")",
                    projectorLabel(r["method"]?.string ?? "", train), r["task"]?.string ?? "",
                    "\(shown(r["scratch_best"]?.double)) (\(step("scratch_best_step")))",
                    shown(r["init_step0"]?.double),
                    "\(shown(r["init_best"]?.double)) (\(step("init_best_step")))",
                    r["steps_to_scratch_best"]?.int.map(String.init) ?? "not reached",
                ]
            })
    }
}
