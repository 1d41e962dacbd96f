// Transferability estimators that read target data (the literature's, beside the paper's
// prompt-only indicators): LEEP on a source's label distributions, LogME, H-score and its
// shrinkage-regularised form on the features at the read row. Each is checked against a numpy
// (or scikit-learn) reference (TransferabilityTests).
import Foundation
import Tensors

public enum Transferability {
    /// LEEP (Nguyen et al. 2020): θ (n × Z) each example's distribution over the source's own
    /// classes, `labels` the target's (0..<K). The mean log-likelihood of the target labels under
    /// the empirical predictor P(y | x) = Σ_z P̂(y | z) θ_z(x).
    public static func leep(probabilities θ: [Double], sourceClasses Z: Int, labels: [Int], targetClasses K: Int)
        -> Double
    {
        let n = labels.count
        precondition(θ.count == n * Z && n > 0)
        var joint = [Double](repeating: 0, count: K * Z)  // P̂(y, z)
        for i in 0..<n {
            for z in 0..<Z { joint[labels[i] * Z + z] += θ[i * Z + z] / Double(n) }
        }
        var marginal = [Double](repeating: 0, count: Z)  // P̂(z)
        for y in 0..<K {
            for z in 0..<Z { marginal[z] += joint[y * Z + z] }
        }
        var total = 0.0
        for i in 0..<n {
            var p = 0.0
            for z in 0..<Z where marginal[z] > 0 { p += joint[labels[i] * Z + z] / marginal[z] * θ[i * Z + z] }
            total += Foundation.log(p)
        }
        return total / Double(n)
    }

    /// LogME (You et al. 2021), the fixed-point version of thuml/LogME: for each class the maximum
    /// evidence of a Bayesian linear model of its one-hot column on the features f (n × D), divided
    /// by n, averaged over the classes.
    public static func logme(features f: [Double], n: Int, d: Int, labels: [Int], classes K: Int) -> Double? {
        precondition(f.count == n * d && labels.count == n)
        // the left singular vectors u (n × k) and squared singular values σ² of f, from the
        // eigen-decomposition of the smaller Gram matrix
        var u: [[Double]] = []
        var sigma: [Double] = []
        if n <= d {
            var gram = [Double](repeating: 0, count: n * n)  // f fᵀ
            BLAS.dgemmNT(n, n, d, f, lda: d, f, ldb: d, &gram, ldc: n)
            guard let (values, vectors) = BLAS.symmetricEigen(gram, n: n) else { return nil }
            for j in (0..<n).reversed() {
                sigma.append(max(values[j], 0))
                u.append(Array(vectors[(j * n)..<((j + 1) * n)]))
            }
        } else {
            var gram = [Double](repeating: 0, count: d * d)  // fᵀ f
            BLAS.dgemmTN(d, d, n, f, lda: d, f, ldb: d, &gram, ldc: d)
            guard let (values, vectors) = BLAS.symmetricEigen(gram, n: d) else { return nil }
            for j in (0..<d).reversed() {
                let s = max(values[j], 0).squareRoot()
                guard s > 1e-10 else { continue }  // the rank of f, as truncated_svd counts it
                let v = vectors[(j * d)..<((j + 1) * d)]
                u.append((0..<n).map { i in (0..<d).reduce(0.0) { $0 + f[i * d + $1] * v[v.startIndex + $1] } / s })
                sigma.append(s * s)
            }
        }
        var evidences: [Double] = []
        for k in 0..<K {
            let y = labels.map { $0 == k ? 1.0 : 0.0 }
            let x = u.map { column in zip(column, y).reduce(0.0) { $0 + $1.0 * $1.1 } }
            let x2 = x.map { $0 * $0 }
            let residual = y.reduce(0, +) - x2.reduce(0, +)  // the part of y outside f's column space
            var alpha = 1.0
            var beta = 1.0
            var m2 = 0.0
            var res2 = 0.0
            for _ in 0..<11 {
                let t = alpha / beta
                let gamma = sigma.reduce(0.0) { $0 + $1 / ($1 + t) }
                m2 = zip(sigma, x2).reduce(0.0) { $0 + $1.0 * $1.1 / (($1.0 + t) * ($1.0 + t)) }
                res2 = zip(sigma, x2).reduce(0.0) { $0 + $1.1 / ((1 + $1.0 / t) * (1 + $1.0 / t)) } + residual
                alpha = gamma / (m2 + 1e-5)
                beta = (Double(n) - gamma) / (res2 + 1e-5)
                if abs(alpha / beta - t) / t <= 1e-3 { break }
            }
            let logDet = sigma.reduce(0.0) { $0 + Foundation.log(alpha + beta * $1) }
            let evidence =
                Double(d) / 2 * Foundation.log(alpha) + Double(n) / 2 * Foundation.log(beta) - 0.5 * logDet
                - beta / 2 * res2 - alpha / 2 * m2 - Double(n) / 2 * Foundation.log(2 * Double.pi)
            evidences.append(evidence / Double(n))
        }
        return evidences.reduce(0, +) / Double(K)
    }

    /// H-score (Bao et al. 2019): tr(cov(f)⁺ cov(E[f | y])), the pseudo-inverse cut at 1e-15 of the
    /// largest eigenvalue as numpy's pinv. Needs more examples than feature dimensions: with
    /// n ≤ D, cov(f) has rank n − 1 and the score is K − 1 whatever the features (nil then).
    public static func hscore(features f: [Double], n: Int, d: Int, labels: [Int]) -> Double? {
        guard n > d else { return nil }
        let covF = covariance(f, n: n, d: d, divisor: n - 1)
        let covG = covariance(classMeans(f, n: n, d: d, labels: labels), n: n, d: d, divisor: n - 1)
        return tracePseudoInverseProduct(covF, covG, d: d)
    }

