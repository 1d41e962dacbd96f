// What tune-prompt and project train share around the training loop: the output and the
// checkpoint checked before any training, --resume, progress, a stop (SIGINT/SIGTERM) that
// leaves the checkpoint and the best result so far in OUTPUT.partial, and the checkpoint
// removed once a run is finished.
import Foundation
import Plumbing
import Tuning

public struct TrainingControl {
    /// Checkpoint file (default OUTPUT.ckpt).
    public var checkpoint: String? = nil
    /// Write the checkpoint every K steps (default: the validation interval, else 200).
    public var checkpointEvery: Int? = nil
    public var resume = false
    /// Keep the checkpoint after a finished run.
    public var keepCheckpoint = false
    /// Overwrite a finished output.
    public var force = false
    /// Stop after this many seconds of training.
    public var timeLimit: Double? = nil
    /// Log the loss every this many steps (nil: the loop's default).
    public var logEvery: Int? = nil
    public var progress = false

    public init() {}

    public func checkpointPath(for output: String) -> String { checkpoint ?? output + ".ckpt" }

    /// Before any training: a finished output is never overwritten unless asked (--force),
    /// --resume of a finished run says so, and an output that cannot be written is found now
    /// rather than after the run. `folderOutput`: the output may be a folder (a PEFT adapter).
    public func checkOutputs(_ output: String, folderOutput: Bool = false) throws {
        let checkpointPath = checkpointPath(for: output)
        let files = FileManager.default
        var isFolder: ObjCBool = false
        let outputExists = files.fileExists(atPath: output, isDirectory: &isFolder)
        let checkpointExists = files.fileExists(atPath: checkpointPath)
        if outputExists && isFolder.boolValue && !folderOutput {
            throw ToolError.usage("\(output) is a folder; give -o a file name")
        }
        if outputExists && !force {
            if resume && !checkpointExists {
                throw ToolError.usage(
                    "\(output) is a finished run (no checkpoint \(checkpointPath) to resume); "
                        + "pass --force to train it again")
            }
            if !resume {
                throw ToolError.usage("\(output) exists; pass --force to overwrite it, or --resume to continue its run")
            }
        }
        if checkpointExists && !resume && !force {
            throw ToolError.usage(
                "\(checkpointPath) holds an unfinished run; pass --resume to continue it, or --force to start over")
        }
        for path in [output, checkpointPath] {
            do {
                try AtomicFile.makeParentFolder(of: path)
            } catch let error as ToolError {
                throw ToolError.usage("cannot create the folder of \(path): \(error.description)")
            }
            let parent = (path as NSString).deletingLastPathComponent
            let folder = parent.isEmpty ? "." : parent
            guard access(folder, W_OK) == 0 else { throw ToolError.usage("cannot write to \(folder) (for \(path))") }
        }
    }

    /// Sets the loop's checkpointing, time limit and logging, and continues from the checkpoint
    /// under --resume.
    public func prepare(_ loop: TrainingLoop, output: String) throws {
        let checkpointPath = checkpointPath(for: output)
        loop.checkpointPath = checkpointPath
        let validationEvery = loop.settings.evalEvery > 0 ? loop.settings.evalEvery : nil
        loop.checkpointEvery = checkpointEvery ?? validationEvery ?? TrainingLoop.defaultCheckpointEvery
        loop.timeLimit = timeLimit
        if let logEvery { loop.logEvery = logEvery }
        guard resume else { return }
        if FileManager.default.fileExists(atPath: checkpointPath) {
            try loop.resume(from: checkpointPath)
            Log.info("resuming from \(checkpointPath) at step \(loop.step)")
        } else {
            Log.info("no checkpoint at \(checkpointPath): starting from step 0")
        }
    }

    /// Runs the loop with a progress line and stop signals, then has `write` put the result at
    /// the output path, or, when the run was stopped, at OUTPUT.partial (so that the output path
    /// only ever holds a finished run and make-style caching by file existence stays right);
    /// then throws the interruption. A finished run's checkpoint is removed (unless kept).
    public func run(
        _ loop: TrainingLoop, output: String, label: String, emit: (JSON) -> Void,
        write: (_ path: String, _ interrupted: Bool) throws -> Void
    ) throws {
        loop.progress = ProgressLine(
            label: label, total: loop.settings.steps, done: loop.step, enabled: progress || Log.stderrIsTerminal)
        let signals = StopSignals()
        loop.stopRequested = { signals.received != 0 }
        try loop.run(emit: emit)
        loop.progress?.finish()
        let partialPath = output + ".partial"
        try write(loop.interrupted ? partialPath : output, loop.interrupted)
        if loop.interrupted {
            let signal = signals.received
            throw ToolError(
                "interrupted (signal \(signal)) at step \(loop.step): best so far in \(partialPath), "
                    + "checkpoint \(checkpointPath(for: output)); continue with --resume",
                exitCode: 128 + signal)
        }
        try? FileManager.default.removeItem(atPath: partialPath)
        if !keepCheckpoint {
            try? FileManager.default.removeItem(atPath: checkpointPath(for: output))
        }
    }
}
