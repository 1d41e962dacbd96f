import Foundation
import PipelineIO
import Tensors

/// Sequences whose input rows are token embeddings or soft-prompt vectors, each read at one
/// row (the `[MASK]`).
public struct PromptInput {
    public var batch = Batch()
    /// Per row: the prompt token whose vector replaces the word embedding, or -1.
    public var promptToken: [Int32] = []
    /// Per sequence: the row (within the sequence) the label is read at.
    public var readRow: [Int] = []

    public init() {}

    public mutating func append(ids: [Int32], typeIds: [Int32], promptToken: [Int32], readRow: Int, firstPosition: Int,
                                positionless: Range<Int> = 0..<0) {
        precondition(ids.count == promptToken.count && readRow >= 0 && readRow < ids.count)
        batch.append(ids: ids, typeIds: typeIds, firstPosition: firstPosition, positionless: positionless)
        self.promptToken += promptToken
        self.readRow.append(readRow)
    }
}

/// The query rows of a layer: every row (all layers but the last) or one row per sequence
/// (the last layer, whose output is only needed at the read row). Rows are compact: the
/// queries of sequence b are rows offsets[b]..<offsets[b+1].
struct QuerySet {
    var start: [Int]      // first query row within each sequence
    var offsets: [Int]    // compact offsets, one more than sequences
    let all: Bool
    var rows: Int { offsets.last! }
    func count(_ b: Int) -> Int { offsets[b + 1] - offsets[b] }
}

/// The encoder with a backward pass to its input rows, for soft prompt tuning: the forward
/// keeps the activations the backward needs (in one arena), the backward returns the loss
/// gradient of every prompt vector. Weights are frozen: no weight gradient is computed.
public final class PromptEncoder {
    public let encoder: Encoder
    var config: ModelConfig { encoder.config }
    let acts = Arena(), grads = Arena()
    var scratch: [Arena] = []

    // What one forward kept, for its backward.
    struct LayerActs {
        var q: QuerySet
        var xq: UnsafeMutablePointer<Float>        // query rows of the input (Nq,C) (= input when all)
        var qm, k, v: UnsafeMutablePointer<Float>  // (Nq,C), (N,C), (N,C)
        var probs: UnsafeMutablePointer<Float>     // per sequence and head (nq × len)
        var probOffsets: [Int]
        var xhat1, rstd1, ffnPre, xhat2, rstd2, out: UnsafeMutablePointer<Float>
    }
    var layers: [LayerActs] = []
    var input = PromptInput()
    var xhat0: UnsafeMutablePointer<Float>? = nil, rstd0: UnsafeMutablePointer<Float>? = nil

    public init(encoder: Encoder) { self.encoder = encoder }

    /// Hidden states at each sequence's read row, out (B,C), valid until the next call.
    public func forward(_ inp: PromptInput, prompt: UnsafePointer<Float>, promptLength n: Int) throws -> UnsafeMutablePointer<Float> {
        try encoder.check(inp.batch)
        if let bad = inp.promptToken.first(where: { $0 >= n }) { throw ToolError("prompt token \(bad) outside a prompt of \(n)") }
        input = inp
        let b = inp.batch, N = b.rows, C = config.hidden, I = config.intermediate, H = config.heads, L = config.layers
        let all = QuerySet(start: Array(repeating: 0, count: b.count), offsets: b.offsets, all: true)
        let last = QuerySet(start: inp.readRow, offsets: Array(0...b.count), all: false)
        let probAll = (0..<b.count).reduce(0) { $0 + b.length($1) * b.length($1) } * H
        let probLast = (0..<b.count).reduce(0) { $0 + b.length($1) } * H
        let perLayer = 3 * N * C + 4 * N * C + 2 * N + N * I + 64 * 12
        acts.reserve(2 * N * C + N + L * perLayer + probAll * max(L - 1, 0) + probLast + 3 * N * C + N * I + 64 * 16)
        acts.reset()
        let scratchAttn = acts.take(N * C), scratchTmp = acts.take(N * C), scratchAct = acts.take(N * I)
        let x0 = acts.take(N * C)
        xhat0 = acts.take(N * C); rstd0 = acts.take(N)
        embeddingsForward(x0, prompt: prompt)
        layers.removeAll(keepingCapacity: true)
        var x = x0
        for (l, w) in encoder.weights.layers.enumerated() {
            let q = l == L - 1 ? last : all
            let a = layerForward(x, w, q, attn: scratchAttn, tmp: scratchTmp, act: scratchAct)
            layers.append(a)
            x = a.out
        }
        return x
    }

    // out (N,C) = LayerNorm(embedding or prompt vector + position + type), saving for backward
    func embeddingsForward(_ out: UnsafeMutablePointer<Float>, prompt: UnsafePointer<Float>) {
        let C = config.hidden, w = encoder.weights, b = input.batch
        let e = acts.take(b.rows * C)
        encoder.embeddingSums(e, b, prompt: (input.promptToken, prompt))
        layerNormForwardSaving(out, xhat0!, rstd0!, e, w.embedNorm.weight.data, w.embedNorm.bias.data,
                               rows: b.rows, cols: C, eps: config.layerNormEps)
    }

