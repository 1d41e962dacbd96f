import Foundation

/// AdamW (decoupled weight decay) over one flat parameter, the prompt.
public struct AdamW {
    public var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0
    public var m: [Float], v: [Float]
    public var t = 0

    public init(count: Int, weightDecay: Float = 0) {
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
        self.weightDecay = weightDecay
    }

    public mutating func step(_ p: inout [Float], _ g: [Float], lr: Float) {
        t += 1
        let c1 = 1 - pow(beta1, Float(t))
        let c2 = 1 - pow(beta2, Float(t))
        for i in 0..<p.count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            p[i] -= lr * ((m[i] / c1) / ((v[i] / c2).squareRoot() + eps) + weightDecay * p[i])
        }
    }
}

/// Linear warm-up to the peak rate, then linear decay to 0 at the last step (or constant).
public struct Schedule {
    public var peak: Float, warmup: Int, total: Int, decay = true
    public init(peak: Float, warmup: Int, total: Int, decay: Bool = true) {
        self.peak = peak
        self.warmup = warmup
        self.total = total
        self.decay = decay
    }
    public func rate(_ step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup) }
        guard decay else { return peak }
        return peak * max(0, Float(total - step) / Float(max(1, total - warmup)))
    }
}
