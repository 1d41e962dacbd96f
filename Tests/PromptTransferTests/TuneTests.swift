import Foundation
import Plumbing
import TensorFiles
import Tokenizers
import Tuning
import XCTest

/// tune-prompt / eval-prompt as a user runs them: resume after kill -9 to the bit-identical
/// prompt, NaN handling, refusing prompts of another model, the PEFT export.
final class TuneTests: XCTestCase {
    /// Small train / validation files from SST-2 dev (fast enough for a unit test).
    func smallTask() throws -> (train: String, validation: String, dir: URL) {
        let dir = try Fixture.tempDir()
        let rows = try String(contentsOf: try Fixture.data("sst2/dev.tsv"), encoding: .utf8).split(separator: "\n")
            .dropFirst()
        func write(_ name: String, _ part: ArraySlice<Substring>) throws -> String {
            let lines = part.enumerated().map { i, r -> String in
                let c = r.split(separator: "\t")
                return JSON.object([
                    .init("id", .string("\(name)-\(i)")), .init("text_a", .string(String(c[0]))),
                    .init("label", .number(Int(c[1])!)),
                ]).text
            }
            let url = dir.appendingPathComponent(name + ".jsonl")
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        return (try write("train", rows.prefix(96)), try write("validation", rows.dropFirst(96).prefix(48)), dir)
    }

    func tuneArgs(
        _ t: (train: String, validation: String, dir: URL), steps: Int, out: String, extra: [String] = []
    ) throws -> [String] {
        [
            "--model", try Fixture.model("splade-tiny"), "--train", t.train, "--validation", t.validation,
            "--select-on-validation",
            "--verbalizer", "negative,positive",
            "--prompt-length", "4", "--steps", String(steps), "--batch-size", "8", "--eval-every", "10", "--warmup",
            "5",
            "--log-every", "10", "--output", out,
        ] + extra
    }

    func testResumeAfterKillNineGivesTheBitIdenticalPrompt() throws {
        let t = try smallTask()
        // the kill lands just after the first checkpoint (step 20): 200 steps leave ample room
        let steps = 200
        let whole = t.dir.appendingPathComponent("whole.safetensors").path
        let r = try runTool("tune-prompt", try tuneArgs(t, steps: steps, out: whole))
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(lines.first?["event"]?.string, "start")
        XCTAssertEqual(lines.first?["settings"]?["steps"]?.int, steps)
        XCTAssertEqual(lines.last?["event"]?.string, "done")

        // The same run, killed with SIGKILL once it has written a checkpoint, then resumed.
        let cut = t.dir.appendingPathComponent("cut.safetensors").path
        let exe = Fixture.tool("tune-prompt")
        let p = Process()
        p.executableURL = exe
        p.arguments = try tuneArgs(t, steps: steps, out: cut, extra: ["--checkpoint-every", "20"])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: cut + ".ckpt"), Date() < deadline { usleep(2000) }
        usleep(50_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(
            p.terminationReason, .uncaughtSignal, "the run finished before it could be killed; make it longer")
        let ck = try SafetensorsFile(path: cut + ".ckpt")
        let killedAt = Int(ck.metadata["step"]!)!
        XCTAssertLessThan(killedAt, steps)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cut), "a killed run must not leave an output")
        let resumed = try runTool(
            "tune-prompt",
            try tuneArgs(
                t, steps: steps, out: cut, extra: ["--checkpoint-every", "20", "--resume", "--keep-checkpoint"]))
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming from \(cut).ckpt at step \(killedAt)"), resumed.err)
        let a = try PromptFile.read(whole)
        let b = try PromptFile.read(cut)
        XCTAssertEqual(a.prompt.array, b.prompt.array, "resumed prompt differs from the uninterrupted one")
        XCTAssertEqual(a.metadata["best_selection_accuracy"], b.metadata["best_selection_accuracy"])
        XCTAssertEqual(a.metadata["best_step"], b.metadata["best_step"])
        // training time adds up over the runs: the checkpoint's, plus the resumed run's own
        let wholeDone = lines.last!
        XCTAssertLessThanOrEqual(wholeDone["training_seconds"]!.double!, wholeDone["seconds"]!.double! + 0.1)
        let before = try XCTUnwrap(Double(ck.metadata["seconds"] ?? ""), "the checkpoint records no seconds")
        let resumedDone = try JSON.parse(String(resumed.out.split(separator: "\n").last!))
        let total = try XCTUnwrap(resumedDone["training_seconds"]?.double, resumed.out)
        XCTAssertGreaterThanOrEqual(total + 0.1, before)
        XCTAssertLessThanOrEqual(total - before, resumedDone["seconds"]!.double! + 0.1)

