// The commands parsed in-process (no subprocess): option checks, old spellings, presets'
// precedence, and each command's help naming only its own defaults.
import ArgumentParser
import Foundation
import ToolOptions
import XCTest

final class ParsingTests: XCTestCase {
    /// The message a command prints for an error that `parse` throws.
    func refusal<C: ParsableCommand>(_ command: C.Type, _ args: [String]) -> String? {
        do {
            _ = try command.parse(args)
            return nil
        } catch {
            XCTAssertEqual(command.exitCode(for: error), ExitCode(64), "\(args): a usage error exits 64")
            return command.message(for: error)
        }
    }

    func testOptionChecksAreUsageErrors() {
        let cases: [(String, [String], String)] = [
            ("tune-prompt", ["--model", "m", "--steps", "2", "--epochs", "1"], "not both"),
            ("tune-prompt", ["--model", "m", "--prompt-length", "0"], "--prompt-length must be"),
            ("tune-prompt", ["--model", "m", "--constant-lr", "--linear-decay"], "give --constant-lr or"),
            ("tune-prompt", ["--model", "m", "--selection-size", "10", "--select-on-validation"], "--selection-size"),
            ("eval-prompt", ["--model", "m", "--task", "sst2", "--eval-limit", "0"], "--eval-limit must be"),
            ("eval-prompt", ["--model", "m", "--task", "sst2", "--limit", "5", "--eval-limit", "6"], "give one"),
            ("eval-prompt", ["--model", "m"], "give --task, or --examples FILE"),
            ("inspect-prompt", ["--model", "m", "--table", "--json"], "give --table or --json"),
            ("inspect-prompt", ["--model", "m", "--nearest", "0"], "--nearest must be"),
            ("tune-prompt", ["--model", "m", "--init", "zeros"], "--init must be random, vocab"),
        ]
        for (tool, args, expected) in cases {
            let message =
                tool == "tune-prompt"
                ? refusal(TunePrompt.self, args)
                : tool == "eval-prompt" ? refusal(EvalPrompt.self, args) : refusal(InspectPrompt.self, args)
            XCTAssertTrue(message?.contains(expected) ?? false, "\(tool) \(args): \(message ?? "accepted")")
        }
        XCTAssertNoThrow(try EvalPrompt.parse(["--model", "m", "--task", "sst2", "--limit", "5"]), "the old spelling")
        XCTAssertNoThrow(try TunePrompt.parse(["--model", "m", "--init", "from:x.safetensors"]), "--init parsed once")
        XCTAssertNoThrow(try PrepareData.parse(["--task", "sst2", "--split", "validation"]))
        XCTAssertNoThrow(try ProjectTrain.parse(["--source-model", "a", "--target-model", "b", "--objective", "vocab"]))
    }

    /// A tool's help shows its own defaults, not another tool's.
    func testEachTrainingToolsHelpShowsItsOwnDefaults() {
        let tune = TunePrompt.helpMessage()
        let train = ProjectTrain.helpMessage()
        XCTAssertTrue(tune.contains("default 0.01"), tune)
        XCTAssertFalse(tune.contains("project train"), "tune-prompt's help names project train's defaults")
        XCTAssertTrue(train.contains("default 0.0001"), train)
        XCTAssertFalse(train.contains("tune-prompt 0.01"), train)
        XCTAssertTrue(tune.contains("--preset"), tune)
    }
}
