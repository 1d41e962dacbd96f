// Experiment grids on a real Slurm cluster: a single-node cluster from Debian's packages
// (scripts/slurm-local.sh) runs a tiny cross-task grid, which must give the result the local
// runner gives. CI installs slurm-wlm and munge and sets PT_REQUIRE_SLURM=1, so there the test
// cannot skip.
import Foundation
import Plumbing
import Tuning
import XCTest

final class GridTests: XCTestCase {
    func testATinyCrossTaskGridGivesTheSameMatrixOnSlurmAndLocally() throws {
        let required = ProcessInfo.processInfo.environment["PT_REQUIRE_SLURM"] == "1"
        let haveSlurm = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        guard haveSlurm, getuid() == 0 else {
            if required {
                XCTFail("PT_REQUIRE_SLURM=1 but slurm-wlm is not installed or this is not root")
            }
            throw XCTSkip("needs root and slurm-wlm + munge (apt-get install slurm-wlm munge)")
        }
        let work = try Fixture.tempDir()
        let clusterDir = work.appendingPathComponent("slurm").path
        let cluster = ["SLURM_LOCAL_DIR": clusterDir, "SLURM_LOCAL_PORT": "6937"]
        // started as CI starts it (stdin closed; output captured): the daemons must let go of the pipes
        let start = Process()
        start.executableURL = URL(fileURLWithPath: "/bin/bash")
        start.arguments = ["-c", "exec 0<&-; exec bash scripts/slurm-local.sh start"]
        start.currentDirectoryURL = Fixture.root
        start.environment = ProcessInfo.processInfo.environment.merging(cluster) { _, new in new }
        let started = try capture(start, stdin: nil, timeout: 120, what: "slurm-local.sh start")
        defer { _ = try? runScript("scripts/slurm-local.sh", ["stop"], environment: cluster) }
        guard started.status == 0 else {
            return XCTFail("the cluster did not start: \(started.err)")
        }
        let toolDir = Fixture.tool("tune-prompt").deletingLastPathComponent().path
        var grid = [
            "BIN": toolDir, "MODEL": try Fixture.model("splade-tiny"),
            "STEPS": "6", "EVAL_EVERY": "3", "EVAL_LIMIT": "24", "TASKS": "sst2 rotten_tomatoes",
            "THREADS": "1", "DATA_DIR": try Fixture.tinyTaskData().path, "SLURM_CONF": clusterDir + "/slurm.conf",
            "GRID_TIMEOUT": "300",
        ]
        var matrices: [String: [JSON]] = [:]
        for runner in ["local", "slurm"] {
            grid["RUNNER"] = runner
            grid["OUT"] = work.appendingPathComponent(runner).path
            let r = try runScript("scripts/cross-task.sh", [], environment: grid)
            XCTAssertEqual(r.status, 0, "\(runner): \(r.err)")
            XCTAssertTrue(runner == "local" || r.err.contains("submitted array job"), r.err)
            let text = try String(contentsOfFile: grid["OUT"]! + "/transfer.jsonl", encoding: .utf8)
            // relative transfer by category: both tasks are sentiment, so 2 pairs within and none across
            let categories = try String(contentsOfFile: grid["OUT"]! + "/categories.jsonl", encoding: .utf8)
            let within = try JSON.parse(String(categories.split(separator: "\n")[0]))
            XCTAssertEqual(within["scope"]?.string, "same_category")
            XCTAssertEqual(within["n"]?.int, 2, categories)
            // each target's baselines on its diagonal's examples: majority class, random prompts, own prompt
            let baselines = try String(contentsOfFile: grid["OUT"]! + "/baselines.md", encoding: .utf8)
            for row in ["majority", "random", "sst2", "rotten_tomatoes"] {
                XCTAssertTrue(baselines.contains("| \(row) |"), "\(runner): no row \(row):\n\(baselines)")
            }
            XCTAssertTrue(baselines.contains("±"), baselines)
            // a job's log holds its progress as plain lines (the final one at least)
            let jobLog = try String(contentsOfFile: grid["OUT"]! + "/grid/logs/1-tune.1.log", encoding: .utf8)
            XCTAssertTrue(jobLog.contains("6/6"), "\(runner): no progress line in the job log:\n\(jobLog)")
            XCTAssertFalse(jobLog.contains("\u{1b}"), jobLog)
            // the prompt paths differ by OUT; everything else must be the same
            matrices[runner] = try text.split(separator: "\n").map { line in
                var j = try JSON.parse(String(line))
                j = .object((j.members ?? []).filter { $0.key != "prompt" })
                return j
            }
        }
        XCTAssertEqual(matrices["local"]?.count, 4)
        XCTAssertEqual(matrices["local"]?.map(\.text), matrices["slurm"]?.map(\.text))
        // a failing job is reported with its log, and the stages after it do not run
        grid["RUNNER"] = "slurm"
        grid["TASKS"] = "sst2 no_such_task"
        grid["OUT"] = work.appendingPathComponent("failing").path
        let failed = try runScript("scripts/cross-task.sh", [], environment: grid)
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.err.contains("1-tune job 2 failed"), failed.err)
        XCTAssertTrue(failed.err.contains("logs/1-tune.2.log"), failed.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: grid["OUT"]! + "/transfer.jsonl"))
    }

    /// `make transferability` end to end on tiny data, two seeds: each seed's cross-task grid, a
    /// ranking per target with every estimator and indicator, the measures, and the seeds combined.
    func testTheTransferabilityBenchmarkRanksEverySourceForEveryTarget() throws {
        let data = try Fixture.tinyTaskData()
        for split in ["train", "validation"] {  // a third task: sst2's rows under imdb's manifest
            try FileManager.default.createDirectory(
                at: data.appendingPathComponent("imdb"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: data.appendingPathComponent("sst2/\(split).jsonl"),
                to: data.appendingPathComponent("imdb/\(split).jsonl"))
        }
        let out = try Fixture.tempDir().appendingPathComponent("bench").path
        let settings = [
            "BIN": Fixture.tool("tune-prompt").deletingLastPathComponent().path,
            "MODEL": try Fixture.model("splade-tiny"), "STEPS": "4", "EVAL_EVERY": "2", "EVAL_LIMIT": "20",
            "TASKS": "sst2 rotten_tomatoes imdb", "SEEDS": "0 1", "THREADS": "1", "DATA_DIR": data.path,
            "OUT": out, "SELECTION_SIZE": "1000",
        ]
        let r = try runScript("scripts/transferability.sh", [], environment: settings)
        XCTAssertEqual(r.status, 0, r.err)
        for seed in [0, 1] {
            let ranks = try String(contentsOfFile: "\(out)-s\(seed)/rank/imdb.jsonl", encoding: .utf8)
                .split(separator: "\n").map { try JSON.parse(String($0)) }
            XCTAssertEqual(Set(ranks.compactMap { $0["source"]?.string }), ["sst2", "rotten_tomatoes"])
            for row in ranks {
                let fields = [
                    "leep", "logme", "hscore_regularized", "probe_accuracy", "cosine_concat", "on_cosine", "on_jaccard",
                ]
                for field in fields {
                    XCTAssertNotNil(row[field]?.double, "\(field) in \(row.text)")
                }
                XCTAssertEqual(row["split"]?.string, "train:selection")
            }
            let scored = try String(contentsOfFile: "\(out)-s\(seed)/transferability.jsonl", encoding: .utf8)
                .split(separator: "\n").map { try JSON.parse(String($0)) }
            let logme = try XCTUnwrap(scored.first { $0["estimator"]?.string == "logme" && $0["target"] == nil })
            XCTAssertEqual(logme["targets"]?.int, 3)
            XCTAssertEqual(logme["pairs"]?.int, 6)
            XCTAssertNotNil(logme["regret_at_1"]?.double)
            XCTAssertEqual(scored.filter { $0["target"] != nil && $0["estimator"]?.string == "logme" }.count, 3)
            let paired = try String(contentsOfFile: "\(out)-s\(seed)/transferability-paired.md", encoding: .utf8)
            XCTAssertTrue(paired.contains("| cosine_token − on_cosine (3) | "), paired)
        }
        let combined = try String(contentsOfFile: "\(out)-seeds.md", encoding: .utf8)
        XCTAssertTrue(combined.contains("| on_cosine | "), combined)
        XCTAssertTrue(combined.contains("(2)"), "two seeds: \(combined)")

        // the payoff: each target tuned from the estimator's pick, random, the best and the worst source
        var payoff = settings
        payoff["OUT"] = "\(out)-s0"
        payoff["TARGETS"] = "imdb sst2"
        payoff["ESTIMATOR"] = "logme"
        let paid = try runScript("scripts/transferability-payoff.sh", [], environment: payoff)
        XCTAssertEqual(paid.status, 0, paid.err)
        let curves = try String(contentsOfFile: "\(out)-s0/payoff/curves.md", encoding: .utf8)
        XCTAssertTrue(curves.contains("| imdb | random | 2 | "), curves)
        XCTAssertTrue(curves.contains("| imdb | from "), curves)
        let accuracy = try String(contentsOfFile: "\(out)-s0/payoff/accuracy.md", encoding: .utf8)
        XCTAssertTrue(accuracy.contains("| random | imdb validation without "), accuracy)
        XCTAssertTrue(accuracy.contains("| majority | imdb validation without "), accuracy)
        XCTAssertTrue(accuracy.contains("(seeds: "), "mean ± sd over the two seeds: \(accuracy)")
        // every start against the random one, on the same examples, seed by seed
        let pairedFolder = "\(out)-s0/payoff/paired"
        let pairedFiles = try FileManager.default.contentsOfDirectory(atPath: pairedFolder)
        XCTAssertTrue(pairedFiles.contains { $0.hasPrefix("imdb.") } && pairedFiles.contains { $0.hasPrefix("sst2.") })
        for file in pairedFiles {
            let table = try String(contentsOfFile: "\(pairedFolder)/\(file)", encoding: .utf8)
            let comparisons = try XCTUnwrap(table.components(separatedBy: " − random on | run | n | ").last)
            XCTAssertTrue(comparisons.contains("McNemar exact p"), table)
            let runs = comparisons.split(separator: "\n").filter {
                $0.hasPrefix("| imdb validation") || $0.hasPrefix("| sst2 validation")
            }
            let runNumbers = runs.map { $0.split(separator: "|")[1].trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(runNumbers, ["1", "2"], "a line per seed: \(table)")
        }
    }

    /// The paper's cross-model protocol as a grid, end to end on tiny data: every projector ×
    /// task line carries its baselines (the majority class, random prompts as mean ± sd over 5
    /// draws, the target's own prompt, same-task transfer); a TRAIN_TASKS entry "a,b" is one
    /// projector trained on both tasks (`make cross-model`).
    func testTheCrossModelPaperGridJoinsEveryResultWithItsBaselines() throws {
        let out = try Fixture.tempDir().appendingPathComponent("paper").path
        let toolDir = Fixture.tool("tune-prompt").deletingLastPathComponent().path
        _ = try Fixture.model("splade-tiny")
        _ = try Fixture.model("minilm")
        let settings = [
            "BIN": toolDir, "PAIRS": "splade-tiny:minilm", "TRAIN_TASKS": "sst2 sst2,rotten_tomatoes",
            "TASKS": "sst2 rotten_tomatoes",
            "STEPS_SMALL": "4", "PROJECT_STEPS": "4", "EVAL_LIMIT": "16", "THREADS": "1",
            "INIT_TASKS": "rotten_tomatoes",
            "DATA_DIR": try Fixture.tinyTaskData().path, "OUT": out,
        ]
        // a tool folder without one of the tools a job runs: refused before any job starts
        let partial = try Fixture.tempDir()
        for tool in ["tune-prompt", "project", "eval-prompt"] {
            try FileManager.default.createSymbolicLink(
                atPath: partial.appendingPathComponent(tool).path, withDestinationPath: toolDir + "/" + tool)
        }
        let unbuilt = try runScript(
            "scripts/cross-model-paper.sh", [],
            environment: settings.merging(["BIN": partial.path]) { _, new in new })
        XCTAssertEqual(unbuilt.status, 64, unbuilt.err)
        XCTAssertTrue(unbuilt.err.contains("prepare-data is not built"), unbuilt.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "created \(out)")
        // one stage alone: refused while the stages before it are unfinished, nothing run
        let early = try runScript(
            "scripts/cross-model-paper.sh", [],
            environment: settings.merging(["GRID_STAGES": "eval"]) { _, new in new })
        XCTAssertEqual(early.status, 65, early.err)
        XCTAssertTrue(early.err.contains("1-tune has"), early.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/prompts/minilm/sst2.safetensors"))
        let r = try runScript("scripts/cross-model-paper.sh", [], environment: settings)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = try String(contentsOfFile: out + "/results.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(lines.count, 10, "5 projectors (task and distance on sst2 and on both, vocab) × 2 tasks")
        // same-task transfer of the two-task projectors: the mean of the target's prompts of both tasks
        let baselines = try String(contentsOfFile: out + "/eval/minilm.baselines.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSON.parse(String($0)) }
        // every evaluation leaves out what the task's train split and every training task's share with it
        for row in baselines {
            let excluded = row["settings"]?["exclude_overlap"]?.array?.compactMap(\.string) ?? []
            XCTAssertEqual(Set(excluded), ["sst2:train", "rotten_tomatoes:train"], row.text)
        }
        func promptAccuracy(_ source: String, on task: String) throws -> Double {
            try XCTUnwrap(
                baselines.first { $0["source"]?.string == source && $0["target"]?.string == task }?["accuracy"]?
                    .double, "\(source) on \(task)")
        }
        for line in lines {
            let train = line["train_tasks"]?.array?.compactMap(\.string) ?? []
            let task = try XCTUnwrap(line["task"]?.string)
            XCTAssertNotNil(line["own_accuracy"]?.double, line.text)
            XCTAssertNotNil(line["random_accuracy"]?.double, line.text)
            XCTAssertNotNil(line["random_sd"]?.double, line.text)
            XCTAssertEqual(line["random_draws"]?.int, 5, "the random baseline is the mean of 5 draws")
            XCTAssertNotNil(line["majority_accuracy"]?.double, line.text)
            XCTAssertEqual(line["category"]?.string, "sentiment")
            XCTAssertEqual(line["ci95"]?.array?.count, 2, line.text)
            XCTAssertNotNil(line["excluded"]?.int, line.text)
            if train.count == 2 {
                XCTAssertEqual(train, ["sst2", "rotten_tomatoes"], line.text)
                XCTAssertEqual(line["seen"]?.bool, true, line.text)
                let mean = (try promptAccuracy("sst2", on: task) + promptAccuracy("rotten_tomatoes", on: task)) / 2
                XCTAssertEqual(try XCTUnwrap(line["same_task_transfer"]?.double), mean, accuracy: 1e-12, line.text)
                continue
            }
            let vocab = line["method"]?.string == "vocab"
            XCTAssertEqual(line["same_task_transfer"]?.double == nil, vocab, line.text)
            XCTAssertEqual(line["seen"]?.bool, !vocab && line["task"]?.string == "sst2", line.text)
        }
        let table = try String(contentsOfFile: out + "/results.md", encoding: .utf8)
        XCTAssertEqual(table.split(separator: "\n").count, 12)
        // the summary: a row per projector; only the task objective's SST-2 projector has seen a task
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(summary.count, 7, summary.joined(separator: "\n"))
        // trained on SST-2: one unseen task (rotten_tomatoes), of SST-2's category; vocab: both tasks unseen
        let task = summary.first { $0.hasPrefix("| splade-tiny → minilm | task, trained on sst2 | ") }
        XCTAssertTrue(task?.contains(" of 1 | ") == true, task ?? "no row")
        XCTAssertTrue(task?.hasSuffix(" (1) / — |") == true, task ?? "no row")
        let vocab = summary.first { $0.hasPrefix("| splade-tiny → minilm | vocab | — | ") }
        XCTAssertTrue(vocab?.contains(" of 2 | — / ") == true, vocab ?? "no row")
        XCTAssertTrue(vocab?.hasSuffix(" (2) |") == true, vocab ?? "no row")
        // trained on both tasks: both seen (their mean), none unseen
        let both = summary.first {
            $0.hasPrefix("| splade-tiny → minilm | distance, trained on sst2,rotten_tomatoes | ")
        }
        XCTAssertTrue(both?.contains(", mean of 2 | 0 / 0 of 0 | — / — |") == true, both ?? "no row")
        // the results stage again alone (REDO): the file is written anew from the same evaluations
        try FileManager.default.removeItem(atPath: out + "/results.md")
        let again = try runScript(
            "scripts/cross-model-paper.sh", [],
            environment: settings.merging(["GRID_STAGES": "results", "GRID_REDO": "1"]) { _, new in new })
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("4-results: outputs deleted"), again.err)
        XCTAssertFalse(again.err.contains("1-tune"), again.err)
        XCTAssertEqual(try String(contentsOfFile: out + "/results.md", encoding: .utf8), table)
        // stage 5: tuning on the target from each projected prompt, against the from-scratch curve
        let starts = try String(contentsOfFile: out + "/init.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSON.parse(String($0)) }
        // vocab and the two sst2 projectors; those trained on rotten_tomatoes too are not started there
        XCTAssertEqual(starts.count, 3, starts.map(\.text).joined(separator: "\n"))
        let missing = try runTool("cross-model-results", [out + "/no-such-grid"])
        XCTAssertEqual(missing.status, 65, missing.err)
        XCTAssertTrue(missing.out.isEmpty)
        // baselines evaluated before rotten_tomatoes was a training task: refused, not a mean over fewer prompts
        let stale = try Fixture.tempDir().appendingPathComponent("stale")
        try FileManager.default.copyItem(atPath: out + "/eval", toPath: stale.appendingPathComponent("eval").path)
        let staleBaselines = stale.appendingPathComponent("eval/minilm.baselines.jsonl")
        let kept = baselines.filter { $0["source"]?.string != "rotten_tomatoes" }.map { $0.text + "\n" }.joined()
        try kept.write(to: staleBaselines, atomically: true, encoding: .utf8)
        let refused = try runTool("cross-model-results", [stale.path])
        XCTAssertEqual(refused.status, 65, refused.err)
        XCTAssertTrue(refused.err.contains("no baseline of minilm's rotten_tomatoes prompt on "), refused.err)
        XCTAssertTrue(refused.out.isEmpty, refused.out)
        for line in starts {
            XCTAssertEqual(line["task"]?.string, "rotten_tomatoes")
            XCTAssertEqual(line["train_tasks"]?.array?.contains { $0.string == "rotten_tomatoes" }, false, line.text)
            for field in ["scratch_best", "init_step0", "init_best"] {
                XCTAssertNotNil(line[field]?.double, "\(field): \(line.text)")
            }
        }
    }

    /// A hand-made cross-model grid folder: MiniLM's baselines on each task (its own prompt 0.9, its
    /// SST-2 prompt zero-shot 0.7, 5 random draws of the given mean and sd, the majority class 0.55 on
    /// SST-2 and 0.52 elsewhere) and one SST-2 projector's evaluations (n 500, 3 left out, an interval
    /// of ± 0.04).
    func writeCrossModelGrid(
        _ folder: URL, method: String = "task", _ cases: [(task: String, projected: Double, random: Double, sd: Double)]
    ) throws {
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("eval"), withIntermediateDirectories: true)
        var baselines = ""
        var projected = ""
        for c in cases {
            let on = "\"model\":\"minilm\",\"target\":\"\(c.task)\",\"prompt\":\"p/minilm/\(c.task).safetensors\""
            baselines += "{\(on),\"source\":\"\(c.task)\",\"accuracy\":0.9}\n"
            if c.task != "sst2" { baselines += "{\(on),\"source\":\"sst2\",\"accuracy\":0.7}\n" }
            baselines += "{\(on),\"source\":\"random\",\"accuracy\":\(c.random),\"accuracy_sd\":\(c.sd),\"draws\":5}\n"
            let majority = c.task == "sst2" ? 0.55 : 0.52
            baselines += "{\(on),\"source\":\"majority\",\"accuracy\":\(majority),\"majority_label\":1}\n"
            projected += "{\"source_model\":\"splade-tiny\",\"target_model\":\"minilm\",\"method\":\"\(method)\","
                + "\"train_tasks\":[\"sst2\"],\"task\":\"\(c.task)\",\"accuracy\":\(c.projected),"
                + "\"ci95\":[\(c.projected - 0.04),\(c.projected + 0.04)],\"n\":500,\"excluded\":3}\n"
        }
        try baselines.write(
            to: folder.appendingPathComponent("eval/minilm.baselines.jsonl"), atomically: true, encoding: .utf8)
        try projected.write(
            to: folder.appendingPathComponent("eval/splade-tiny-minilm.\(method).sst2.jsonl"), atomically: true,
            encoding: .utf8)
    }

    /// cross-model-results counts an unseen task as above or below random only beyond the noise:
    /// 1.96 × sqrt(p(1 − p)/n + sd²) of the random draws. Hand-made evaluations: imdb +10 points
    /// (above), mnli +3 points on 500 examples (inside the binomial noise: the old "≥ 2 points" rule
    /// counted it), qnli −10 points with draws of sd 2 (below).
    func testCrossModelResultsCountsOnlyDifferencesBeyondTheNoise() throws {
        let folder = try Fixture.tempDir().appendingPathComponent("results")
        try writeCrossModelGrid(
            folder,
            [("sst2", 0.80, 0.50, 0), ("imdb", 0.60, 0.50, 0), ("mnli", 0.53, 0.50, 0), ("qnli", 0.40, 0.50, 0.02)])
        let summary = try runTool("cross-model-results", ["--summary", folder.path])
        XCTAssertEqual(summary.status, 0, summary.err)
        let row = summary.out.split(separator: "\n").first { $0.hasPrefix("| splade-tiny → minilm | task, ") }
        XCTAssertTrue(row?.contains(" | 80.0 (90.0) | 1 / 1 of 3 | ") == true, summary.out)
        let table = try runTool("cross-model-results", ["--format", "markdown", folder.path])
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertTrue(table.out.contains(" | 60.0 [56.0, 64.0] | 500 (3 left out) | "), table.out)
    }

    /// cross-model-results --combine: two hand-made runs (seeds) of a grid with one SST-2 projector,
    /// its projected SST-2 accuracy 0.80 / 0.90 (mean 85.0, sd 7.1), IMDB (same category) 0.60 /
    /// 0.70 against random 0.50 (gain +10 / +20), MNLI (another category) 0.50 / 0.50 against 0.50;
    /// a projector of one run only is left out and named; runs sharing none are refused; one folder
    /// without --combine only.
    func testCrossModelResultsCombinesRunsAsMeanAndSD() throws {
        let root = try Fixture.tempDir().appendingPathComponent("combine")
        func run(_ name: String, sst2: Double, imdb: Double, method: String = "task") throws -> String {
            let folder = root.appendingPathComponent(name)
            try writeCrossModelGrid(
                folder, method: method, [("sst2", sst2, 0.5, 0), ("imdb", imdb, 0.5, 0), ("mnli", 0.5, 0.5, 0)])
            return folder.path
        }
        let seed0 = try run("s0", sst2: 0.8, imdb: 0.6)
        let seed1 = try run("s1", sst2: 0.9, imdb: 0.7)
        _ = try run("s0", sst2: 0.8, imdb: 0.6, method: "distance")  // seed 0 had one projector more
        let r = try runTool("cross-model-results", ["--combine", seed0, seed1])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("splade-tiny → minilm distance, trained on sst2 is only in \(seed0); left out"))
        let line = try JSON.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(line["runs"]?.int, 2)
        XCTAssertEqual(try XCTUnwrap(line["trained"]?["mean"]?.double), 0.85, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(line["trained"]?["sd"]?.double), 0.1 / 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(line["trained"]?["runs"]?.array?.compactMap(\.double), [0.8, 0.9])
        XCTAssertEqual(try XCTUnwrap(line["same_category_gain"]?["mean"]?.double), 0.15, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(line["same_category_same_task_transfer"]?["mean"]?.double), 0.7, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(line["other_gain"]?["mean"]?.double), 0, accuracy: 1e-12)
        XCTAssertEqual(line["above_random"]?.int, 2, "IMDB beyond the noise in both runs")
        let table = try runTool("cross-model-results", ["--combine", "--format", "markdown", seed0, seed1])
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertTrue(table.out.contains(" | 2 | 85.0 ± 7.1 (80.0 / 90.0) | 90.0 ± 0.0 (90.0 / 90.0) | "), table.out)
        XCTAssertEqual(try XCTUnwrap(line["trained_majority"]?["mean"]?.double), 0.55, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(line["same_category_majority"]?["mean"]?.double), 0.52, accuracy: 1e-12)
        let majorityCells =
            " | 55.0 ± 0.0 (55.0 / 55.0) | 65.0 ± 7.1 (60.0 / 70.0) | 50.0 ± 0.0 (50.0 / 50.0) | 52.0 ± 0.0"
        XCTAssertTrue(table.out.contains(majorityCells), table.out)
        XCTAssertTrue(table.out.contains(" | +15.0 ± 7.1 (+10.0 / +20.0) / +0.0 ± 0.0 (+0.0 / +0.0) | 2 / 0 of 4 |"))
        let other = try run("s2", sst2: 0.8, imdb: 0.6, method: "vocab")
        let none = try runTool("cross-model-results", ["--combine", seed1, other])
        XCTAssertEqual(none.status, 65, none.err)
        XCTAssertTrue(none.err.contains("no projector evaluated in every run"), none.err)
        XCTAssertTrue(none.out.isEmpty, none.out)
        let two = try runTool("cross-model-results", [seed0, seed1])
        XCTAssertEqual(two.status, 64, two.err)
        let one = try runTool("cross-model-results", ["--combine", seed0])
        XCTAssertEqual(one.status, 64, one.err)
    }

    /// nli-long on tiny data (two sentiment tasks for MNLI and SNLI): a prompt per task and seed,
    /// both evaluated on both tasks without either train split's texts, beside the majority class
    /// and random prompts, the seeds as mean ± sd and a paired comparison per seed; REUSE takes a
    /// finished run's prompts (the same numbers), and a REUSE folder without them is refused.
    func testNliLongTunesOverSeedsAndReportsBaselinesAndPairedComparisons() throws {
        let out = try Fixture.tempDir().appendingPathComponent("nli").path
        _ = try Fixture.model("splade-tiny")
        let settings = [
            "BIN": Fixture.tool("tune-prompt").deletingLastPathComponent().path, "MODEL": "splade-tiny",
            "TASKS": "sst2 rotten_tomatoes", "SPLIT": "validation", "SEEDS": "0 1", "STEPS": "4",
            "EVAL_LIMIT": "30", "RANDOM_DRAWS": "2", "THREADS": "1", "DATA_DIR": try Fixture.tinyTaskData().path,
            "OUT": out,
        ]
        let r = try runScript("scripts/nli-long.sh", [], environment: settings)
        XCTAssertEqual(r.status, 0, r.err)
        let table = try String(contentsOfFile: out + "/validation.seeds-0-1.md", encoding: .utf8)
        for target in ["sst2", "rotten_tomatoes"] {
            let set = "\(target) validation without sst2:train, rotten_tomatoes:train"
            for prompt in ["sst2", "rotten_tomatoes"] {
                XCTAssertTrue(table.contains("| \(prompt) | \(set) | "), "\(prompt) on \(set): \(table)")
            }
            XCTAssertTrue(table.contains("| majority | \(set) | "), table)
            XCTAssertTrue(table.contains("| random | \(set) | "), table)
        }
        XCTAssertEqual(table.components(separatedBy: "(seeds: ").count - 1, 4, "2 prompts × 2 tasks over 2 seeds")
        let paired = try String(contentsOfFile: out + "/paired.seeds-0-1.md", encoding: .utf8)
        XCTAssertTrue(paired.contains("| rotten_tomatoes − sst2 on | run | n | "), paired)
        XCTAssertEqual(paired.split(separator: "\n").filter { $0.hasPrefix("| sst2 validation without") }.count, 2)
        XCTAssertEqual(r.out, paired)
        // the same prompts through REUSE: the same table
        let reused = try runScript(
            "scripts/nli-long.sh", [],
            environment: settings.merging(["OUT": out + "-reused", "REUSE": out + "/sSEED"]) { _, new in new })
        XCTAssertEqual(reused.status, 0, reused.err)
        XCTAssertEqual(try String(contentsOfFile: out + "-reused/validation.seeds-0-1.md", encoding: .utf8), table)
        let missing = try runScript(
            "scripts/nli-long.sh", [],
            environment: settings.merging(["OUT": out + "-missing", "REUSE": out + "/nowhere-sSEED"]) { _, new in new })
        XCTAssertEqual(missing.status, 65, missing.err)
        XCTAssertTrue(missing.err.contains("REUSE has no \(out)/nowhere-s0/sst2.safetensors"), missing.err)
    }

    /// The vocabulary-map example (make vocab-map) on tiny data: one map fitted from SPLADE-tiny's word
    /// embeddings to MiniLM's, each seed's source prompt mapped and evaluated once on the target's
    /// validation split, the seeds as mean ± sd beside the majority class and random prompts; a second
    /// run redoes nothing, and a seed without its source prompt is refused before anything is written.
    func testTheVocabularyMapExampleEvaluatesEverySeedBesideTheBaselines() throws {
        let folder = try Fixture.tempDir()
        let out = folder.appendingPathComponent("vocab").path
        _ = try Fixture.model("splade-tiny")
        _ = try Fixture.model("minilm")
        let data = try Fixture.tinyTaskData().path
        for seed in [0, 1] {
            let tune = try runTool("tune-prompt", [
                "--model", Fixture.root.appendingPathComponent("models/splade-tiny").path, "--task", "sst2",
                "--data-dir", data, "--steps", "0", "--seed", "\(seed)", "--threads", "1",
                "--output", folder.appendingPathComponent("splade-tiny.s\(seed).safetensors").path,
            ])
            XCTAssertEqual(tune.status, 0, tune.err)
        }
        let settings = [
            "BIN": Fixture.tool("tune-prompt").deletingLastPathComponent().path, "SOURCE": "splade-tiny",
            "TARGET": "minilm", "SEEDS": "0 1",
            "PROMPTS": folder.appendingPathComponent("splade-tiny.sSEED.safetensors").path,
            "RANDOM_DRAWS": "2", "THREADS": "1", "DATA_DIR": data, "OUT": out,
        ]
        let r = try runScript("scripts/vocab-map.sh", [], environment: settings)
        XCTAssertEqual(r.status, 0, r.err)
        let table = try String(contentsOfFile: out + "/sst2.md", encoding: .utf8)
        XCTAssertEqual(r.out, table)
        XCTAssertTrue(table.contains("| vocab-map from splade-tiny | sst2 validation | 40 | "), table)
        XCTAssertEqual(table.components(separatedBy: "(seeds: ").count - 1, 1, "the mapped prompt over 2 seeds")
        XCTAssertTrue(table.contains("| majority | sst2 validation | 40 | "), table)
        XCTAssertTrue(table.contains("| random | sst2 validation | 40 | "), table)
        for seed in [0, 1] {
            let mapped = try PromptFile.read(out + "/sst2.s\(seed).from-splade-tiny.safetensors")
            XCTAssertEqual(mapped.metadata["model"], "minilm", "\(mapped.metadata)")
        }
        XCTAssertTrue(r.err.contains("\"held_out_rmse\""), r.err)
        let again = try runScript("scripts/vocab-map.sh", [], environment: settings)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(again.out, table)
        XCTAssertFalse(again.err.contains("vocab-map: seed"), "evaluated again: \(again.err)")
        let missing = try runScript(
            "scripts/vocab-map.sh", [],
            environment: settings.merging(["SEEDS": "0 7", "OUT": out + "-missing"]) { _, new in new })
        XCTAssertEqual(missing.status, 65, missing.err)
        XCTAssertTrue(missing.err.contains("no source prompt " + folder.appendingPathComponent("splade-tiny.s7"
            + ".safetensors").path), missing.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "-missing"), "wrote before refusing")
    }
}
