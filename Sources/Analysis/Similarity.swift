import Foundation
import Plumbing
import Tensors

/// Embedding similarity of two prompts of the same shape [n, d]:
/// - `euclidean_concat` = 1 / (1 + ‖a − b‖) on the flattened prompts,
/// - `euclidean_token`  = 1 / (1 + mean over token pairs (i, j) of ‖a_i − b_j‖),
/// - `cosine_concat`    = cosine of the flattened prompts,
/// - `cosine_token`     = mean over token pairs (i, j) of cos(a_i, b_j).
/// Token-pair metrics take one n×n product of the two prompts (in double precision).
public struct PromptGeometry {
    public let n: Int, d: Int
    let values: [Double]  // (n, d)
    let unit: [Double]  // rows scaled to unit length
    let sqNorms: [Double]  // per row
    let flatNorm: Double

    public init(_ t: Tensor) {
        n = t.shape[0]
        d = t.shape[1]
        values = t.array.map(Double.init)
        var sq = [Double](repeating: 0, count: n)
        for i in 0..<n { for k in 0..<d { sq[i] += values[i * d + k] * values[i * d + k] } }
        sqNorms = sq
        flatNorm = sq.reduce(0, +).squareRoot()
        var u = values
        for i in 0..<n {
            let s = max(sq[i].squareRoot(), 1e-30)
            for k in 0..<d { u[i * d + k] /= s }
        }
        unit = u
    }

    public static func metrics(_ a: PromptGeometry, _ b: PromptGeometry) -> [(String, Double)] {
        let n = a.n
        let m = b.n
        let d = a.d
        var dot = 0.0
        var dist2 = 0.0
        for k in 0..<(n * d) {
            dot += a.values[k] * b.values[k]
            let e = a.values[k] - b.values[k]
            dist2 += e * e
        }
        var g = [Double](repeating: 0, count: n * m)
        var gu = g
        BLAS.dgemmNT(n, m, d, a.values, lda: d, b.values, ldb: d, &g, ldc: m)
        BLAS.dgemmNT(n, m, d, a.unit, lda: d, b.unit, ldb: d, &gu, ldc: m)
        var meanDist = 0.0
        var meanCos = 0.0
        for i in 0..<n {
            for j in 0..<m {
                meanDist += max(a.sqNorms[i] + b.sqNorms[j] - 2 * g[i * m + j], 0).squareRoot()
                meanCos += gu[i * m + j]
            }
        }
        meanDist /= Double(n * m)
        meanCos /= Double(n * m)
        return [
            ("euclidean_concat", 1 / (1 + dist2.squareRoot())), ("euclidean_token", 1 / (1 + meanDist)),
            // a cosine is in [-1, 1]: the clamp removes rounding beyond it (1.0000000000000133, a prompt with itself)
            ("cosine_concat", min(max(dot / max(a.flatNorm * b.flatNorm, 1e-30), -1), 1)),
            ("cosine_token", min(max(meanCos, -1), 1)),
        ]
    }
}

/// Overlap of two binary activation masks (the FFN neurons a prompt switches on):
/// `on_cosine` = |A∩B| / √(|A|·|B|) (the paper's), `on_jaccard` = |A∩B| / |A∪B|.
public func activationOverlap(_ a: [UInt8], _ b: [UInt8], range: Range<Int>) -> (cosine: Double, jaccard: Double) {
    var both = 0
    var na = 0
    var nb = 0
    for k in range {
        let x = a[k] != 0
        let y = b[k] != 0
        if x { na += 1 }
        if y { nb += 1 }
        if x && y { both += 1 }
    }
    let union = na + nb - both
    return (
        na > 0 && nb > 0 ? Double(both) / (Double(na) * Double(nb)).squareRoot() : 0,
        union > 0 ? Double(both) / Double(union) : 0
    )
}
