// The statistics the results tables report: mean ± sd, seeded percentile-bootstrap intervals
// (accuracy, Spearman, a mean), a permutation p-value for Spearman, and paired tests (exact
// McNemar, paired bootstrap) for "A beats B" on the same examples.
import Foundation
import Plumbing

/// A 95 % interval (or another level) with the point estimate it surrounds.
public struct Interval: Equatable {
    public var estimate: Double
    public var low: Double
    public var high: Double

    public init(estimate: Double, low: Double, high: Double) {
        self.estimate = estimate
        self.low = low
        self.high = high
    }

    public var json: JSON { .array([.number(low), .number(high)]) }
}

public enum Statistics {
    public static let defaultResamples = 2000

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public static func meanSD(_ v: [Double]) -> (mean: Double, sd: Double) {
        guard !v.isEmpty else { return (.nan, .nan) }
        let mean = v.reduce(0, +) / Double(v.count)
        guard v.count > 1 else { return (mean, 0) }
        let ss = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(v.count - 1)).squareRoot())
    }

    /// The q-quantile (0…1) of sorted values, linearly interpolated (numpy's default).
    public static func quantile(sorted v: [Double], _ q: Double) -> Double {
        precondition(!v.isEmpty)
        let h = q * Double(v.count - 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, v.count - 1)
        return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
    }

    /// Percentile bootstrap: `statistic` of `resamples` seeded resamples (with replacement) of
    /// the indices 0..<n; nil results (e.g. a constant resample's correlation) are dropped.
    public static func bootstrap(
        n: Int, estimate: Double, level: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64 = 0,
        _ statistic: ([Int]) -> Double?
    ) -> Interval? {
        guard n > 0 else { return nil }
        var rng = SplitMix64(seed: seed ^ 0xB007_5742)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: n)
        for _ in 0..<resamples {
            for i in 0..<n { indices[i] = Int(rng.next() % UInt64(n)) }
            if let v = statistic(indices), v.isFinite { values.append(v) }
        }
        guard values.count >= resamples / 2 else { return nil }
        values.sort()
        let alpha = (1 - level) / 2
        return Interval(
            estimate: estimate, low: quantile(sorted: values, alpha), high: quantile(sorted: values, 1 - alpha))
    }

    /// An accuracy and its bootstrap interval from per-example correctness.
    public static func accuracy(_ correct: [Bool], seed: UInt64 = 0) -> Interval? {
        guard !correct.isEmpty else { return nil }
        let hits = correct.map { $0 ? 1.0 : 0.0 }
        let estimate = hits.reduce(0, +) / Double(hits.count)
        return bootstrap(n: hits.count, estimate: estimate, seed: seed) { idx in
            idx.reduce(0) { $0 + hits[$1] } / Double(idx.count)
        }
    }

    /// A mean and its bootstrap interval (e.g. the mean of per-target correlations).
    public static func mean(_ v: [Double], seed: UInt64 = 0) -> Interval? {
        guard !v.isEmpty else { return nil }
        return bootstrap(n: v.count, estimate: meanSD(v).mean, seed: seed) { idx in
            idx.reduce(0) { $0 + v[$1] } / Double(idx.count)
        }
    }

    /// Spearman's rho with a bootstrap interval over the pairs.
    public static func spearmanInterval(_ x: [Double], _ y: [Double], seed: UInt64 = 0) -> Interval? {
        guard let rho = spearman(x, y) else { return nil }
        return bootstrap(n: x.count, estimate: rho, seed: seed) { idx in
            spearman(idx.map { x[$0] }, idx.map { y[$0] })
        }
    }

    /// Two-sided permutation p-value of Spearman's rho: (1 + #{|rho_perm| ≥ |rho|}) / (1 + N).
    public static func spearmanPermutationP(
        _ x: [Double], _ y: [Double], permutations: Int = defaultResamples, seed: UInt64 = 0
    ) -> Double? {
        guard let rho = spearman(x, y) else { return nil }
        var rng = SplitMix64(seed: seed ^ 0x9E12_3A7E)
        var shuffled = y
        var extreme = 0
        for _ in 0..<permutations {
            shuffled.seededShuffle(&rng)
            if let r = spearman(x, shuffled), abs(r) >= abs(rho) - 1e-12 { extreme += 1 }
        }
        return Double(1 + extreme) / Double(1 + permutations)
    }

    /// Exact two-sided McNemar test on paired correctness: b = A right and B wrong, c = the
    /// reverse; p = min(1, 2 · P(X ≤ min(b, c))) for X ~ Binomial(b + c, 1/2).
    public static func mcnemar(_ a: [Bool], _ b: [Bool]) -> (onlyA: Int, onlyB: Int, p: Double) {
        precondition(a.count == b.count, "paired results must have the same examples")
        var onlyA = 0
        var onlyB = 0
        for i in a.indices where a[i] != b[i] {
            if a[i] { onlyA += 1 } else { onlyB += 1 }
        }
        let n = onlyA + onlyB
        guard n > 0 else { return (0, 0, 1) }
        let k = min(onlyA, onlyB)
        // log-space binomial CDF at k with p = 1/2
        var logTerm = -Double(n) * log(2.0)  // C(n, 0) / 2^n
        var cdf = exp(logTerm)
        if k > 0 {
            for i in 1...k {
                logTerm += log(Double(n - i + 1)) - log(Double(i))
                cdf += exp(logTerm)
            }
        }
        return (onlyA, onlyB, min(1, 2 * cdf))
    }

    /// Paired bootstrap interval of accuracy(A) − accuracy(B) on the same examples.
    public static func pairedDifference(_ a: [Bool], _ b: [Bool], seed: UInt64 = 0) -> Interval? {
        precondition(a.count == b.count, "paired results must have the same examples")
        guard !a.isEmpty else { return nil }
        let d = a.indices.map { (a[$0] ? 1.0 : 0.0) - (b[$0] ? 1.0 : 0.0) }
        return bootstrap(n: d.count, estimate: d.reduce(0, +) / Double(d.count), seed: seed) { idx in
            idx.reduce(0) { $0 + d[$1] } / Double(idx.count)
        }
    }

    /// mean(a) − mean(b) of two independent groups: a percentile bootstrap interval (each group
    /// resampled within itself) and the two-sided permutation p of the group labels,
    /// (1 + #{|difference_perm| ≥ |difference|}) / (1 + N).
    public static func meanDifference(
        _ a: [Double], _ b: [Double], resamples: Int = defaultResamples, seed: UInt64 = 0
    ) -> (difference: Interval, p: Double)? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let observed = meanSD(a).mean - meanSD(b).mean
        var rng = SplitMix64(seed: seed ^ 0xD1FF_3A4B)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sumA = 0.0
            var sumB = 0.0
            for _ in a.indices { sumA += a[Int(rng.next() % UInt64(a.count))] }
            for _ in b.indices { sumB += b[Int(rng.next() % UInt64(b.count))] }
            values.append(sumA / Double(a.count) - sumB / Double(b.count))
        }
        values.sort()
        let interval = Interval(
            estimate: observed, low: quantile(sorted: values, 0.025), high: quantile(sorted: values, 0.975))
        var pooled = a + b
        let total = pooled.reduce(0, +)
        var extreme = 0
        for _ in 0..<resamples {
            pooled.seededShuffle(&rng)
            let sumA = pooled[..<a.count].reduce(0, +)
            let d = sumA / Double(a.count) - (total - sumA) / Double(b.count)
            if abs(d) >= abs(observed) - 1e-12 { extreme += 1 }
        }
        return (interval, Double(1 + extreme) / Double(1 + resamples))
    }
}
