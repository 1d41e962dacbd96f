import Foundation
import Plumbing
import TensorFiles
import Tensors
import Transfer
import Tuning
import XCTest

/// The projector against PyTorch (fixture) and finite differences; `project apply` refusing
/// prompts of another model or shape.
final class ProjectorTests: XCTestCase {
    func load(_ c: JSON) -> Projector {
        let p = Projector(
            n: c["n"]!.int!, sourceDim: c["source"]!.int!, targetDim: c["target"]!.int!, hidden: c["hidden"]!.int!,
            activation: Projector.Activation(rawValue: c["activation"]!.string!)!, layerNorm: c["layer_norm"]!.bool!,
            seed: 0)
        let flat = ["w1", "b1", "w2", "b2", "gamma", "beta"].flatMap { Fixture.floats(c[$0]) }
        XCTAssertEqual(flat.count, p.params.count)
        p.params = flat
        return p
    }

    func testForwardAndGradientsMatchPyTorch() throws {
        for c in try Fixture.json("projector.json").array! {
            let p = load(c)
            let y = p.forward(Fixture.floats(c["x"]), batch: 2)
            XCTAssertLessThanOrEqual(maxAbsDiff(y, Fixture.floats(c["y"])), 1e-5, c["activation"]!.string!)
            var g = p.backward(Fixture.floats(c["r"]))
            if !c["layer_norm"]!.bool! {  // PyTorch's unused LayerNorm has zero gradients too
                for k in (g.count - 2 * c["target"]!.int!)..<g.count { g[k] = 0 }
            }
            let want = ["dw1", "db1", "dw2", "db2", "dgamma", "dbeta"].flatMap { Fixture.floats(c[$0]) }
            XCTAssertLessThanOrEqual(
                maxAbsDiff(g, want), 1e-4, "\(c["activation"]!.string!) layer norm \(c["layer_norm"]!.bool!)")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        for (act, ln) in [(Projector.Activation.leakyrelu, false), (.tanh, true)] {
            let p = Projector(n: 3, sourceDim: 4, targetDim: 5, hidden: 6, activation: act, layerNorm: ln, seed: 2)
            var rng = SplitMix64(seed: 9)
            let x = (0..<24).map { _ in rng.normal() }
            let r = (0..<30).map { _ in rng.normal() }
            func loss() -> Float { zip(p.forward(x, batch: 2), r).map { $0 * $1 }.reduce(0, +) }
            _ = loss()
            let g = p.backward(r)
            for k in stride(from: 0, to: p.params.count, by: 7) {
                let saved = p.params[k]
                let eps: Float = 1e-2
                p.params[k] = saved + eps
                let plus = loss()
                p.params[k] = saved - eps
                let minus = loss()
                p.params[k] = saved
                XCTAssertEqual(
                    g[k], (plus - minus) / (2 * eps), accuracy: 3e-3 * max(1, abs(g[k])), "\(act) param \(k)")
            }
        }
    }

    func testApplyRefusesAnotherShapeOrModel() throws {
        let dir = try Fixture.tempDir()
        let p = Projector(
            n: 2, sourceDim: 128, targetDim: 384, hidden: 8, activation: .leakyrelu, layerNorm: false, seed: 0)
        let path = dir.appendingPathComponent("proj.safetensors").path
        try SafetensorsWriter.write(
            p.tensors(),
            metadata: [
                "format": "prompt-transfer/projector", "prompt_length": "2", "source_hidden": "128",
                "target_hidden": "384", "hidden": "8", "activation": "leakyrelu", "layer_norm": "false",
                "source_model_id": "aaaa", "source_model": "splade-tiny", "target_model": "minilm",
                "target_model_id": "bbbb", "target_readout": "tied",
            ], to: path)
        let good = dir.appendingPathComponent("good.safetensors").path
        let other = dir.appendingPathComponent("other.safetensors").path
        let wide = dir.appendingPathComponent("wide.safetensors").path
        try PromptFile(prompt: Tensor(zeros: [2, 128]), metadata: ["model_id": "aaaa", "task": "sst2"], path: good)
            .write(to: good)
        try PromptFile(prompt: Tensor(zeros: [2, 128]), metadata: ["model_id": "cccc", "model": "x"], path: other)
            .write(to: other)
        try PromptFile(prompt: Tensor(zeros: [3, 128]), metadata: [:], path: wide).write(to: wide)
        let out = dir.appendingPathComponent("out").path
        let ok = try runTool("project", ["apply", "--projector", path, "--output-dir", out, good])
        XCTAssertEqual(ok.status, 0, ok.err)
        let projected = try PromptFile.read(out + "/good.safetensors")  // named after the prompt
        XCTAssertEqual(projected.prompt.shape, [2, 384])
        XCTAssertEqual(projected.metadata["model_id"], "bbbb")
        XCTAssertEqual(projected.metadata["source_prompt"], good)
        XCTAssertEqual(projected.prompt.array, p.forward([Float](repeating: 0, count: 256), batch: 1))
        let bad = try runTool("project", ["apply", "--projector", path, "--output-dir", out, other])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("the projector maps prompts of splade-tiny"), bad.err)
        let shape = try runTool("project", ["apply", "--projector", path, "--output-dir", out, wide])
        XCTAssertNotEqual(shape.status, 0)
        XCTAssertTrue(shape.err.contains("prompt of shape [3, 128]; the projector takes [2, 128]"), shape.err)
    }

