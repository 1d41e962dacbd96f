// Elementwise and row-wise layers of the encoder. Each forward sits beside its backward
// (added with prompt tuning); shapes are given as (rows N, columns C).

/// out (N,C) += bias (C) on every row.
@inline(__always) public func addBias(_ out: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
    Parallel.chunks(rows, minChunk: 16) { range in
        for r in range {
            let o = out + r * cols
            var c = 0
            while c + 16 <= cols { store(load(o + c) + load(bias + c), o + c); c += 16 }
            while c < cols { o[c] += bias[c]; c += 1 }
        }
    }
}

/// out (N,OC) = inp (N,C) · weight(OC,C)ᵀ + bias(OC)
public func linearForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                          _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                          rows n: Int, inDim c: Int, outDim oc: Int) {
    // Seeding the output with the bias and accumulating (beta 1) saves OpenBLAS's own pass
    // that zeroes the output for beta 0, and a second pass to add the bias.
    guard let bias else { BLAS.gemmNT(n, oc, c, inp, lda: c, weight, ldb: c, out, ldc: oc); return }
    for r in 0..<n { (out + r * oc).update(from: bias, count: oc) }
    BLAS.gemmNT(n, oc, c, inp, lda: c, weight, ldb: c, out, ldc: oc, beta: 1)
}

/// out (N,C) = LayerNorm(inp (N,C)) · weight + bias; `out` may be `inp`.
public func layerNormForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                             _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                             rows n: Int, cols c: Int, eps: Float) {
    Parallel.chunks(n, minChunk: 8) { range in
        for r in range { layerNormRow(out + r * c, inp + r * c, weight, bias, c, eps) }
    }
}

@inline(__always) func layerNormRow(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                    _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: Int, _ eps: Float) {
    let mean = rowSum(x, c) / Float(c)
    var acc = F16x(), tail: Float = 0, i = 0
    while i + 16 <= c { let d = load(x + i) - mean; acc += d * d; i += 16 }
    while i < c { let d = x[i] - mean; tail += d * d; i += 1 }
    let rstd = 1 / (((acc.sum() + tail) / Float(c)) + eps).squareRoot()
    i = 0
    while i + 16 <= c { store((load(x + i) - mean) * rstd * load(w + i) + load(b + i), o + i); i += 16 }
    while i < c { o[i] = (x[i] - mean) * rstd * w[i] + b[i]; i += 1 }
}

@inline(__always) func rowSum(_ x: UnsafePointer<Float>, _ c: Int) -> Float {
    var acc = F16x(), tail: Float = 0, i = 0
    while i + 16 <= c { acc += load(x + i); i += 16 }
    while i < c { tail += x[i]; i += 1 }
    return acc.sum() + tail
}

/// out (N) = GELU(inp (N)), the exact form x·Φ(x) = 0.5·x·(1 + erf(x/√2)); `out` may be `inp`.
public func geluForward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count n: Int) {
    Parallel.chunks(n / 16, minChunk: 256) { range in
        for v in range {
            let x = load(inp + v * 16)
            store(0.5 * x * (1 + verf(x * 0.7071067811865476)), out + v * 16)
        }
    }
    for i in (n / 16 * 16)..<n { out[i] = 0.5 * inp[i] * (1 + serf(inp[i] * 0.7071067811865476)) }
}

/// out (N) = a (N) + b (N); `out` may alias either.
public func residualForward(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                            _ b: UnsafePointer<Float>, count n: Int) {
    var i = 0
    while i + 16 <= n { store(load(a + i) + load(b + i), out + i); i += 16 }
    while i < n { out[i] = a[i] + b[i]; i += 1 }
}

/// In place, row-wise softmax of x (N,C) over its first `valid` columns; the rest become 0
/// (padding keys: what an additive mask of -inf gives).
public func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows n: Int, cols c: Int, ld: Int, valid: Int) {
    for r in 0..<n {
        let p = x + r * ld
        var mx = -Float.infinity
        for j in 0..<valid { mx = max(mx, p[j]) }
        var acc = F16x(), tail: Float = 0, j = 0
        while j + 16 <= valid { let e = vexp(load(p + j) - mx); store(e, p + j); acc += e; j += 16 }
        while j < valid { let e = sexp(p[j] - mx); p[j] = e; tail += e; j += 1 }
        let inv = 1 / (acc.sum() + tail)
        j = 0
        while j + 16 <= valid { store(load(p + j) * inv, p + j); j += 16 }
        while j < valid { p[j] *= inv; j += 1 }
        for k in valid..<c { p[k] = 0 }
    }
}
