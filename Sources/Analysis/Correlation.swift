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
