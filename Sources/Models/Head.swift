import Plumbing
import Tensors

extension Encoder {
    /// MLM logits, out (R,V') for R hidden rows h (R,C), over the vocabulary rows `words`
    /// (all V when nil): dense → GELU → LayerNorm → · decoderᵀ + bias.
    public func mlmLogits(_ h: UnsafePointer<Float>, rows r: Int, words: [Int]? = nil) throws -> Tensor {
        guard let head = weights.head else {
            throw ToolError.data(folder, "the checkpoint has no MLM head (cls.predictions.* or lm_head.*)")
        }
        let C = config.hidden
        let t = Tensor(zeros: [r, C])
        linearForward(t.data, h, head.transform.weight.data, head.transform.bias.data, rows: r, inDim: C, outDim: C)
        geluForward(t.data, t.data, count: r * C)
        layerNormForward(
            t.data, t.data, head.norm.weight.data, head.norm.bias.data, rows: r, cols: C, eps: config.layerNormEps)
        guard let words else {
            let V = config.vocabSize
            let out = Tensor(zeros: [r, V])
            linearForward(out.data, t.data, head.decoder.data, head.bias.data, rows: r, inDim: C, outDim: V)
            return out
        }
        let out = Tensor(zeros: [r, words.count])
        for i in 0..<r {
            for (j, w) in words.enumerated() {
                var s = head.bias.data[w]
                let e = head.decoder.row(w)
                let x = t.row(i)
                for c in 0..<C { s += x[c] * e[c] }
                out.data[i * words.count + j] = s
            }
        }
        return out
    }
}
