// `cross-model-results`: the tables of scripts/cross-model-paper.sh, from its output folder.
// Each projector × task evaluation joined with its baselines on the same target model and task
// (the majority class, random prompts as mean ± sd of their draws, the target's own prompt, the
// target's prompt of the projector's training task: same-task transfer, the mean over them for a
// projector trained on several tasks), as JSON lines or a markdown table; a summary row per projector;
// several runs (seeds) of the same grid combined into mean ± sd per projector; and the init stage:
// tuning from the projected prompt against the same run from scratch.
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
    /// With `combine`: the folders of several runs (seeds) of the same grid, `folder` among them.
    public var combineFolders: [String] = []
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
        if !combineFolders.isEmpty {
            let runs = try combineFolders.map { f -> [Result] in
                var run = self
                run.folder = f
                return try run.results()
            }
            let combined = try Self.combined(runs, folders: combineFolders)
            text = format == "markdown" ? Self.combinedTable(combined) : combined.map { $0.text + "\n" }.joined()
        } else if initRuns {
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

    /// A projector as the summaries name it: its method and the tasks it was trained on.
    static func trainedOn(_ method: String, _ train: [String]) -> String {
        method + (train.isEmpty ? "" : ", trained on " + train.joined(separator: ","))
    }

    /// A difference of fractions in points with its sign and one decimal (a rounded −0.0 shown as +0.0).
    static func signedPoints(_ x: Double) -> String {
        let text = String(format: "%+.1f", 100 * x)
        return text == "-0.0" ? "+0.0" : text
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

    /// What the summary says of one projector in one run: its training tasks' accuracy (projected,
    /// the target's own, the random prompts, the majority class; means over them), the unseen tasks
    /// above / below random beyond the noise (beyondRandom), and over the unseen tasks of the training
    /// tasks' category (`same`) and the others: the mean projected, random, majority-class and
    /// same-task-transfer accuracy and the mean projected − random.
    struct ProjectorSummary {
        var sourceModel: String, targetModel: String, method: String, trainTasks: [String]
        /// The projector's Result.projector: the same in every run of the grid.
        var key: String
        var seenCount: Int, unseenCount: Int, above: Int, below: Int
        var trained: Double?, trainedOwn: Double?, trainedRandom: Double?, trainedMajority: Double?
        var sameCount: Int, otherCount: Int
        var sameProjected: Double?, sameRandom: Double?, sameMajority: Double?, sameTransfer: Double?
        var sameGain: Double?, otherGain: Double?

        /// The rows of one projector (one run).
        init(_ group: [Result]) {
            let first = group[0]
            sourceModel = first.sourceModel
            targetModel = first.targetModel
            method = first.method
            trainTasks = first.trainTasks
            key = first.projector
            let unseen = group.filter { !$0.seen }
            let seen = group.filter(\.seen)
            let trainCategories = Set(first.trainTasks.compactMap { t in group.first { $0.task == t }?.category })
            let same = unseen.filter { $0.category.map(trainCategories.contains) ?? false }
            let other = unseen.filter { !($0.category.map(trainCategories.contains) ?? false) }
            func gain(_ rows: [Result]) -> Double? {
                meanOrNil(rows.compactMap { r in r.random.map { r.accuracy - $0 } })
            }
            seenCount = seen.count
            unseenCount = unseen.count
            above = unseen.filter { beyondRandom($0) == 1 }.count
            below = unseen.filter { beyondRandom($0) == -1 }.count
            trained = meanOrNil(seen.map(\.accuracy))
            trainedOwn = meanOrNil(seen.compactMap(\.own))
            trainedRandom = meanOrNil(seen.compactMap(\.random))
            trainedMajority = meanOrNil(seen.compactMap(\.majority))
            sameCount = same.compactMap(\.random).count
            otherCount = other.compactMap(\.random).count
            sameProjected = meanOrNil(same.map(\.accuracy))
            sameRandom = meanOrNil(same.compactMap(\.random))
            sameMajority = meanOrNil(same.compactMap(\.majority))
            sameTransfer = meanOrNil(same.compactMap(\.sameTask))
            sameGain = gain(same)
            otherGain = gain(other)
        }

        var pair: String { "\(sourceModel) → \(targetModel)" }
        var projector: String { trainedOn(method, trainTasks) }
    }

    /// The projectors of one run's rows, each summarised, in the order of their keys.
    static func summaries(_ rows: [Result]) -> [ProjectorSummary] {
        Dictionary(grouping: rows, by: \.projector).sorted { $0.key < $1.key }.map { ProjectorSummary($0.value) }
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
        func cell(_ gain: Double?, _ count: Int) -> String {
            gain.map { "\(signedPoints($0)) (\(count))" } ?? "—"
        }
        let table = summaries(rows).map { p -> [String] in
            let onTraining =
                p.seenCount == 0
                ? "—"
                : "\(shown(p.trained)) (\(shown(p.trainedOwn)))" + (p.seenCount > 1 ? ", mean of \(p.seenCount)" : "")
            return [
                p.pair, p.projector, onTraining, "\(p.above) / \(p.below) of \(p.unseenCount)",
                "\(cell(p.sameGain, p.sameCount)) / \(cell(p.otherGain, p.otherCount))",
            ]
        }
        return MarkdownTable.render(header, table)
    }

    /// The measures of combined(): each a ProjectorSummary field, named as in the JSON lines.
    static let combinedMeasures: [(name: String, value: (ProjectorSummary) -> Double?)] = [
        ("trained", \.trained), ("trained_own", \.trainedOwn), ("trained_random", \.trainedRandom),
        ("trained_majority", \.trainedMajority), ("same_category_projected", \.sameProjected),
        ("same_category_random", \.sameRandom), ("same_category_majority", \.sameMajority),
        ("same_category_same_task_transfer", \.sameTransfer), ("same_category_gain", \.sameGain),
        ("other_gain", \.otherGain),
    ]

    /// Several runs (seeds) of one grid: a JSON line per projector found in every run, each measure
    /// of its summary as the per-run values, their mean and sd (Statistics.meanSD), and the unseen
    /// tasks above / below random beyond the noise summed over the runs. Projectors of only some runs
    /// (a seed-0 grid with more training tasks than the seeds after it) are named on stderr and left
    /// out: a mean over fewer runs would not say so. None in every run is an error.
    static func combined(_ runs: [[Result]], folders: [String]) throws -> [JSON] {
        let perRun = runs.map { summaries($0) }
        var keys: [String] = []
        for p in perRun.joined() where !keys.contains(p.key) { keys.append(p.key) }
        let common = keys.filter { k in perRun.allSatisfy { run in run.contains { $0.key == k } } }
        for k in keys where !common.contains(k) {
            let p = perRun.joined().first { $0.key == k }!
            let runsWith = zip(perRun, folders).filter { run, _ in run.contains { $0.key == k } }.map(\.1)
            let only = runsWith.joined(separator: ", ")
            Log.info("cross-model-results: \(p.pair) \(p.projector) is only in \(only); left out")
        }
        guard !common.isEmpty else {
            throw ToolError(
                "\(folders.joined(separator: ", ")): no projector evaluated in every run", exitCode: 65)
        }
        var lines: [JSON] = []
        for key in common.sorted() {
            let each = perRun.map { run in run.first { $0.key == key }! }
            let p = each[0]
            var fields: [JSON.Member] = [
                .init("source_model", .string(p.sourceModel)), .init("target_model", .string(p.targetModel)),
                .init("method", .string(p.method)), .init("train_tasks", .array(p.trainTasks.map { .string($0) })),
                .init("runs", .number(each.count)), .init("unseen_tasks", .number(p.unseenCount)),
                .init("same_category_tasks", .number(p.sameCount)), .init("other_tasks", .number(p.otherCount)),
                .init("above_random", .number(each.map(\.above).reduce(0, +))),
                .init("below_random", .number(each.map(\.below).reduce(0, +))),
            ]
            for (name, value) in combinedMeasures {
                let values = each.compactMap(value)
                guard values.count == each.count else {
                    fields.append(.init(name, .null))
                    continue
                }
                let (mean, sd) = Statistics.meanSD(values)
                fields.append(
                    .init(
                        name,
                        .object([
                            .init("mean", .number(mean)), .init("sd", .number(sd)),
                            .init("runs", .array(values.map { .number($0) })),
                        ])))
            }
            lines.append(.object(fields))
        }
        return lines
    }

    /// combined() as a table: a row per projector, each measure in % as mean ± sd (the runs' values).
    static func combinedTable(_ lines: [JSON]) -> String {
        let header = [
            "source → target", "projector", "runs", "on its training task", "target's own", "random",
            "majority class", "unseen, training task's category: projected", "random", "majority class",
            "target's own training-task prompt",
            "projected − random: category / others", "unseen above / below random (all runs)",
        ]
        func cell(_ line: JSON, _ name: String, signed: Bool = false) -> String {
            guard let m = line[name], let mean = m["mean"]?.double, let sd = m["sd"]?.double else { return "—" }
            func shownValue(_ x: Double) -> String { signed ? signedPoints(x) : shown(x) }
            let runs = (m["runs"]?.array ?? []).compactMap(\.double).map(shownValue)
            let spread = String(format: "%.1f", 100 * sd)
            return "\(shownValue(mean)) ± \(spread) (\(runs.joined(separator: " / ")))"
        }
        let table = lines.map { l -> [String] in
            let train = l["train_tasks"]?.array?.compactMap(\.string) ?? []
            let runs = l["runs"]?.int ?? 0
            let unseen = (l["unseen_tasks"]?.int ?? 0) * runs
            return [
                "\(l["source_model"]?.string ?? "") → \(l["target_model"]?.string ?? "")",
                trainedOn(l["method"]?.string ?? "", train),
                "\(runs)", cell(l, "trained"), cell(l, "trained_own"), cell(l, "trained_random"),
                cell(l, "trained_majority"), cell(l, "same_category_projected"), cell(l, "same_category_random"),
                cell(l, "same_category_majority"),
                cell(l, "same_category_same_task_transfer"),
                cell(l, "same_category_gain", signed: true) + " / " + cell(l, "other_gain", signed: true),
                "\(l["above_random"]?.int ?? 0) / \(l["below_random"]?.int ?? 0) of \(unseen)",
            ]
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
