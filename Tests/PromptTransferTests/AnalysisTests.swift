import Analysis
import Foundation
import Plumbing
import TensorFiles
import Tensors
import Tuning
import XCTest

/// Indicators and reports: each metric on hand-computed cases, Spearman with ties, the
/// prompt readers on files written by NumPy / PyTorch / PEFT, and a pickle that must be refused.
final class AnalysisTests: XCTestCase {
    func testEmbeddingMetricsOnHandComputedCase() {
        let a = PromptGeometry(Tensor(shape: [2, 2], values: [1, 0, 0, 1]))
        let b = PromptGeometry(Tensor(shape: [2, 2], values: [1, 0, 1, 0]))
        let m = Dictionary(uniqueKeysWithValues: PromptGeometry.metrics(a, b))
        XCTAssertEqual(m["euclidean_concat"]!, 1 / (1 + 2.0.squareRoot()), accuracy: 1e-12)
        XCTAssertEqual(m["cosine_concat"]!, 0.5, accuracy: 1e-12)
        // token pairs: ‖a0−b·‖ = 0, 0; ‖a1−b·‖ = √2, √2 → mean √2/2; cosines 1, 1, 0, 0 → 0.5
        XCTAssertEqual(m["euclidean_token"]!, 1 / (1 + 2.0.squareRoot() / 2), accuracy: 1e-12)
        XCTAssertEqual(m["cosine_token"]!, 0.5, accuracy: 1e-12)
        let same = Dictionary(uniqueKeysWithValues: PromptGeometry.metrics(a, a))
        XCTAssertEqual(same["euclidean_concat"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(same["cosine_concat"]!, 1, accuracy: 1e-12)
    }

    func testSpearmanWithTiesAgainstHandComputation() {
        XCTAssertEqual(averageRanks([1, 2, 2, 3]), [1, 2.5, 2.5, 4])
        // ranks x = 1, 2.5, 2.5, 4; y = 1, 3, 2, 4 → Σdxdy 4.5, Σdx² 4.5, Σdy² 5
        XCTAssertEqual(spearman([1, 2, 2, 3], [1, 3, 2, 4])!, 4.5 / (4.5 * 5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(spearman([1, 2, 3], [3, 2, 1])!, -1, accuracy: 1e-12)
        XCTAssertNil(spearman([1, 1, 1], [1, 2, 3]))
    }

    func testActivationOverlap() {
        let a: [UInt8] = [1, 1, 0, 0, 1]
        let b: [UInt8] = [1, 0, 0, 1, 1]
        let o = activationOverlap(a, b, range: 0..<5)
        XCTAssertEqual(o.cosine, 2 / 3, accuracy: 1e-12)  // |A∩B| 2, |A| 3, |B| 3
        XCTAssertEqual(o.jaccard, 2 / 4, accuracy: 1e-12)  // |A∪B| 4
    }

    func testHeatmapPivotRelativeOrderAndSVG() throws {
        let dir = try Fixture.tempDir()
        let order = dir.appendingPathComponent("order.txt").path
        try "b\na\n".write(toFile: order, atomically: true, encoding: .utf8)
        let svg = dir.appendingPathComponent("h.svg").path
        let input = """
            {"source":"a","target":"a","accuracy":0.8}
            {"source":"b","target":"a","accuracy":0.4}
            {"source":"a","target":"b","accuracy":0.3}
            {"source":"b","target":"b","accuracy":0.6}
            {"source":"c","target":"a","accuracy":0.2}
            """
        let r = try runTool("heatmap-csv", ["--relative", "--order", order, "--svg", svg], stdin: input)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, ",b,a\nb,1.0000,0.5000\na,0.5000,1.0000\nc,,0.2500\n")
        let picture = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(picture.hasPrefix("<svg") && picture.contains(">0.250<") && picture.contains(">c<"))
        let s = try runTool(
            "heatmap-csv", ["--spearman", "sim,accuracy"],
            stdin: input + """

                {"source":"b","target":"a","sim":0.9}
                {"source":"c","target":"a","sim":0.1}
                """)
        XCTAssertEqual(s.status, 0, s.err)
        let lines = s.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(lines[0]["scope"]?.string, "all")
        XCTAssertEqual(lines[0]["n"]?.int, 2)
        XCTAssertEqual(lines[0]["spearman"]?.double, 1)
        XCTAssertEqual(lines[1]["scope"]?.string, "mean_per_target")
    }

    // MARK: readers

    var dir: URL { Fixture.dir.appendingPathComponent("prompts") }
    var expected: [Float] { (0..<12).map { Float($0) / 8 - 0.5 } }

    func testReadersOnFilesWrittenByNumpyTorchAndPEFT() throws {
        for name in [
            "v1_f4.npy", "v2_f4.npy", "v3_f4.npy", "v1_f8_fortran.npy", "v1_f2.npy", "tensor.pt", "transposed_view.pt",
            "dict.pt", "peft_adapter",
        ] {
            let p = try PromptReader.read(dir.appendingPathComponent(name).path)
            XCTAssertEqual(p.tensor.shape, [3, 4], name)
            XCTAssertEqual(p.tensor.array, expected, name)
        }
        XCTAssertEqual(try PromptReader.read(dir.appendingPathComponent("peft_adapter").path).name, "peft_adapter")
        XCTAssertEqual(try PromptReader.read(dir.appendingPathComponent("tensor.pt").path).name, "tensor")
    }

    func testBadPromptFilesAreClearErrors() throws {
        let cases = [
            ("truncated.npy", "data is 40 bytes"), ("int32.npy", "dtype '<i4' is not read"),
            ("three_d.npy", "a prompt is 2-D"),
        ]
        for (name, message) in cases {
            XCTAssertThrowsError(try PromptReader.read(dir.appendingPathComponent(name).path)) { e in
                XCTAssertTrue("\(e)".contains(name) && "\(e)".contains(message), "\(e)")
            }
        }
    }

    /// The pickle calls os.system if executed; the reader refuses it by name and runs nothing.
    func testMaliciousPickleIsRefused() throws {
        let marker = "/tmp/prompt-transfer-pwned"
        try? FileManager.default.removeItem(atPath: marker)
        XCTAssertThrowsError(try PromptReader.read(dir.appendingPathComponent("malicious.pt").path)) { e in
            XCTAssertTrue("\(e)".contains("global 'posix.system' is not one a saved tensor needs"), "\(e)")
        }
        let r = try runTool(
            "score-similarity",
            [dir.appendingPathComponent("malicious.pt").path, dir.appendingPathComponent("tensor.pt").path])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.err.contains("malicious.pt: pickle refused"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testScoreSimilarityOnReleasedPromptsAndShapeMismatch() throws {
        let ref = try Fixture.data("").deletingLastPathComponent().appendingPathComponent(
            "reference/prompt-transferability/task_prompt_emb")
        let tasks = [
            "IMDB", "SST2", "laptop", "restaurant", "movierationales", "tweetevalsentiment", "MNLI", "QNLI", "snli",
            "ethicsdeontology", "ethicsjustice", "QQP", "MRPC",
        ]
        let paths = tasks.map { ref.appendingPathComponent("\($0)PromptRoberta/task_prompt").path }
        let start = Date()
        let r = try runTool("score-similarity", [], stdin: paths.joined(separator: "\n") + "\n")
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(lines.count, 169)
        XCTAssertEqual(lines[1]["source"]?.string, "IMDBPromptRoberta")
        XCTAssertEqual(lines[1]["target"]?.string, "SST2PromptRoberta")
        // values checked against torch (cosine of the flattened IMDB and MNLI prompts: 0.10902492101938627)
        let imdbMnli = lines.first { $0["target"]?.string == "MNLIPromptRoberta" }!
        XCTAssertEqual(imdbMnli["cosine_concat"]!.double!, 0.10902492101938627, accuracy: 1e-9)
        XCTAssertEqual(imdbMnli["euclidean_token"]!.double!, 0.029593736331976414, accuracy: 1e-9)
        print("score-similarity, 13 released prompts, all 169 pairs: \(seconds) s (process included)")
        let t5 = ref.appendingPathComponent("SST2PromptT5Small/task_prompt").path
        let bad = try runTool("score-similarity", [paths[0], t5])
        XCTAssertEqual(bad.status, 65, bad.err)
        XCTAssertTrue(bad.err.contains("shape [100, 512] differs"), bad.err)
    }

    func testNeuronOverlapFromModelEqualsStoredMasks() throws {
        let model = try Fixture.model("splade-tiny")
        let p = dir.appendingPathComponent("tensor.pt").path  // 3 × 4 prompts do not fit hidden 128
        let wrong = try runTool("score-similarity", ["--model", model, p])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.err.contains("hidden size 4 cannot stimulate a model of hidden size 128"), wrong.err)
        let tmp = try Fixture.tempDir()
        var rng = SplitMix64(seed: 1)
        var files: [String] = []
        for k in 0..<3 {
            let path = tmp.appendingPathComponent("p\(k).safetensors").path
            try SafetensorsWriter.write(
                [("prompt", Tensor(shape: [5, 128], values: (0..<640).map { _ in rng.normal() }))], metadata: [:],
                to: path)
            files.append(path)
        }
        // bare tensors record no template: the paper's start-token stimulus, named
        let direct = try runTool("score-similarity", ["--model", model, "--layers", "0,1", "--layout", "bert"] + files)
        XCTAssertEqual(direct.status, 0, direct.err)
        let masks = tmp.appendingPathComponent("m.safetensors").path
        let embed = try runTool(
            "embed", ["--model", model, "--activations", "--layout", "bert", "--output", masks] + files)
        XCTAssertEqual(embed.status, 0, embed.err)
        let stored = try runTool("score-similarity", ["--activations", masks])
        XCTAssertEqual(stored.status, 0, stored.err)
        let d = direct.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        let s = stored.out.split(separator: "\n").map { try! JSON.parse(String($0)) }
        XCTAssertEqual(d.count, 9)
        for (x, y) in zip(d, s) {
            XCTAssertEqual(x["on_cosine"], y["on_cosine"])
            XCTAssertEqual(x["on_jaccard"], y["on_jaccard"])
            XCTAssertEqual(x["on_cosine_layer_1"], y["on_cosine_layer_1"])
        }
        XCTAssertEqual(d[0]["on_cosine"]?.double, 1)
        XCTAssertLessThan(d[1]["on_cosine"]!.double!, 1)
        XCTAssertEqual(d[0]["on"]?["read"]?.string, "auto")
        XCTAssertEqual(d[0]["on"]?["layout"]?.string, "start-token")
    }
}