    // x (N,C) → out (Nq,C) at the query rows: post-LN attention block, then feed-forward block.
    func layerForward(_ x: UnsafeMutablePointer<Float>, _ w: LayerWeights, _ q: QuerySet,
                      attn: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>, act: UnsafeMutablePointer<Float>) -> LayerActs {
        let b = input.batch, N = b.rows, C = config.hidden, I = config.intermediate, H = config.heads
        let nq = q.rows, eps = config.layerNormEps
        var xq = x
        if !q.all {
            xq = acts.take(nq * C)
            for s in 0..<b.count { (xq + s * C).update(from: x + (b.offsets[s] + q.start[s]) * C, count: C) }
        }
        var probOffsets = [0]
        for s in 0..<b.count { probOffsets.append(probOffsets.last! + H * q.count(s) * b.length(s)) }
        let a = LayerActs(q: q, xq: xq, qm: acts.take(nq * C), k: acts.take(N * C), v: acts.take(N * C),
                          probs: acts.take(probOffsets.last!), probOffsets: probOffsets,
                          xhat1: acts.take(nq * C), rstd1: acts.take(nq), ffnPre: acts.take(nq * I),
                          xhat2: acts.take(nq * C), rstd2: acts.take(nq), out: acts.take(nq * C))
        encoder.linear(a.qm, xq, w.query, nq, C, C)
        encoder.linear(a.k, x, w.key, N, C, C)
        encoder.linear(a.v, x, w.value, N, C, C)
        attentionForward(attn, a)
        encoder.linear(tmp, attn, w.attnOut, nq, C, C)
        residualForward(tmp, tmp, xq, count: nq * C)
        let h = attn   // the attention output is no longer needed: reuse its rows for h
        layerNormForwardSaving(h, a.xhat1, a.rstd1, tmp, w.attnNorm.weight.data, w.attnNorm.bias.data, rows: nq, cols: C, eps: eps)
        encoder.linear(a.ffnPre, h, w.ffnIn, nq, C, I)
        geluForward(act, a.ffnPre, count: nq * I)
        encoder.linear(tmp, act, w.ffnOut, nq, I, C)
        residualForward(tmp, tmp, h, count: nq * C)
        layerNormForwardSaving(a.out, a.xhat2, a.rstd2, tmp, w.ffnNorm.weight.data, w.ffnNorm.bias.data, rows: nq, cols: C, eps: eps)
        return a
    }

    // attn (Nq,C) = per sequence and head: softmax(q kᵀ/√D) v, keeping the probabilities
    func attentionForward(_ attn: UnsafeMutablePointer<Float>, _ a: LayerActs) {
        let b = input.batch, C = config.hidden, H = config.heads, D = config.headDim
        let scale = 1 / Float(D).squareRoot()
        Parallel.chunks(b.count * H, serialProducts: true) { range in
            for job in range {
                let s = job / H, h = job % H, len = b.length(s), nq = a.q.count(s)
                let p = a.probs + a.probOffsets[s] + h * nq * len
                let qrow = a.qm + a.q.offsets[s] * C + h * D, krow = a.k + b.offsets[s] * C + h * D
                BLAS.gemmNT(nq, len, D, qrow, lda: C, krow, ldb: C, p, ldc: len, alpha: scale)
                encoder.weights.relativeBias?.add(p, head: h, firstQuery: a.q.start[s], rows: nq, keys: len, ld: len)
                softmaxRows(p, rows: nq, cols: len, ld: len, valid: len)
                BLAS.gemmNN(nq, D, len, p, lda: len, a.v + b.offsets[s] * C + h * D, ldb: C,
                            attn + a.q.offsets[s] * C + h * D, ldc: C)
            }
        }
    }

    /// Gradient of the loss with respect to every prompt vector, dPrompt (n,C) (overwritten),
    /// from the gradient at the read rows dOut (B,C).
    public func backward(_ dOut: UnsafePointer<Float>, dPrompt: UnsafeMutablePointer<Float>, promptLength n: Int) {
        let b = input.batch, N = b.rows, C = config.hidden, I = config.intermediate
        grads.reserve(8 * N * C + N * I + 64 * 16)
        grads.reset()
        var dy = grads.take(N * C)
        dy.update(from: dOut, count: b.count * C)
        let dx = grads.take(N * C), dh = grads.take(N * C), dattn = grads.take(N * C)
        let dq = grads.take(N * C), dk = grads.take(N * C), dv = grads.take(N * C), dact = grads.take(N * I)
        var dxCur = dx
        for (l, w) in encoder.weights.layers.enumerated().reversed() {
            layerBackward(dxCur, dy, w, layers[l], dh: dh, dattn: dattn, dq: dq, dk: dk, dv: dv, dact: dact)
            swap(&dy, &dxCur)   // this layer's input gradient is the previous layer's output gradient
        }
        // dy now holds d(embedding LayerNorm output) (N,C)
        let wE = encoder.weights.embedNorm.weight.data
        layerNormBackward(dy, dy, xhat0!, rstd0!, wE, rows: N, cols: C)
        dPrompt.update(repeating: 0, count: n * C)
        for r in 0..<N where input.promptToken[r] >= 0 {
            let d = dPrompt + Int(input.promptToken[r]) * C, g = dy + r * C
            for c in 0..<C { d[c] += g[c] }
        }
    }