        // Resuming under other settings is refused.
        let other = try runTool(
            "tune-prompt", try tuneArgs(t, steps: steps, out: cut, extra: ["--resume", "--lr", "0.5"]))
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.err.contains("checkpoint was written with other settings"), other.err)
        XCTAssertTrue(other.err.contains("lr ") && other.err.contains("in the checkpoint vs 0.5"), other.err)
        XCTAssertEqual(other.status, 64)
    }

    func testAFinishedPromptIsNeverOverwrittenUnlessAsked() throws {
        let t = try smallTask()
        let out = t.dir.appendingPathComponent("p.safetensors").path
        XCTAssertEqual(try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: out)).status, 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: out))
        let again = try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: out, extra: ["--seed", "3"]))
        XCTAssertEqual(again.status, 64, again.err)
        XCTAssertTrue(again.err.contains("exists; pass --force"), again.err)
        let resumed = try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: out, extra: ["--resume"]))
        XCTAssertEqual(resumed.status, 64, resumed.err)
        XCTAssertTrue(resumed.err.contains("is a finished run"), resumed.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), first, "a refused run changed the prompt")
        let forced = try runTool(
            "tune-prompt", try tuneArgs(t, steps: 10, out: out, extra: ["--seed", "3", "--force"]))
        XCTAssertEqual(forced.status, 0, forced.err)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: out)), first)
        // Outputs that cannot be written are found before any training.
        let folder = try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: t.dir.path))
        XCTAssertEqual(folder.status, 64, folder.err)
        XCTAssertTrue(folder.err.contains("is a folder"), folder.err)
        XCTAssertFalse(folder.out.contains("\"event\":\"start\""), "trained before refusing")
        let nowhere = try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: "/dev/null/p.safetensors"))
        XCTAssertEqual(nowhere.status, 64, nowhere.err)
        XCTAssertTrue(nowhere.err.contains("cannot create the folder"), nowhere.err)
    }

    func testSIGINTKeepsTheBestPromptAndTheCheckpointAndResumeFinishesTheRun() throws {
        let t = try smallTask()
        let steps = 200
        let out = t.dir.appendingPathComponent("int.safetensors").path
        let p = Process()
        p.executableURL = Fixture.tool("tune-prompt")
        p.arguments = try tuneArgs(t, steps: steps, out: out, extra: ["--checkpoint-every", "20"])
        let stdout = Pipe()
        p.standardOutput = stdout
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: out + ".ckpt"), Date() < deadline { usleep(2000) }
        kill(p.processIdentifier, SIGINT)
        let events = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertTrue(events.contains("\"event\":\"interrupted\""), events)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "an interrupted run must not look finished")
        let partial = try PromptFile.read(out + ".partial")
        let stoppedAt = Int(partial.metadata["interrupted_at_step"] ?? "") ?? -1
        XCTAssertGreaterThan(stoppedAt, 0)
        XCTAssertLessThan(stoppedAt, steps)
        XCTAssertEqual(Int(try SafetensorsFile(path: out + ".ckpt").metadata["step"]!), stoppedAt)
        let resumed = try runTool(
            "tune-prompt",
            try tuneArgs(
                t, steps: steps, out: out,
                extra: [
                    "--checkpoint-every", "20",
                    "--resume", "--progress",
                ]))
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("at step \(stoppedAt)"), resumed.err)
        // the progress line counts from the step resumed at: its last line says the run is whole
        XCTAssertTrue(resumed.err.contains(": \(steps)/\(steps) "), resumed.err)
        let finished = try PromptFile.read(out)
        XCTAssertNil(finished.metadata["interrupted_at_step"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"), "the partial prompt outlived the run")
        XCTAssertEqual(finished.metadata["steps"], String(steps))
    }

    /// Two SIGTERMs: 20 ms apart they are one stop request delivered twice (a container stopping
    /// every process, and a grid runner forwarding it): the run stops after its step and saves, as
    /// for one. Seconds apart, the second quits at once: exit 143, nothing written — not a crash.
    /// The first version of that quit called exit(), whose library destructors unmapped oneDNN's
    /// JIT kernels while the other thread ran them (SIGSEGV, exit 139, on MiniLM with 2 threads).
    func testATwiceDeliveredSIGTERMSavesAndASecondOneLaterQuitsAtOnceWithoutACrash() throws {
        let t = try smallTask()
        // (pause between the two signals in ms, prompt length, batch): a long step for the quit
        for (round, (pause, promptLength, batch)) in [(20, 20, 16), (1500, 150, 96), (1500, 150, 96)].enumerated() {
            let out = t.dir.appendingPathComponent("twice\(round).safetensors").path
            let p = Process()
            p.executableURL = Fixture.tool("tune-prompt")
            p.arguments = [
                "--model", try Fixture.model("minilm"), "--train", t.train, "--validation", t.validation,
                "--select-on-validation", "--verbalizer", "negative,positive", "--prompt-length", String(promptLength),
                "--steps", "100000", "--batch-size", String(batch), "--eval-every", "0", "--checkpoint-every", "1",
                "--threads", "2", "--output", out,
            ]
            let stderr = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = stderr
            try p.run()
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: out + ".ckpt"), p.isRunning, Date() < deadline {
                usleep(2000)
            }
            kill(p.processIdentifier, SIGTERM)
            usleep(useconds_t(pause * 1000))
            kill(p.processIdentifier, SIGTERM)
            let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let what = "round \(round) (\(pause) ms): \(err.suffix(800))"
            XCTAssertEqual(p.terminationReason, .exit, "ended by a signal: " + what)
            XCTAssertEqual(p.terminationStatus, 128 + SIGTERM, what)
            XCTAssertFalse(err.contains("crashed"), what)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a stopped run must not look finished")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".ckpt"), what)
            let saved = FileManager.default.fileExists(atPath: out + ".partial")
            XCTAssertEqual(saved, pause < 1000, "saved the best so far: \(saved); " + what)
        }
    }

    func testPromptFileRecordsItsSettingsAndIsReproducible() throws {
        let t = try smallTask()
        let a = t.dir.appendingPathComponent("a.safetensors").path
        let b = t.dir.appendingPathComponent("b.safetensors").path
        for out in [a, b] { XCTAssertEqual(try runTool("tune-prompt", try tuneArgs(t, steps: 30, out: out)).status, 0) }
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)),
            "same seed, same file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: a + ".ckpt"), "a completed run removes its checkpoint")
        let p = try PromptFile.read(a)
        XCTAssertEqual(p.prompt.shape, [4, 128])
        for key in [
            "model_id", "hidden_size", "template", "readout", "verbalizer", "steps", "seed", "best_selection_accuracy",
            "toolkit_version",
        ] {
            XCTAssertNotNil(p.metadata[key], key)
        }
        XCTAssertEqual(p.metadata["readout"], "mlm")
        XCTAssertEqual(p.metadata["verbalizer"], #"["negative","positive"]"#)
        let c = t.dir.appendingPathComponent("c.safetensors").path
        XCTAssertEqual(
            try runTool("tune-prompt", try tuneArgs(t, steps: 30, out: c, extra: ["--seed", "1"])).status, 0)
        XCTAssertNotEqual(try PromptFile.read(c).prompt.array, p.prompt.array, "another seed, another prompt")
    }

    /// --stop-at-accuracy A ends the run at the first validation at or above A: the steps another
    /// start needs to reach a run's best (the cross-model init stage counts them this way).
    func testStopAtAccuracyEndsAtTheFirstValidationThatReachesIt() throws {
        let t = try smallTask()
        func evals(_ out: String) -> [(step: Int, accuracy: Double)] {
            out.split(separator: "\n").compactMap { line -> (Int, Double)? in
                guard let e = try? JSON.parse(String(line)), e["event"]?.string == "eval" else { return nil }
                return (e["step"]!.int!, e["accuracy"]!.double!)
            }
        }
        let full = t.dir.appendingPathComponent("full.safetensors").path
        let r = try runTool("tune-prompt", try tuneArgs(t, steps: 60, out: full))
        XCTAssertEqual(r.status, 0, r.err)
        let curve = evals(r.out)
        let first = curve[0].accuracy
        guard let reach = curve.first(where: { $0.step > 0 && $0.accuracy > first }) else {
            return XCTFail("no validation beat step 0 in 60 steps: \(curve)")
        }
        let stopped = t.dir.appendingPathComponent("stopped.safetensors").path
        let s = try runTool(
            "tune-prompt", try tuneArgs(t, steps: 60, out: stopped, extra: ["--stop-at-accuracy", "\(reach.accuracy)"]))
        XCTAssertEqual(s.status, 0, s.err)
        XCTAssertEqual(evals(s.out).map(\.step), curve.prefix { $0.step <= reach.step }.map(\.step))
        XCTAssertTrue(s.out.contains(#""event":"target_reached","step":\#(reach.step)"#), s.out)
        let kept = try PromptFile.read(stopped).metadata["best_selection_accuracy"].flatMap(Double.init)
        XCTAssertEqual(kept, reach.accuracy, "the prompt that reached the target is the output")
        let bad = try runTool(
            "tune-prompt", try tuneArgs(t, steps: 5, out: stopped + "2", extra: ["--stop-at-accuracy", "1.5"]))
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.err.contains("--stop-at-accuracy must be between 0 and 1"), bad.err)
    }

    /// --patience K stops K validations after the best one and keeps the best; --min-steps N holds
    /// that stop back until step N (a run whose accuracy never moves: lr 1e-12).
    func testPatienceStopsAfterKValidationsWithoutABetterOneAndMinStepsHoldsItBack() throws {
        let t = try smallTask()
        func run(_ name: String, _ extra: [String]) throws -> (out: String, status: Int32, err: String, path: String) {
            let path = t.dir.appendingPathComponent(name + ".safetensors").path
            let r = try runTool("tune-prompt", try tuneArgs(t, steps: 100, out: path, extra: ["--lr", "1e-12"] + extra))
            return (r.out, r.status, r.err, path)
        }
        func event(_ out: String, _ name: String) -> JSON? {
            out.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }.first { $0["event"]?.string == name }
        }
        let early = try run("early", ["--patience", "2"])
        XCTAssertEqual(early.status, 0, early.err)
        XCTAssertEqual(event(early.out, "early_stop")?["step"]?.int, 20, early.out)
        XCTAssertEqual(event(early.out, "early_stop")?["best_step"]?.int, 0, early.out)
        XCTAssertEqual(event(early.out, "done")?["steps"]?.int, 20, early.out)
        let kept = try PromptFile.read(early.path).metadata
        XCTAssertEqual(kept["best_step"], "0", "the best (the start) is the output, not the last step")
        let held = try run("held", ["--patience", "2", "--min-steps", "55"])
        XCTAssertEqual(held.status, 0, held.err)
        XCTAssertEqual(event(held.out, "early_stop")?["step"]?.int, 60, "the first validation at or after 55")
        XCTAssertTrue(
            try PromptFile.read(held.path).metadata["settings"]?.contains(#""min_steps":55"#) ?? false,
            "the prompt records --min-steps")
        let whole = try run("whole", [])
        XCTAssertNil(event(whole.out, "early_stop"), whole.out)
        XCTAssertEqual(event(whole.out, "done")?["steps"]?.int, 100, whole.out)
        let alone = try run("alone", ["--min-steps", "10"])
        XCTAssertEqual(alone.status, 64)
        XCTAssertTrue(alone.err.contains("--min-steps delays early stopping: it needs --patience"), alone.err)
    }

    func testNonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let t = try smallTask()
        let out = t.dir.appendingPathComponent("nan.safetensors").path
        let r = try runTool(
            "tune-prompt",
            try tuneArgs(t, steps: 50, out: out, extra: ["--lr", "1e38", "--warmup", "40", "--checkpoint-every", "1"]))
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("became non-finite at step"), r.err)
        XCTAssertTrue(r.err.contains("the last good checkpoint is \(out).ckpt"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let ck = try SafetensorsFile(path: out + ".ckpt")
        XCTAssertGreaterThanOrEqual(Int(ck.metadata["step"]!)!, 1)
        XCTAssertTrue(
            try ck.tensor("prompt").array.allSatisfy { $0.isFinite }, "the kept checkpoint must be a good one")
    }

    func testEvalPromptWritesOneLinePerPromptAndRefusesAnotherModel() throws {
        let t = try smallTask()
        let out = t.dir.appendingPathComponent("p.safetensors").path
        XCTAssertEqual(try runTool("tune-prompt", try tuneArgs(t, steps: 20, out: out)).status, 0)
        let splade = try Fixture.model("splade-tiny")
        let r = try runTool(
            "eval-prompt", ["--model", splade, "--task", "rotten_tomatoes", "--split", "test", out, out])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0]["target"]?.string, "rotten_tomatoes")
        XCTAssertEqual(lines[0]["n"]?.int, 1066)
        XCTAssertEqual(lines[0]["accuracy"], lines[1]["accuracy"])
        let minilm = try runTool("eval-prompt", ["--model", try Fixture.model("minilm"), "--task", "sst2", out])
        XCTAssertEqual(minilm.status, 65, "a prompt of another model is bad input")
        XCTAssertTrue(minilm.err.contains("128 dimensions; minilm has hidden size 384"), minilm.err)
        // same hidden size, another model: the recorded identity catches it
        var p = try PromptFile.read(out)
        p.metadata["model_id"] = "0123456789abcdef"
        let forged = t.dir.appendingPathComponent("forged.safetensors").path
        try p.write(to: forged)
        let f = try runTool("eval-prompt", ["--model", splade, "--task", "sst2", forged])
        XCTAssertEqual(f.status, 65)
        XCTAssertTrue(f.err.contains("prompt was tuned for model"), f.err)
    }

    func testTemplateLayoutsSinglesAndPairs() throws {
        let tok = try Tokenizer.load(folder: try Fixture.model("minilm"))
        let t = try PromptTemplate(PromptTemplate.bert, tokenizer: tok)
        let single = t.encode([7, 8], nil, promptLength: 3, typeVocab: 2)
        XCTAssertEqual(single.ids, [101, 0, 0, 0, 103, 7, 8, 102])
        XCTAssertEqual(single.promptToken, [-1, 0, 1, 2, -1, -1, -1, -1])
        XCTAssertEqual(single.readRow, 4)
        XCTAssertEqual(single.types, [0, 0, 0, 0, 0, 0, 0, 0])
        let pair = t.encode([7], [9, 10], promptLength: 2, typeVocab: 2)
        XCTAssertEqual(pair.ids, [101, 0, 0, 103, 7, 102, 9, 10, 102])
        XCTAssertEqual(pair.types, [0, 0, 0, 0, 0, 0, 1, 1, 1])
        XCTAssertThrowsError(try PromptTemplate("[CLS] <text_a> [SEP]", tokenizer: tok))
    }

    /// PEFT loads the exported adapter (needs the dev venv: `make bench-setup`).
    func testPEFTLoadsTheExport() throws {
        let python = Fixture.root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no dev venv with PEFT (.venv): run `make bench-setup` to check the PEFT export")
        }
        let t = try smallTask()
        let folder = t.dir.appendingPathComponent("peft").path
        let r = try runTool("tune-prompt", try tuneArgs(t, steps: 10, out: folder, extra: ["--format", "peft"]))
        XCTAssertEqual(r.status, 0, r.err)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [
            "-c",
            """
            import sys, torch
            from transformers import AutoModelForMaskedLM
            from peft import PeftModel
            from safetensors.torch import load_file
            base = AutoModelForMaskedLM.from_pretrained(sys.argv[1])
            m = PeftModel.from_pretrained(base, sys.argv[2])
            emb = m.prompt_encoder["default"].embedding.weight
            want = load_file(sys.argv[2] + "/adapter_model.safetensors")["prompt_embeddings"]
            assert emb.shape == (4, 128), emb.shape
            assert torch.equal(emb.detach(), want), "vectors differ"
            print("peft ok", tuple(emb.shape))
            """, try Fixture.model("splade-tiny"), folder,
        ]
        let o = Pipe()
        p.standardOutput = o
        p.standardError = Pipe()
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(
            String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("peft ok (4, 128)"))
    }
}
