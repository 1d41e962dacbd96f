// How well an estimator's ranking of source prompts predicts the transfer measured afterwards
// (the transferability benchmark): Spearman and Kendall's tau-b with relative transfer, pooled
// over (source, target) pairs and as the mean of per-target values; Regret@k (points of relative
// transfer lost against the best source in hindsight when starting from the best of the top k);
// the top-1 hit rate. Ties in an estimator's scores are broken at random, as expectations (exact),
// so an estimator that gives many sources one score is not credited with a lucky input order.
// Two estimators are compared paired, target by target.
import Foundation

public enum RankingQuality {
    /// One target: each candidate source's measured relative transfer and its estimator score.
    public struct Target {
        public var name: String
        public var sources: [String]
        public var transfer: [Double]
        public var scores: [Double]

        public init(name: String, sources: [String], transfer: [Double], scores: [Double]) {
            precondition(sources.count == transfer.count && transfer.count == scores.count)
            self.name = name
            self.sources = sources
            self.transfer = transfer
            self.scores = scores
        }
    }

    /// The measures of one estimator over its targets, each with a 95 % bootstrap interval
    /// (pooled correlations: over pairs; per-target means: over targets).
    public struct Measures {
        public var targets = 0
        public var pairs = 0
        public var spearmanPooled: Interval? = nil
        public var kendallPooled: Interval? = nil
        public var spearmanPerTarget: Interval? = nil
        public var kendallPerTarget: Interval? = nil
        /// Points (× 100) of relative transfer.
        public var regretAt1: Interval? = nil
        public var regretAt3: Interval? = nil
        public var top1: Interval? = nil
    }

    /// E[max of the transfer over the top k by score], ties in score broken uniformly at random.
    public static func expectedBestOfTop(_ k: Int, transfer: [Double], scores: [Double]) -> Double {
        let n = transfer.count
        precondition(n > 0 && k > 0)
        let k = min(k, n)
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let boundary = scores[order[k - 1]]
        let above = order.filter { scores[$0] > boundary }
        let group = order.filter { scores[$0] == boundary }.map { transfer[$0] }.sorted(by: >)
        let floor = above.map { transfer[$0] }.max() ?? -.infinity
        return expectedMaxOfRandomSubset(group, size: k - above.count, atLeast: floor)
    }

    /// E[max(atLeast, max of a uniform random `size`-subset of `valuesDescending`)]: the subset's
    /// maximum is the j-th largest with probability C(g − 1 − j, size − 1) / C(g, size) (j from 0).
    static func expectedMaxOfRandomSubset(_ valuesDescending: [Double], size m: Int, atLeast: Double) -> Double {
        let g = valuesDescending.count
        guard m > 0 else { return atLeast }
        let total = logChoose(g, m)
        var expectation = 0.0
        for j in 0..<g where g - 1 - j >= m - 1 {
            let p = Foundation.exp(logChoose(g - 1 - j, m - 1) - total)
            expectation += p * max(atLeast, valuesDescending[j])
        }
        return expectation
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// Regret@k of one target in points: 100 × (best transfer − E[best of the top k]).
    public static func regret(_ k: Int, _ t: Target) -> Double {
        100 * (t.transfer.max()! - expectedBestOfTop(k, transfer: t.transfer, scores: t.scores))
    }

    /// P(the top-1 by score is a best source in hindsight), ties in score at random.
    public static func topOneHit(_ t: Target) -> Double {
        let best = t.transfer.max()!
        let top = t.scores.max()!
        let group = t.scores.indices.filter { t.scores[$0] == top }
        return Double(group.filter { t.transfer[$0] == best }.count) / Double(group.count)
    }

    /// Two estimators compared on the targets both rank: the mean of the per-target differences
    /// a − b of each per-target measure, with a bootstrap interval over those targets (paired:
    /// a target's resample carries both estimators' values).
    public struct Difference {
        public var targets = 0
        public var spearmanPerTarget: Interval? = nil
        /// Points (× 100) of relative transfer: negative when a loses less than b.
        public var regretAt1: Interval? = nil
        public var regretAt3: Interval? = nil
        public var top1: Interval? = nil
    }

    public static func difference(_ a: [Target], _ b: [Target], seed: UInt64 = 0) -> Difference {
        let bByName = Dictionary(b.map { ($0.name, $0) }) { first, _ in first }
        let pairs = a.filter { !$0.transfer.isEmpty }.compactMap { t in
            bByName[t.name].flatMap { $0.transfer.isEmpty ? nil : (t, $0) }
        }
        var d = Difference()
        d.targets = pairs.count
        guard !pairs.isEmpty else { return d }
        d.spearmanPerTarget = Statistics.mean(
            pairs.compactMap { x, y in
                guard let p = spearman(x.scores, x.transfer), let q = spearman(y.scores, y.transfer) else { return nil }
                return p - q
            }, seed: seed)
        d.regretAt1 = Statistics.mean(pairs.map { regret(1, $0) - regret(1, $1) }, seed: seed)
        d.regretAt3 = Statistics.mean(pairs.map { regret(3, $0) - regret(3, $1) }, seed: seed)
        d.top1 = Statistics.mean(pairs.map { topOneHit($0) - topOneHit($1) }, seed: seed)
        return d
    }

    /// A random ranking's expectations: Regret@1, Regret@3 and the top-1 hit rate (all scores tied).
    public static func random(_ t: Target) -> Target {
        Target(name: t.name, sources: t.sources, transfer: t.transfer, scores: t.transfer.map { _ in 0 })
    }

    public static func measure(_ targets: [Target], seed: UInt64 = 0) -> Measures {
        let usable = targets.filter { !$0.transfer.isEmpty }
        var m = Measures()
        m.targets = usable.count
        guard !usable.isEmpty else { return m }
        let x = usable.flatMap(\.scores)
        let y = usable.flatMap(\.transfer)
        m.pairs = x.count
        if let rho = spearman(x, y) {
            m.spearmanPooled = Statistics.bootstrap(n: x.count, estimate: rho, seed: seed) { idx in
                spearman(idx.map { x[$0] }, idx.map { y[$0] })
            }
        }
        if let tau = kendallTauB(x, y) {
            m.kendallPooled = Statistics.bootstrap(n: x.count, estimate: tau, seed: seed) { idx in
                kendallTauB(idx.map { x[$0] }, idx.map { y[$0] })
            }
        }
        m.spearmanPerTarget = Statistics.mean(usable.compactMap { spearman($0.scores, $0.transfer) }, seed: seed)
        m.kendallPerTarget = Statistics.mean(usable.compactMap { kendallTauB($0.scores, $0.transfer) }, seed: seed)
        m.regretAt1 = Statistics.mean(usable.map { regret(1, $0) }, seed: seed)
        m.regretAt3 = Statistics.mean(usable.map { regret(3, $0) }, seed: seed)
        m.top1 = Statistics.mean(usable.map(topOneHit), seed: seed)
        return m
    }
}
