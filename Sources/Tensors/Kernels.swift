// Elementwise and row-wise layers of the encoder. Each forward sits beside its backward
// (added with prompt tuning); shapes are given as (rows N, columns C).

/// out (N,C) += bias (C) on every row.
@inline(__always) public func addBias(
    _ out: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int
) {
    Parallel.chunks(rows, minChunk: 16) { range in
        for r in range {
            let o = out + r * cols
            var c = 0
            while c + 16 <= cols {
                store(load(o + c) + load(bias + c), o + c)
                c += 16
            }
            while c < cols {
                o[c] += bias[c]
                c += 1
            }
        }
    }
}

/// dInp (N,IC) = dOut (N,OC) · weight (OC,IC): a linear layer's input gradient (the weights are
/// frozen, so there is no weight gradient); `accumulate` adds it to dInp (beta 1).
@inline(__always)
public func linearBackward(
    _ dInp: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    rows n: Int, inDim c: Int, outDim oc: Int, accumulate: Bool = false
) {
    BLAS.gemmNN(n, c, oc, dOut, lda: oc, weight, ldb: c, dInp, ldc: c, beta: accumulate ? 1 : 0)
}

/// out (N,OC) = inp (N,C) · weight(OC,C)ᵀ + bias(OC)
public func linearForward(
    _ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    rows n: Int, inDim c: Int, outDim oc: Int
) {
    // Seeding the output with the bias and accumulating (beta 1) saves OpenBLAS's own pass
    // that zeroes the output for beta 0, and a second pass to add the bias.
    guard let bias else {
        BLAS.gemmNT(n, oc, c, inp, lda: c, weight, ldb: c, out, ldc: oc)
        return
    }
    for r in 0..<n { (out + r * oc).update(from: bias, count: oc) }
    BLAS.gemmNT(n, oc, c, inp, lda: c, weight, ldb: c, out, ldc: oc, beta: 1)
}

/// out (N,C) = LayerNorm(inp (N,C)) · weight + bias; `out` may be `inp`.
public func layerNormForward(
    _ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
    rows n: Int, cols c: Int, eps: Float
) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range { layerNormRow(out + r * c, inp + r * c, weight, bias, c, eps) }
    }
}

@inline(__always) func layerNormRow(
    _ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: Int, _ eps: Float
) {
    let (mean, rstd) = rowStats(x, c, eps)
    var i = 0
    while i + 16 <= c {
        store((load(x + i) - mean) * rstd * load(w + i) + load(b + i), o + i)
        i += 16
    }
    while i < c {
        o[i] = (x[i] - mean) * rstd * w[i] + b[i]
        i += 1
    }
}

/// Mean and 1/√(variance + eps) of one row: the statistics both LayerNorm forwards share.
@inline(__always) func rowStats(_ x: UnsafePointer<Float>, _ c: Int, _ eps: Float) -> (mean: Float, rstd: Float) {
    let mean = rowSum(x, c) / Float(c)
    var acc = FloatLanes()
    var tail: Float = 0
    var i = 0
    while i + 16 <= c {
        let d = load(x + i) - mean
        acc += d * d
        i += 16
    }
    while i < c {
        let d = x[i] - mean
        tail += d * d
        i += 1
    }
    return (mean, 1 / (((acc.sum() + tail) / Float(c)) + eps).squareRoot())
}

@inline(__always) func rowSum(_ x: UnsafePointer<Float>, _ c: Int) -> Float {
    var acc = FloatLanes()
    var tail: Float = 0
    var i = 0
    while i + 16 <= c {
        acc += load(x + i)
        i += 16
    }
    while i < c {
        tail += x[i]
        i += 1
    }
    return acc.sum() + tail
}

/// out (N) = GELU(inp (N)), the exact form x·Φ(x) = 0.5·x·(1 + erf(x/√2)); `out` may be `inp`.
public func geluForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count n: Int) {
    Parallel.chunks(n / 16, minChunk: 256) { range in
        for v in range {
            let x = load(inp + v * 16)
            store(0.5 * x * (1 + lanesErf(x * 0.7071067811865476)), out + v * 16)
        }
    }
    for i in (n / 16 * 16)..<n { out[i] = 0.5 * inp[i] * (1 + scalarErf(inp[i] * 0.7071067811865476)) }
}

/// out (N) = a (N) + b (N); `out` may alias either.
public func residualForward(
    _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
    _ b: UnsafePointer<Float>, count n: Int
) {
    var i = 0
    while i + 16 <= n {
        store(load(a + i) + load(b + i), out + i)
        i += 16
    }
    while i < n {
        out[i] = a[i] + b[i]
        i += 1
    }
}

/// The largest of x[0..<count] (-∞ when empty), sixteen lanes at a time: exact, so the order does not matter.
@inline(__always) func rowMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = FloatLanes(repeating: -.infinity)
    var j = 0
    while j + 16 <= count {
        let v = load(x + j)
        lanes = lanes.replacing(with: v, where: v .> lanes)  // (the stdlib's pointwiseMax is not vectorised)
        j += 16
    }
    var mx = lanes.max()
    while j < count {
        mx = max(mx, x[j])
        j += 1
    }
    return mx
}

