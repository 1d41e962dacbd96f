// A tuning log read back (tune-prompt's JSON events): its first start event and its validation
// curve, and the step at which a curve first reaches an accuracy — what "converges faster from a
// transferred prompt" is measured with (compare-runs, cross-model-results --init).
import Foundation
import Plumbing

public struct TuningCurve {
    public var path: String
    /// The first "start" event (a resumed run appends another: the first names the run).
    public var start: JSON?
    /// (step, selection accuracy), one per step (the first evaluation of a step), by step.
    public var evals: [(step: Int, accuracy: Double)]

    public static func read(_ path: String) throws -> TuningCurve {
        var start: JSON? = nil
        var evals: [(step: Int, accuracy: Double)] = []
        var steps: Set<Int> = []
        var reader = JSONLinesReader(paths: [path])
        while let r = try reader.next() {
            switch r.value["event"]?.string {
            case "start": if start == nil { start = r.value }
            case "eval":
                guard let step = r.value["step"]?.int, let accuracy = r.value["accuracy"]?.double else {
                    throw r.fail("an eval event needs step and accuracy")
                }
                if steps.insert(step).inserted { evals.append((step, accuracy)) }
            default: break
            }
        }
        return TuningCurve(path: path, start: start, evals: evals.sorted { $0.step < $1.step })
    }

    public var best: Double? { evals.map(\.accuracy).max() }
    public var atStepZero: Double? { evals.first { $0.step == 0 }?.accuracy }
    public var settings: JSON? { start?["settings"] }

    /// The first evaluated step whose accuracy is at least `accuracy` (nil: never).
    public func firstStep(reaching accuracy: Double?) -> Int? {
        guard let accuracy else { return nil }
        return evals.first { $0.accuracy >= accuracy }?.step
    }
}