    /// The vocabulary map recovers a known linear map from noisy tables, and reports its fit.
    func testVocabularyMapRecoversALinearMap() throws {
        let rows = 600
        let sourceDim = 6
        let targetDim = 4
        var rng = SplitMix64(seed: 7)
        func normal() -> Float { Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
        let weight = (0..<(targetDim * sourceDim)).map { _ in normal() }
        let bias = (0..<targetDim).map { _ in normal() }
        let source = Tensor(shape: [rows, sourceDim], values: (0..<(rows * sourceDim)).map { _ in normal() })
        let truth = VocabularyMap(sourceDim: sourceDim, targetDim: targetDim, weight: weight, bias: bias)
        let clean = (0..<rows).flatMap {
            truth.map(Array(UnsafeBufferPointer(start: source.row($0), count: sourceDim)))
        }
        let target = Tensor(shape: [rows, targetDim], values: clean.map { $0 + 0.001 * normal() })
        let pairs = (0..<rows).map { ($0, $0) }
        let (map, fit) = try VocabularyMap.fit(source: source, target: target, pairs: pairs, ridge: 0)
        XCTAssertLessThan(maxAbsDiff(map.weight, weight), 1e-3)
        XCTAssertLessThan(maxAbsDiff(map.bias, bias), 1e-3)
        XCTAssertEqual(fit.shared, rows)
        XCTAssertEqual(fit.heldOut, 30)
        XCTAssertLessThan(fit.heldOutRMSE, 0.001)
        XCTAssertGreaterThan(fit.meanBaselineRMSE, 0.05)
        // a prompt maps vector by vector
        let prompt = (0..<(3 * sourceDim)).map { Float($0) / 10 }
        XCTAssertEqual(
            map.mapPrompt(prompt, length: 3),
            (0..<3).flatMap {
                map.map(Array(prompt[($0 * sourceDim)..<(($0 + 1) * sourceDim)]))
            })
    }

    func testTheVocabularyObjectiveNeedsNoTaskDataAndMapsPromptsOfAnyLength() throws {
        let dir = try Fixture.tempDir()
        let splade = try Fixture.model("splade-tiny")
        let minilm = try Fixture.model("minilm")
        let path = dir.appendingPathComponent("vocab.safetensors").path
        let r = try runTool(
            "project",
            ["train", "--source-model", splade, "--target-model", minilm, "--objective", "vocab", "-o", path])
        XCTAssertEqual(r.status, 0, r.err)
        let done = try JSON.parse(String(r.out.split(separator: "\n").last!))
        XCTAssertGreaterThan(done["shared_tokens"]!.int!, 30_000, "both are BERT uncased WordPiece")
        XCTAssertLessThan(done["held_out_rmse"]!.double!, done["mean_baseline_rmse"]!.double!)
        let prompt = dir.appendingPathComponent("p.safetensors").path
        try PromptFile(
            prompt: Tensor(shape: [5, 128], values: (0..<640).map { Float($0 % 7) / 50 }),
            metadata: ["task": "sst2"], path: prompt
        ).write(to: prompt)
        let out = dir.appendingPathComponent("projected").path
        let applied = try runTool("project", ["apply", "--projector", path, "--output-dir", out, prompt])
        XCTAssertEqual(applied.status, 0, applied.err)
        let projected = try PromptFile.read(out + "/p.safetensors")  // named after the prompt file
        XCTAssertEqual(projected.prompt.shape, [5, 384])
        XCTAssertEqual(projected.metadata["projector_objective"], "vocab")
        let withTasks = try runTool(
            "project",
            ["train", "--source-model", splade, "--target-model", minilm, "--objective", "vocab", "--tasks", "sst2"])
        XCTAssertEqual(withTasks.status, 64)
        XCTAssertTrue(withTasks.err.contains("needs no task data"), withTasks.err)
    }

    /// `project train` runs on the training loop of tune-prompt: validation with the best kept,
    /// checkpoints, a stop and --resume to the byte-identical projector, and no silent overwrite.
    func testProjectorTrainingValidatesCheckpointsAndResumesLikeTuning() throws {
        let splade = try Fixture.model("splade-tiny")
        let minilm = try Fixture.model("minilm")
        let data = try Fixture.tinyTaskData().path
        let dir = try Fixture.tempDir()
        let source = dir.appendingPathComponent("sst2.splade.safetensors").path
        let baseline = try runTool(
            "tune-prompt",
            [
                "--model", splade, "--task", "sst2", "--data-dir", data, "--steps", "0", "--prompt-length", "4",
                "-o", source,
            ])
        XCTAssertEqual(baseline.status, 0, baseline.err)
        func train(_ output: String, _ extra: [String] = []) throws -> ToolResult {
            try runTool(
                "project",
                [
                    "train", "--source-model", splade, "--target-model", minilm, "--objective", "task", "--tasks",
                    "sst2", "--source-prompts", source, "--data-dir", data, "--steps", "40", "--eval-every", "8",
                    "--eval-limit", "16", "--batch-size", "4", "--max-text-tokens", "24", "--hidden", "16",
                    "--lr", "0.001", "-o", output,
                ] + extra)
        }
        let whole = dir.appendingPathComponent("whole.safetensors").path
        let run = try train(whole)
        XCTAssertEqual(run.status, 0, run.err)
        let events = try run.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertEqual(
            events.filter { $0["event"]?.string == "eval" }.map { $0["step"]!.int! }, [0, 8, 16, 24, 32, 40])
        let done = events.last!
        let file = try SafetensorsFile(path: whole)
        XCTAssertEqual(file.metadata["best_step"], String(done["best_step"]!.int!))
        XCTAssertEqual(file.metadata["eval_every"], "8")
        XCTAssertFalse(FileManager.default.fileExists(atPath: whole + ".ckpt"), "a finished run keeps no checkpoint")

        let again = try train(whole)
        XCTAssertEqual(again.status, 64, again.err)
        XCTAssertTrue(again.err.contains("exists; pass --force"), again.err)

        // stopped with SIGTERM once it has a checkpoint, then resumed: the same bytes
        let cut = dir.appendingPathComponent("cut.safetensors").path
        let stopped = Process()
        stopped.executableURL = Fixture.tool("project")
        stopped.arguments = [
            "train", "--source-model", splade, "--target-model", minilm, "--objective", "task", "--tasks", "sst2",
            "--source-prompts", source, "--data-dir", data, "--steps", "40", "--eval-every", "8", "--eval-limit", "16",
            "--batch-size", "4", "--max-text-tokens", "24", "--hidden", "16", "--lr", "0.001", "-o", cut,
            "--checkpoint-every", "2",
        ]
        let log = dir.appendingPathComponent("stopped.err")
        XCTAssertTrue(FileManager.default.createFile(atPath: log.path, contents: nil))
        stopped.standardOutput = FileHandle.nullDevice
        stopped.standardError = try FileHandle(forWritingTo: log)
        try stopped.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: cut + ".ckpt"), Date() < deadline { usleep(1000) }
        kill(stopped.processIdentifier, SIGTERM)
        stopped.waitUntilExit()
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(stopped.terminationReason, .exit, stderr)
        XCTAssertEqual(stopped.terminationStatus, 128 + SIGTERM, stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cut + ".partial"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cut))
        let resumed = try train(cut, ["--checkpoint-every", "2", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming from"), resumed.err)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: cut)), try Data(contentsOf: URL(fileURLWithPath: whole)))
    }
}
