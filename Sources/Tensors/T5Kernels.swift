// T5's row-wise and elementwise layers, each forward beside its backward: RMS layer norm (no
// mean, no bias), ReLU, and the tanh GELU (`gelu_new`) of the gated feed-forward. Shapes as in
// Kernels.swift: (rows N, columns C).
import Foundation

/// out (N,C) = inp · rstd · weight with rstd = 1/√(mean(inp²) + eps), kept per row (N);
/// `out` may be `inp`.
public func rmsNormForward(
    _ out: UnsafeMutablePointer<Float>, _ rstd: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, rows n: Int, cols c: Int, eps: Float
) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range {
            let x = inp + r * c
            let o = out + r * c
            var squares: Float = 0
            for i in 0..<c { squares += x[i] * x[i] }
            let rs = 1 / (squares / Float(c) + eps).squareRoot()
            rstd[r] = rs
            for i in 0..<c { o[i] = x[i] * rs * weight[i] }
        }
    }
}

/// dinp (N,C) (+)= RMS norm backward of dout (N,C), from the norm's input inp (N,C) and rstd (N):
/// dinp = rstd·(w⊙dout) − inp·rstd³·mean(w⊙dout⊙inp). With `accumulate` the result is added.
public func rmsNormBackward(
    _ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>,
    _ rstd: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, rows n: Int, cols c: Int,
    accumulate: Bool
) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range {
            let d = dout + r * c
            let x = inp + r * c
            let o = dinp + r * c
            let rs = rstd[r]
            var dot: Float = 0
            for i in 0..<c { dot += weight[i] * d[i] * x[i] }
            let k = rs * rs * rs * dot / Float(c)
            if accumulate {
                for i in 0..<c { o[i] += rs * weight[i] * d[i] - x[i] * k }
            } else {
                for i in 0..<c { o[i] = rs * weight[i] * d[i] - x[i] * k }
            }
        }
    }
}

/// out (N) = max(inp, 0); `out` may be `inp`.
public func reluForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count n: Int) {
    for i in 0..<n { out[i] = max(inp[i], 0) }
}

/// dinp (N) = dout where pre > 0, else 0; `dinp` may be `dout`.
public func reluBackward(
    _ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ pre: UnsafePointer<Float>, count n: Int
) {
    for i in 0..<n { dinp[i] = pre[i] > 0 ? dout[i] : 0 }
}

private let tanhGeluScale: Float = 0.7978845608028654  // √(2/π)
private let tanhGeluCubic: Float = 0.044715

/// out (N) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), transformers' `gelu_new`; `out` may be `inp`.
public func geluTanhForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count n: Int) {
    Parallel.chunks(n, minChunk: 4096) { range in
        for i in range {
            let x = inp[i]
            out[i] = 0.5 * x * (1 + tanh(tanhGeluScale * (x + tanhGeluCubic * x * x * x)))
        }
    }
}

/// dinp (N) = dout · gelu_new'(pre); `dinp` may be `dout`.
public func geluTanhBackward(
    _ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ pre: UnsafePointer<Float>, count n: Int
) {
    Parallel.chunks(n, minChunk: 4096) { range in
        for i in range {
            let x = pre[i]
            let t = tanh(tanhGeluScale * (x + tanhGeluCubic * x * x * x))
            let slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * tanhGeluScale * (1 + 3 * tanhGeluCubic * x * x)
            dinp[i] = dout[i] * slope
        }
    }
}