    // dx (N,C) = layer backward of dOut (Nq,C) at the query rows
    func layerBackward(_ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ w: LayerWeights, _ a: LayerActs,
                       dh: UnsafeMutablePointer<Float>, dattn: UnsafeMutablePointer<Float>, dq: UnsafeMutablePointer<Float>,
                       dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>, dact: UnsafeMutablePointer<Float>) {
        let b = input.batch, N = b.rows, C = config.hidden, I = config.intermediate, nq = a.q.rows
        // feed-forward block: out = LN2(h + W2·gelu(W1·h + b1) + b2)
        layerNormBackward(dh, dOut, a.xhat2, a.rstd2, w.ffnNorm.weight.data, rows: nq, cols: C)     // dh = d(residual sum)
        BLAS.gemmNN(nq, I, C, dh, lda: C, w.ffnOut.weight.data, ldb: I, dact, ldc: I)
        geluBackward(dact, dact, a.ffnPre, count: nq * I)
        BLAS.gemmNN(nq, C, I, dact, lda: I, w.ffnIn.weight.data, ldb: C, dh, ldc: C, beta: 1)      // + residual
        // attention block: h = LN1(x + Wo·attn + bo)
        layerNormBackward(dh, dh, a.xhat1, a.rstd1, w.attnNorm.weight.data, rows: nq, cols: C)      // dh = d(x + attn out)
        BLAS.gemmNN(nq, C, C, dh, lda: C, w.attnOut.weight.data, ldb: C, dattn, ldc: C)
        attentionBackward(dattn, a, dq: dq, dk: dk, dv: dv)
        BLAS.gemmNN(N, C, C, dk, lda: C, w.key.weight.data, ldb: C, dx, ldc: C)
        BLAS.gemmNN(N, C, C, dv, lda: C, w.value.weight.data, ldb: C, dx, ldc: C, beta: 1)
        if a.q.all {
            BLAS.gemmNN(N, C, C, dq, lda: C, w.query.weight.data, ldb: C, dx, ldc: C, beta: 1)
            residualForward(dx, dx, dh, count: N * C)
        } else {
            BLAS.gemmNN(nq, C, C, dq, lda: C, w.query.weight.data, ldb: C, dh, ldc: C, beta: 1)   // dh += dq·Wq
            for s in 0..<b.count {
                let row = dx + (b.offsets[s] + a.q.start[s]) * C
                residualForward(row, row, dh + s * C, count: C)
            }
        }
    }

    // dq (Nq,C), dk (N,C), dv (N,C) from dattn (Nq,C), per sequence and head
    func attentionBackward(_ dattn: UnsafePointer<Float>, _ a: LayerActs, dq: UnsafeMutablePointer<Float>,
                           dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>) {
        let b = input.batch, C = config.hidden, H = config.heads, D = config.headDim
        let scale = 1 / Float(D).squareRoot(), maxLen = b.maxLength
        while scratch.count < Parallel.workers { scratch.append(Arena()) }
        for s in scratch { s.reserve(maxLen * maxLen + 16); s.reset() }
        let dps = scratch.map { $0.take(maxLen * maxLen) }
        Parallel.split(b.count * H, serialProducts: true) { worker, range in
            let dp = dps[worker]
            for job in range {
                let s = job / H, h = job % H, len = b.length(s), nq = a.q.count(s)
                let p = a.probs + a.probOffsets[s] + h * nq * len
                let dO = dattn + a.q.offsets[s] * C + h * D
                let qrow = a.qm + a.q.offsets[s] * C + h * D
                let krow = a.k + b.offsets[s] * C + h * D, vrow = a.v + b.offsets[s] * C + h * D
                BLAS.gemmNT(nq, len, D, dO, lda: C, vrow, ldb: C, dp, ldc: len)                          // dP = dO Vᵀ
                BLAS.gemmTN(len, D, nq, p, lda: len, dO, ldb: C, dv + b.offsets[s] * C + h * D, ldc: C)  // dV = Pᵀ dO
                softmaxBackwardRows(dp, p, rows: nq, cols: len)                                          // dS
                BLAS.gemmNN(nq, D, len, dp, lda: len, krow, ldb: C, dq + a.q.offsets[s] * C + h * D, ldc: C, alpha: scale)
                BLAS.gemmTN(len, D, nq, dp, lda: len, qrow, ldb: C, dk + b.offsets[s] * C + h * D, ldc: C, alpha: scale)
            }
        }
    }
}