/// In place, row-wise softmax of x (N,C) over its first `valid` columns; the rest become 0
/// (padding keys: what an additive mask of -inf gives).
public func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows n: Int, cols c: Int, ld: Int, valid: Int) {
    for r in 0..<n {
        let p = x + r * ld
        let mx = rowMax(p, count: valid)
        var acc = FloatLanes()
        var tail: Float = 0
        var j = 0
        while j + 16 <= valid {
            let e = lanesExp(load(p + j) - mx)
            store(e, p + j)
            acc += e
            j += 16
        }
        while j < valid {
            let e = scalarExp(p[j] - mx)
            p[j] = e
            tail += e
            j += 1
        }
        let inv = 1 / (acc.sum() + tail)
        j = 0
        while j + 16 <= valid {
            store(load(p + j) * inv, p + j)
            j += 16
        }
        while j < valid {
            p[j] *= inv
            j += 1
        }
        for k in valid..<c { p[k] = 0 }
    }
}

// MARK: backward passes (input gradients only: the encoder's weights are frozen)

/// LayerNorm forward that keeps what its backward needs: out (N,C), xhat (N,C), rstd (N).
public func layerNormForwardSaving(
    _ out: UnsafeMutablePointer<Float>, _ xhat: UnsafeMutablePointer<Float>,
    _ rstd: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows n: Int, cols c: Int, eps: Float
) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range {
            let x = inp + r * c
            let xh = xhat + r * c
            let o = out + r * c
            let (mean, rs) = rowStats(x, c, eps)
            rstd[r] = rs
            var i = 0
            while i + 16 <= c {
                let h = (load(x + i) - mean) * rs
                store(h, xh + i)
                store(h * load(w + i) + load(b + i), o + i)
                i += 16
            }
            while i < c {
                let h = (x[i] - mean) * rs
                xh[i] = h
                o[i] = h * w[i] + b[i]
                i += 1
            }
        }
    }
}

/// dinp (N,C) = LayerNorm backward of dout (N,C), from xhat (N,C) and rstd (N); `dinp` may be `dout`.
public func layerNormBackward(
    _ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
    _ xhat: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>, rows n: Int, cols c: Int
) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range {
            let d = dout + r * c
            let xh = xhat + r * c
            let o = dinp + r * c
            var laneG = FloatLanes()
            var laneGX = FloatLanes()
            var i = 0
            while i + 16 <= c {
                let g = load(d + i) * load(w + i)
                laneG += g
                laneGX += g * load(xh + i)
                i += 16
            }
            var sumG = laneG.sum()
            var sumGX = laneGX.sum()
            while i < c {
                let g = d[i] * w[i]
                sumG += g
                sumGX += g * xh[i]
                i += 1
            }
            let mg = sumG / Float(c)
            let mgx = sumGX / Float(c)
            let rs = rstd[r]
            i = 0
            while i + 16 <= c {
                store(rs * (load(d + i) * load(w + i) - mg - load(xh + i) * mgx), o + i)
                i += 16
            }
            while i < c {
                o[i] = rs * (d[i] * w[i] - mg - xh[i] * mgx)
                i += 1
            }
        }
    }
}

/// dinp (N) = dout (N) · GELU'(pre (N)), GELU' = Φ(x) + x·φ(x); `dinp` may be `dout`.
public func geluBackward(
    _ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
    _ pre: UnsafePointer<Float>, count n: Int
) {
    let invSqrt2: Float = 0.7071067811865476
    let invSqrt2Pi: Float = 0.3989422804014327
    Parallel.chunks(n / 16, minChunk: 256) { range in
        for v in range {
            let x = load(pre + v * 16)
            let cdf = 0.5 * (1 + lanesErf(x * invSqrt2))
            let pdf = invSqrt2Pi * lanesExp(-0.5 * x * x)
            store(load(dout + v * 16) * (cdf + x * pdf), dinp + v * 16)
        }
    }
    for i in (n / 16 * 16)..<n {
        let x = pre[i]
        dinp[i] = dout[i] * (0.5 * (1 + scalarErf(x * invSqrt2)) + x * invSqrt2Pi * scalarExp(-0.5 * x * x))
    }
}

/// In place, dP (R,C) → dS = P ⊙ (dP − rowsum(dP ⊙ P)): softmax backward per row.
public func softmaxBackwardRows(_ dp: UnsafeMutablePointer<Float>, _ p: UnsafePointer<Float>, rows n: Int, cols c: Int)
{
    for r in 0..<n {
        let d = dp + r * c
        let pr = p + r * c
        var lanes = FloatLanes()
        var j = 0
        while j + 16 <= c {
            lanes += load(d + j) * load(pr + j)
            j += 16
        }
        var s = lanes.sum()
        while j < c {
            s += d[j] * pr[j]
            j += 1
        }
        j = 0
        while j + 16 <= c {
            store(load(pr + j) * (load(d + j) - s), d + j)
            j += 16
        }
        while j < c {
            d[j] = pr[j] * (d[j] - s)
            j += 1
        }
    }
}
