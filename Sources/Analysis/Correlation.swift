// Rank correlation of an indicator with transfer results.
import Foundation

/// Spearman's rank correlation, with average ranks for ties.
public func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    let rx = averageRanks(x)
    let ry = averageRanks(y)
    let mx = rx.reduce(0, +) / Double(rx.count)
    let my = ry.reduce(0, +) / Double(ry.count)
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in 0..<rx.count {
        sxy += (rx[i] - mx) * (ry[i] - my)
        sxx += (rx[i] - mx) * (rx[i] - mx)
        syy += (ry[i] - my) * (ry[i] - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// Ranks 1…n; tied values share the mean of the ranks they span.
public func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var ranks = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count, v[order[j + 1]] == v[order[i]] { j += 1 }
        let avg = Double(i + j + 2) / 2
        for k in i...j { ranks[order[k]] = avg }
        i = j + 1
    }
    return ranks
}

/// Kendall's tau-b (scipy.stats.kendalltau's default): (concordant − discordant) over
/// √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n − 1)/2 and n₁, n₂ the pairs tied in x, in y; nil when either
/// side is constant.
public func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    var concordant = 0
    var discordant = 0
    var tiedX = 0
    var tiedY = 0
    for i in 0..<x.count {
        for j in (i + 1)..<x.count {
            let dx = x[i] - x[j]
            let dy = y[i] - y[j]
            if dx == 0 { tiedX += 1 }
            if dy == 0 { tiedY += 1 }
            if dx == 0 || dy == 0 { continue }
            if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
        }
    }
    let pairs = x.count * (x.count - 1) / 2
    let denominator = (Double(pairs - tiedX) * Double(pairs - tiedY)).squareRoot()
    guard denominator > 0 else { return nil }
    return Double(concordant - discordant) / denominator
}
