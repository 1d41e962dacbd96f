import Foundation
import Models
import Plumbing
import Tensors
import Tokenizers

/// How a label is read from the hidden state at `[MASK]`, with every weight frozen:
/// `mlm` — the model's MLM head restricted to the label words; `tied` — h · E[word] with the
/// model's own input word embeddings (for an encoder without a head). (T5's `decoder` readout,
/// the first decoder step's logits, is `DecoderReader`.)
public final class Readout {
    public enum Kind: String, CaseIterable { case mlm, tied, decoder }

    public let kind: Kind
    public let words: [Int]
    let encoder: Encoder
    let wordRows: Tensor  // (K, C): decoder (mlm) or input embedding (tied) rows of the label words
    let wordBias: [Float]  // (K): the head's output bias (mlm) or zeros (tied)
    // mlm transform activations, kept for the backward
    var pre = [Float](), xhat = [Float](), rstd = [Float]()
    var rows = 0

    public init(_ kind: Kind, words: [Int], encoder: Encoder) throws {
        self.kind = kind
        self.words = words
        self.encoder = encoder
        let C = encoder.config.hidden
        let table: Tensor
        switch kind {
        case .mlm:
            guard let head = encoder.weights.head else {
                throw ToolError(
                    "\(encoder.folder): readout 'mlm' needs an MLM head and this checkpoint has none; use --readout "
                    + "tied"
                )
            }
            table = head.decoder
            wordBias = words.map { head.bias.data[$0] }
        case .tied:
            table = encoder.weights.words
            wordBias = Array(repeating: 0, count: words.count)
        case .decoder:
            throw ToolError.usage("\(encoder.folder): readout 'decoder' is T5's; this encoder reads mlm or tied")
        }
        if let bad = words.first(where: { $0 < 0 || $0 >= encoder.config.vocabSize }) {
            throw ToolError("label word id \(bad) outside the vocabulary")
        }
        wordRows = Tensor(zeros: [words.count, C])
        for (j, w) in words.enumerated() { wordRows.row(j).update(from: table.row(w), count: C) }
    }

    /// logits (B,K) from the read-row states h (B,C).
    public func forward(_ h: UnsafePointer<Float>, rows b: Int) -> [Float] {
        let C = encoder.config.hidden
        let K = words.count
        rows = b
        var input = h
        var t = [Float]()
        if kind == .mlm, let head = encoder.weights.head {
            pre = [Float](repeating: 0, count: b * C)
            xhat = pre
            rstd = [Float](repeating: 0, count: b)
            t = pre
            var act = pre
            linearForward(&pre, h, head.transform.weight.data, head.transform.bias.data, rows: b, inDim: C, outDim: C)
            geluForward(&act, pre, count: b * C)
            layerNormForwardSaving(
                &t, &xhat, &rstd, act, head.norm.weight.data, head.norm.bias.data, rows: b, cols: C,
                eps: encoder.config.layerNormEps)
        }
        var logits = [Float](repeating: 0, count: b * K)
        t.withUnsafeBufferPointer { tp in
            if kind == .mlm { input = tp.baseAddress! }
            linearForward(&logits, input, wordRows.data, wordBias, rows: b, inDim: C, outDim: K)
        }
        return logits
    }

    /// dh (B,C) from dlogits (B,K), for the last `forward`.
    public func backward(_ dlogits: [Float]) -> [Float] {
        let C = encoder.config.hidden
        let K = words.count
        let b = rows
        var d = [Float](repeating: 0, count: b * C)
        BLAS.gemmNN(b, C, K, dlogits, lda: K, wordRows.data, ldb: C, &d, ldc: C)
        guard kind == .mlm, let head = encoder.weights.head else { return d }
        layerNormBackward(&d, d, xhat, rstd, head.norm.weight.data, rows: b, cols: C)
        geluBackward(&d, d, pre, count: b * C)
        var dh = [Float](repeating: 0, count: b * C)
        BLAS.gemmNN(b, C, C, d, lda: C, head.transform.weight.data, ldb: C, &dh, ldc: C)
        return dh
    }
}

/// The token id of each label word. Read at a mask, every word must be one token; read from a
/// decoder's first step (T5, as the paper's code does), a word's first token is its label, and
/// the first tokens must differ.
public func labelWordIds(_ words: [String], tokenizer: Tokenizer, firstToken: Bool = false) throws -> [Int] {
    let ids = try words.map { w -> Int in
        let ids = tokenizer.tokenize(w)
        guard ids.count == 1 || (firstToken && !ids.isEmpty) else {
            throw ToolError.usage("label word '\(w)' is \(ids.count) tokens for this tokenizer; each must be one")
        }
        return Int(ids[0])
    }
    guard Set(ids).count == ids.count else {
        throw ToolError.usage(
            "label words \(words) share a first token (\(ids)); the labels would be indistinguishable")
    }
    return ids
}

/// Mean softmax cross-entropy over the label logits (B,K): the loss, its gradient, and the
/// predicted class of each row.
public func crossEntropy(
    _ logits: [Float], labels: [Int], classes k: Int
) -> (loss: Float, grad: [Float], predictions: [Int]) {
    let b = labels.count
    var grad = [Float](repeating: 0, count: b * k)
    var loss: Double = 0
    var preds = [Int]()
    for i in 0..<b {
        let row = Array(logits[(i * k)..<(i * k + k)])
        // A NaN logit makes the loss NaN, which the trainer stops on; the prediction is then row 0.
        let mx = row.max() ?? 0
        let exps = row.map { Foundation.exp(Double($0 - mx)) }
        let z = exps.reduce(0, +)
        loss -= Foundation.log(exps[labels[i]] / z)
        for j in 0..<k { grad[i * k + j] = Float(exps[j] / z / Double(b)) - (j == labels[i] ? 1 / Float(b) : 0) }
        preds.append(row.firstIndex(of: mx) ?? 0)
    }
    return (Float(loss / Double(max(b, 1))), grad, preds)
}
