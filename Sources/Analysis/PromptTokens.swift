// What a prompt's vectors are near in the model's vocabulary: per vector the k tokens of the
// word-embedding matrix with the highest cosine and the highest dot product, the vector's norm,
// and how far it moved from where tuning started.
import Foundation
import Tensors

public enum PromptTokens {
    /// A vocabulary token and its score against one prompt vector.
    public struct Neighbour: Equatable {
        public let id: Int
        public let score: Double
    }

    /// One prompt vector's view of the vocabulary.
    public struct Vector {
        public let index: Int
        public let norm: Double
        /// L2 distance from the initial vector, and that distance over the initial vector's norm.
        public let moved: Double?
        public let movedRelative: Double?
        public let nearestCosine: [Neighbour]
        public let nearestDot: [Neighbour]
    }

    /// The L2 norm of every vocabulary embedding (V): computed once for all the prompts inspected.
    public static func wordNorms(_ embeddings: Tensor) -> [Double] {
        (0..<embeddings.shape[0]).map { norm(embeddings.row($0), embeddings.shape[1]) }
    }

    /// `prompt` (n, C) against `embeddings` (V, C) with their `wordNorms`; `initial` (n·C) the
    /// starting values, if known.
    public static func inspect(
        prompt: Tensor, embeddings: Tensor, wordNorms: [Double], initial: [Float]?, k: Int
    ) -> [Vector] {
        let n = prompt.shape[0]
        let C = prompt.shape[1]
        let V = embeddings.shape[0]
        precondition(embeddings.shape[1] == C && (initial == nil || initial!.count == n * C))
        var dots = [Float](repeating: 0, count: n * V)  // (n, V) = prompt (n, C) · E (V, C)ᵀ
        dots.withUnsafeMutableBufferPointer { out in
            BLAS.gemmNT(n, V, C, prompt.data, lda: C, embeddings.data, ldb: C, out.baseAddress!, ldc: V)
        }
        return (0..<n).map { i in
            let p = prompt.row(i)
            let pNorm = norm(p, C)
            let row = dots[(i * V)..<((i + 1) * V)]
            let cosines = (0..<V).map { v in
                Double(row[row.startIndex + v]) / max(pNorm * wordNorms[v], Double.leastNormalMagnitude)
            }
            var moved: Double? = nil
            var movedRelative: Double? = nil
            if let initial {
                var sq: Double = 0
                var initialSq: Double = 0
                for c in 0..<C {
                    let start = Double(initial[i * C + c])
                    sq += (Double(p[c]) - start) * (Double(p[c]) - start)
                    initialSq += start * start
                }
                moved = sq.squareRoot()
                movedRelative = initialSq > 0 ? sq.squareRoot() / initialSq.squareRoot() : nil
            }
            return Vector(
                index: i, norm: pNorm, moved: moved, movedRelative: movedRelative,
                nearestCosine: top(cosines, k), nearestDot: top(row.map(Double.init), k))
        }
    }

    /// The k highest scores, highest first (ties: the lower id).
    static func top(_ scores: [Double], _ k: Int) -> [Neighbour] {
        var best: [Neighbour] = []
        for (id, score) in scores.enumerated() where best.count < k || score > best[best.count - 1].score {
            let at = best.firstIndex { score > $0.score } ?? best.count
            best.insert(Neighbour(id: id, score: score), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    static func norm(_ v: UnsafePointer<Float>, _ count: Int) -> Double {
        var sum: Double = 0
        for c in 0..<count { sum += Double(v[c]) * Double(v[c]) }
        return sum.squareRoot()
    }
}
