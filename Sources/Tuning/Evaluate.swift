// Accuracy of a prompt on an encoded set: the predictions behind every evaluation.
import Models
import Plumbing
import Tensors

/// Predictions of a prompt on a set of examples, in batches.
public func predict(
    _ set: EncodedSet, prompt: [Float], promptLength n: Int, reader: LabelReader, firstPosition: Int,
    batchSize: Int = 64, progress: ProgressLine? = nil
) throws -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(set.count)
    var start = 0
    while start < set.count {
        let idx = start..<min(start + batchSize, set.count)
        let logits = try reader.logits(
            set.input(Array(idx)[...], firstPosition: firstPosition), prompt: prompt, promptLength: n)
        let k = reader.words.count
        for i in 0..<idx.count {
            let row = logits[(i * k)..<(i * k + k)]
            guard let best = row.max(), best.isFinite, let column = row.firstIndex(of: best) else {
                throw ToolError(
                    "the model gave non-finite label logits (its weights "
                        + "or the prompt hold NaN or infinity)",
                    exitCode: 65)
            }
            out.append(column - i * k)
        }
        start = idx.upperBound
        progress?.advance(idx.count)
    }
    return out
}

public func accuracy(_ predictions: [Int], _ labels: [Int]) -> Double {
    guard !labels.isEmpty else { return 0 }
    return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