    /// The regularised H-score (Ibrahim et al. 2022, as tllib's `regularized_h_score`):
    /// tr(cov_α(f)⁻¹ (1 − α) cov(E[f | y])), where cov_α = (1 − α) S + α μ I is the Ledoit–Wolf
    /// shrinkage of the feature covariance S (divisor n, μ = tr S / D, α as scikit-learn's
    /// `ledoit_wolf_shrinkage`). The shrinkage keeps cov_α full rank, so it is defined with fewer
    /// examples than dimensions too; nil with fewer than 2 examples or features that never vary.
    public static func regularizedHScore(features f: [Double], n: Int, d: Int, labels: [Int]) -> Double? {
        guard n >= 2, d >= 1 else { return nil }
        let centred = centre(f, n: n, d: d)
        let s = gram(centred, n: n, d: d, divisor: n)
        // α: β̂ / δ̂ of Ledoit & Wolf (2004) in scikit-learn's form; β̂ uses the centred squares
        var diagonal = [Double](repeating: 0, count: d)  // diag S
        var squaredRowNorms = 0.0  // Σ_i (Σ_j x_ij²)² = the sum of (X²)ᵀ X²'s entries
        for i in 0..<n {
            var rowNorm = 0.0
            for j in 0..<d {
                let square = centred[i * d + j] * centred[i * d + j]
                diagonal[j] += square / Double(n)
                rowNorm += square
            }
            squaredRowNorms += rowNorm * rowNorm
        }
        let mu = diagonal.reduce(0, +) / Double(d)
        let meanSquare = f.reduce(0) { $0 + $1 * $1 } / Double(n * d)
        guard mu > 1e-12 * meanSquare else { return nil }  // features that never vary (up to rounding)
        let frobenius = s.reduce(0) { $0 + $1 * $1 }  // Σ (XᵀX / n)², sklearn's δ_ / n²
        let delta = (frobenius - 2 * mu * diagonal.reduce(0, +) + Double(d) * mu * mu) / Double(d)
        guard delta > 0 else { return nil }
        let beta = min((squaredRowNorms / Double(n) - frobenius) / (Double(d) * Double(n)), delta)
        let alpha = d == 1 || beta == 0 ? 0 : beta / delta
        var shrunk = s.map { (1 - alpha) * $0 }
        for j in 0..<d { shrunk[j * d + j] += alpha * mu }
        let covG = covariance(classMeans(f, n: n, d: d, labels: labels), n: n, d: d, divisor: n - 1)
        return tracePseudoInverseProduct(shrunk, covG, d: d).map { (1 - alpha) * $0 }
    }

    /// x (n × d) minus its column means.
    private static func centre(_ x: [Double], n: Int, d: Int) -> [Double] {
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { mean[j] += x[i * d + j] / Double(n) }
        }
        var centred = x
        for i in 0..<n {
            for j in 0..<d { centred[i * d + j] -= mean[j] }
        }
        return centred
    }

    /// The d × d covariance of x's rows: (x − mean)ᵀ (x − mean) / divisor.
    private static func covariance(_ x: [Double], n: Int, d: Int, divisor: Int) -> [Double] {
        gram(centre(x, n: n, d: d), n: n, d: d, divisor: divisor)
    }

    /// cᵀ c / divisor for centred rows c (n × d).
    private static func gram(_ centred: [Double], n: Int, d: Int, divisor: Int) -> [Double] {
        var cov = [Double](repeating: 0, count: d * d)
        BLAS.dgemmTN(d, d, n, centred, lda: d, centred, ldb: d, &cov, ldc: d)
        return cov.map { $0 / Double(divisor) }
    }

    /// Each example's row replaced by the mean of its class's rows (g = E[f | y]).
    private static func classMeans(_ f: [Double], n: Int, d: Int, labels: [Int]) -> [Double] {
        var sums: [Int: [Double]] = [:]
        var counts: [Int: Int] = [:]
        for i in 0..<n {
            sums[labels[i], default: [Double](repeating: 0, count: d)].withUnsafeMutableBufferPointer { s in
                for j in 0..<d { s[j] += f[i * d + j] }
            }
            counts[labels[i], default: 0] += 1
        }
        var g = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            let c = Double(counts[labels[i]]!)
            for j in 0..<d { g[i * d + j] = sums[labels[i]]![j] / c }
        }
        return g
    }

    /// tr(a⁺ b) for symmetric a, b (d × d): Σ_j v_jᵀ b v_j / λ_j over a's eigenpairs, the
    /// pseudo-inverse cut at 1e-15 of the largest |λ| as numpy's pinv.
    private static func tracePseudoInverseProduct(_ a: [Double], _ b: [Double], d: Int) -> Double? {
        guard let (values, vectors) = BLAS.symmetricEigen(a, n: d) else { return nil }
        var projected = [Double](repeating: 0, count: d * d)  // row j: v_jᵀ b (b symmetric)
        BLAS.dgemmNT(d, d, d, vectors, lda: d, b, ldb: d, &projected, ldc: d)
        let cutoff = 1e-15 * (values.map(abs).max() ?? 0)
        var trace = 0.0
        for j in 0..<d where abs(values[j]) > cutoff {
            var quadratic = 0.0  // v_jᵀ b v_j
            for a in 0..<d { quadratic += projected[j * d + a] * vectors[j * d + a] }
            trace += quadratic / values[j]
        }
        return trace
    }
}
