import Foundation
import PipelineIO
import Tensors

/// A BERT-family encoder (BERT, RoBERTa, MPNet) from a Hugging Face model folder: frozen weights,
/// a forward pass over a packed `Batch`, and the MLM head when the checkpoint has one.
public final class Encoder {
    public let config: ModelConfig
    public let weights: EncoderWeights
    public let folder: String
    let file: SafetensorsFile
    let arena = Arena()
    var scratch: [Arena] = []   // one per worker, for attention scores

    public init(folder: String) throws {
        self.folder = folder
        config = try ModelConfig.load(folder + "/config.json")
        let path = folder + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ToolError("\(folder): no model.safetensors (only safetensors checkpoints are read; a pickle is never executed)")
        }
        file = try SafetensorsFile(path: path)
        weights = try EncoderWeights(CheckpointNames(file: file, family: config.family), config)
    }

    public var hasHead: Bool { weights.head != nil }

    /// Final hidden states, out (N,C) for the batch's N rows; valid until the next call.
    /// With `prompt`, rows whose `tokens` entry is k ≥ 0 take prompt vector k instead of their
    /// word embedding; `onFFN(layer, act (N,I))` sees each layer's FFN activations after GELU.
    public func forward(_ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)? = nil,
                        onFFN: ((Int, UnsafePointer<Float>) -> Void)? = nil) throws -> UnsafeMutablePointer<Float> {
        try check(batch)
        let n = batch.rows, C = config.hidden, I = config.intermediate
        arena.reserve(8 * n * C + n * I + 64 * 16)
        arena.reset()
        let x = arena.take(n * C), q = arena.take(n * C), k = arena.take(n * C), v = arena.take(n * C)
        let att = arena.take(n * C), tmp = arena.take(n * C), ffn = arena.take(n * I)
        embeddingSums(x, batch, prompt: prompt)
        layerNormForward(x, x, weights.embedNorm.weight.data, weights.embedNorm.bias.data, rows: n, cols: C, eps: config.layerNormEps)
        for (i, l) in weights.layers.enumerated() {
            layerForward(x, l, batch, q: q, k: k, v: v, att: att, tmp: tmp, ffn: ffn, onFFN: onFFN.map { f in { f(i, $0) } })
        }
        return x
    }

    func check(_ batch: Batch) throws {
        for b in 0..<batch.count where batch.length(b) > config.maxSequence {
            throw ToolError("sequence \(b) has \(batch.length(b)) tokens; the model takes at most \(config.maxSequence)")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ToolError("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        if let bad = batch.typeIds.first(where: { $0 < 0 || Int($0) >= config.typeVocab }) {
            throw ToolError("token type \(bad) is outside the model's \(config.typeVocab) types")
        }
    }

    /// out (N,C) = wte[ids] (or prompt vector k where tokens[r] = k ≥ 0) + wpe[positions] + wtt[types],
    /// before the embeddings' LayerNorm (which the caller runs, saving what it needs or not).
    func embeddingSums(_ out: UnsafeMutablePointer<Float>, _ batch: Batch,
                       prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)? = nil) {
        let C = config.hidden, w = weights
        for r in 0..<batch.rows {
            let o = out + r * C, k = prompt.map { Int($0.tokens[r]) } ?? -1
            let a = k >= 0 ? prompt!.vectors + k * C : UnsafePointer(w.words.row(Int(batch.ids[r])))
            let t = w.types.row(Int(batch.typeIds[r]))
            if batch.positions[r] < 0 {   // a positionless row (the paper's prompt rows)
                for c in 0..<C { o[c] = a[c] + t[c] }
            } else {
                let p = w.positions.row(Int(batch.positions[r]))
                for c in 0..<C { o[c] = a[c] + p[c] + t[c] }
            }
        }
    }

    // x (N,C) → x (N,C): post-LN attention block, then post-LN feed-forward block.
    func layerForward(_ x: UnsafeMutablePointer<Float>, _ l: LayerWeights, _ batch: Batch,
                      q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                      att: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>, ffn: UnsafeMutablePointer<Float>,
                      onFFN: ((UnsafePointer<Float>) -> Void)? = nil) {
        let n = batch.rows, C = config.hidden, I = config.intermediate, eps = config.layerNormEps
        linear(q, x, l.query, n, C, C)
        linear(k, x, l.key, n, C, C)
        linear(v, x, l.value, n, C, C)
        attentionForward(att, q, k, v, batch)
        linear(tmp, att, l.attnOut, n, C, C)
        residualForward(tmp, tmp, x, count: n * C)
        layerNormForward(x, tmp, l.attnNorm.weight.data, l.attnNorm.bias.data, rows: n, cols: C, eps: eps)
        linear(ffn, x, l.ffnIn, n, C, I)
        geluForward(ffn, ffn, count: n * I)
        onFFN?(ffn)
        linear(tmp, ffn, l.ffnOut, n, I, C)
        residualForward(tmp, tmp, x, count: n * C)
        layerNormForward(x, tmp, l.ffnNorm.weight.data, l.ffnNorm.bias.data, rows: n, cols: C, eps: eps)
    }

    // out (N,OC) = inp (N,IC) · W(OC,IC)ᵀ + b
    func linear(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ w: LinearWeights, _ n: Int, _ ic: Int, _ oc: Int) {
        linearForward(out, inp, w.weight.data, w.bias.data, rows: n, inDim: ic, outDim: oc)
    }

    // att (N,C) = per sequence and head: softmax(q kᵀ / √D) v, with q, k, v (N,C)
    func attentionForward(_ att: UnsafeMutablePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                          _ v: UnsafePointer<Float>, _ batch: Batch) {
        let C = config.hidden, H = config.heads, D = config.headDim, L = batch.maxLength
        let scale = 1 / Float(D).squareRoot()
        while scratch.count < Parallel.workers { scratch.append(Arena()) }
        for s in scratch { s.reserve(L * L + 16); s.reset() }
        let scores = scratch.map { $0.take(L * L) }
        let jobs = batch.count * H
        Parallel.split(jobs, serialProducts: true) { worker, range in
            let s = scores[worker]
            for job in range {
                let b = job / H, h = job % H, off = batch.offsets[b], len = batch.length(b)
                let rowQ = q + off * C + h * D, rowK = k + off * C + h * D, rowV = v + off * C + h * D
                BLAS.gemmNT(len, len, D, rowQ, lda: C, rowK, ldb: C, s, ldc: len, alpha: scale)
                weights.relativeBias?.add(s, head: h, firstQuery: 0, rows: len, keys: len, ld: len)
                softmaxRows(s, rows: len, cols: len, ld: len, valid: len)
                BLAS.gemmNN(len, D, len, s, lda: len, rowV, ldb: C, att + off * C + h * D, ldc: C)
            }
        }
    }
}
