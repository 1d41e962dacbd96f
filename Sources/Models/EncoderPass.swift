import Foundation
import Plumbing
import Tensors

// The one implementation of the encoder's layers: each forward beside its backward (llm.c's
// shape), shapes in a one-line comment. A forward that keeps its activations is what training
// runs; inference is the same forward with the activations of one layer reused by the next.
// Architecture differences (BERT, RoBERTa, MPNet's relative position bias) come from the
// config and the weights; the arena is sized by `PassLayout`, which also hands out its slices.

/// The query rows of a layer: every row (all layers but the last) or one row per sequence
/// (the last layer, whose output is only needed at the read row). Rows are compact: the
/// queries of sequence s are rows offsets[s]..<offsets[s+1].
struct QuerySet {
    var start: [Int]  // first query row within each sequence
    var offsets: [Int]  // compact offsets, one more than sequences
    let all: Bool
    var rows: Int { offsets.last! }
    func count(_ s: Int) -> Int { offsets[s + 1] - offsets[s] }

    static func everyRow(_ batch: Batch) -> QuerySet {
        QuerySet(start: Array(repeating: 0, count: batch.count), offsets: batch.offsets, all: true)
    }

    static func readRows(_ rows: [Int]) -> QuerySet {
        QuerySet(start: rows, offsets: Array(0...rows.count), all: false)
    }
}

/// Offsets handed out in one arena, each 16-float (64-byte) aligned: what a pass's layout
/// (PassLayout, T5Layout) sizes and slices the arena with.
struct ArenaPlan {
    private(set) var floats = 0

    mutating func take(_ count: Int) -> Int {
        let start = Arena.aligned(floats)
        floats = start + count
        return start
    }
}

/// Where the backward pass's gradients live in their arena, as offsets in floats: the gradient
/// leaving a layer and the one entering it (swapped layer by layer), and one layer's
/// intermediate gradients (LayerGrads), reused by every layer.
struct GradientLayout {
    let dy, dx: Int  // (N,C)
    let h, attn, query, key, value: Int  // (N,C)
    let ffnAct: Int  // (N,I)
    let floats: Int

    init(rows: Int, hidden: Int, inner: Int) {
        var plan = ArenaPlan()
        dy = plan.take(rows * hidden)
        dx = plan.take(rows * hidden)
        h = plan.take(rows * hidden)
        attn = plan.take(rows * hidden)
        query = plan.take(rows * hidden)
        key = plan.take(rows * hidden)
        value = plan.take(rows * hidden)
        ffnAct = plan.take(rows * inner)
        floats = plan.floats
    }
}

/// Where every activation of one forward pass lives in the arena, as offsets in floats: the
/// only place that knows the arena's size, so sizing and slicing cannot disagree. Keeping
/// (training) gives each layer its own slices; otherwise (inference) all layers share one set,
/// their outputs alternating between two slices, and attention scores use per-worker scratch.
struct PassLayout {
    struct Layer {
        let queries: QuerySet
        let probOffsets: [Int]  // per sequence: where its heads' probabilities start
        let gathered: Int?  // the query rows of the input, gathered (when not every row)
        let query, key, value, attnNormHat, attnNormRstd: Int
        let probs: Int?  // kept attention probabilities (training only)
        let ffnPre, ffnNormHat, ffnNormRstd: Int
        var out: Int
    }

    var embedSum = 0, embedOut = 0, embedNormHat = 0, embedNormRstd = 0
    var attn = 0, tmp = 0, ffnAct = 0
    var workerScores: [Int] = []
    var layers: [Layer] = []
    private var plan = ArenaPlan()
    var floats: Int { plan.floats }

    private mutating func take(_ count: Int) -> Int { plan.take(count) }

    init(batch: Batch, readRows: [Int]?, config: ModelConfig, keep: Bool, workers: Int) {
        let rows = batch.rows
        let hidden = config.hidden
        let inner = config.intermediate
        let heads = config.heads
        embedSum = take(rows * hidden)
        embedOut = take(rows * hidden)
        embedNormHat = take(rows * hidden)
        embedNormRstd = take(rows)
        attn = take(rows * hidden)
        tmp = take(rows * hidden)
        ffnAct = take(rows * inner)
        guard keep else {
            // inference: every row is a query; one set of slices serves all layers, the output
            // alternating with the embeddings' sum (free once normalised) so it never overwrites its input;
            // attention scores go to per-worker scratch
            precondition(readRows == nil, "a forward that reads only some rows keeps its activations")
            let longest = batch.maxLength
            workerScores = (0..<workers).map { _ in take(longest * longest) }
            var shared = Layer(
                queries: QuerySet.everyRow(batch), probOffsets: [], gathered: nil, query: take(rows * hidden),
                key: take(rows * hidden), value: take(rows * hidden), attnNormHat: take(rows * hidden),
                attnNormRstd: take(rows), probs: nil, ffnPre: take(rows * inner), ffnNormHat: take(rows * hidden),
                ffnNormRstd: take(rows), out: take(rows * hidden))
            let outputs = [shared.out, embedSum]
            layers = (0..<config.layers).map { index in
                shared.out = outputs[index % 2]
                return shared
            }
            return
        }
        for index in 0..<config.layers {
            let isLast = index == config.layers - 1
            let queries = isLast && readRows != nil ? QuerySet.readRows(readRows!) : QuerySet.everyRow(batch)
            var probOffsets = [0]
            for s in 0..<batch.count {
                probOffsets.append(probOffsets.last! + heads * queries.count(s) * batch.length(s))
            }
            let n = queries.rows
            layers.append(
                Layer(
                    queries: queries, probOffsets: probOffsets, gathered: queries.all ? nil : take(n * hidden),
                    query: take(n * hidden), key: take(rows * hidden), value: take(rows * hidden),
                    attnNormHat: take(n * hidden), attnNormRstd: take(n), probs: take(probOffsets.last!),
                    ffnPre: take(n * inner), ffnNormHat: take(n * hidden), ffnNormRstd: take(n),
                    out: take(n * hidden)))
        }
    }
}

/// One layer's activations as pointers into the arena (what the backward reads).
struct LayerActs {
    let queries: QuerySet
    let probOffsets: [Int]
    let input: UnsafeMutablePointer<Float>  // x (N,C)
    let inputAtQueries: UnsafeMutablePointer<Float>  // x at the query rows (Nq,C) (= input when all)
    let query, key, value: UnsafeMutablePointer<Float>  // (Nq,C), (N,C), (N,C)
    let probs: UnsafeMutablePointer<Float>?  // per sequence and head (nq × len); nil when not kept
    let attnNormHat, attnNormRstd, ffnPre, ffnNormHat, ffnNormRstd, out: UnsafeMutablePointer<Float>

    init(_ l: PassLayout.Layer, base: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>) {
        queries = l.queries
        probOffsets = l.probOffsets
        self.input = input
        inputAtQueries = l.gathered.map { base + $0 } ?? input
        query = base + l.query
        key = base + l.key
        value = base + l.value
        probs = l.probs.map { base + $0 }
        attnNormHat = base + l.attnNormHat
        attnNormRstd = base + l.attnNormRstd
        ffnPre = base + l.ffnPre
        ffnNormHat = base + l.ffnNormHat
        ffnNormRstd = base + l.ffnNormRstd
        out = base + l.out
    }
}

/// One forward (and, when it kept its activations, one backward) of the whole encoder.
final class EncoderPass {
    let config: ModelConfig
    let weights: EncoderWeights
    let acts = Arena()
    let grads = Arena()
    var gradScratch: [Arena] = []
    private(set) var batch = Batch()
    private(set) var promptToken: [Int32] = []
    private(set) var layers: [LayerActs] = []
    private var embedNormHat: UnsafeMutablePointer<Float>? = nil
    private var embedNormRstd: UnsafeMutablePointer<Float>? = nil
    private var scratch:
        (
            attn: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>,
            ffnAct: UnsafeMutablePointer<Float>, scores: [UnsafeMutablePointer<Float>]
        )? = nil

    init(config: ModelConfig, weights: EncoderWeights) {
        self.config = config
        self.weights = weights
    }

    /// Hidden states of the last layer at its query rows: every row (N,C), or with `readRows`
    /// one row per sequence (B,C). Valid until the next call. Rows whose `prompt.tokens` entry
    /// is k ≥ 0 take prompt vector k; `onFFN(layer, act (Nq,I))` sees each FFN after GELU.
    func forward(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?, readRows: [Int]?,
        keep: Bool, onFFN: ((Int, UnsafePointer<Float>) -> Void)? = nil
    ) -> UnsafeMutablePointer<Float> {
        self.batch = batch
        promptToken = prompt?.tokens ?? []
        let layout = PassLayout(
            batch: batch, readRows: readRows, config: config, keep: keep,
            workers: Parallel.workers)
        acts.reserve(layout.floats)
        acts.reset()
        let base = acts.take(layout.floats)
        scratch = (base + layout.attn, base + layout.tmp, base + layout.ffnAct, layout.workerScores.map { base + $0 })
        embedNormHat = base + layout.embedNormHat
        embedNormRstd = base + layout.embedNormRstd
        embeddingsForward(base + layout.embedOut, base + layout.embedSum, prompt: prompt)
        layers.removeAll(keepingCapacity: true)
        var x = base + layout.embedOut
        for (index, w) in weights.layers.enumerated() {
            let a = LayerActs(layout.layers[index], base: base, input: x)
            layerForward(a, w, onFFN: onFFN.map { f in { f(index, $0) } })
            layers.append(a)
            x = a.out
        }
        return x
    }

    /// Gradient of the loss with respect to every prompt vector, dPrompt (n,C) (overwritten),
    /// from the gradient at the last layer's query rows dOut (Nq,C). Needs a kept forward.
    func backward(_ dOut: UnsafePointer<Float>, dPrompt: UnsafeMutablePointer<Float>, promptLength n: Int) {
        precondition(layers.first?.probs != nil, "backward needs a forward that kept its activations")
        let rows = batch.rows
        let hidden = config.hidden
        let inner = config.intermediate
        let layout = GradientLayout(rows: rows, hidden: hidden, inner: inner)
        grads.reserve(layout.floats)
        grads.reset()
        let base = grads.take(layout.floats)
        var dy = base + layout.dy
        dy.update(from: dOut, count: layers.last!.queries.rows * hidden)
        var dx = base + layout.dx
        let g = LayerGrads(
            h: base + layout.h, attn: base + layout.attn, query: base + layout.query, key: base + layout.key,
            value: base + layout.value, ffnAct: base + layout.ffnAct)
        for (index, w) in weights.layers.enumerated().reversed() {
            layerBackward(dx, dy, w, layers[index], g)
            swap(&dy, &dx)  // this layer's input gradient is the previous layer's output gradient
        }
        embeddingsBackward(dy, dPrompt: dPrompt, promptLength: n)
    }

    // out (N,C) = LayerNorm(sum (N,C)), sum = word or prompt vector + position + type
    func embeddingsForward(
        _ out: UnsafeMutablePointer<Float>, _ sum: UnsafeMutablePointer<Float>,
        prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?
    ) {
        let norm = weights.embedNorm
        embeddingSums(sum, batch, prompt: prompt, weights: weights, hidden: config.hidden)
        layerNormForwardSaving(
            out, embedNormHat!, embedNormRstd!, sum, norm.weight.data, norm.bias.data,
            rows: batch.rows, cols: config.hidden, eps: config.layerNormEps)
    }

    // dPrompt (n,C) = Σ over the prompt rows of d(sum) (N,C), from dOut (N,C) (overwritten)
    func embeddingsBackward(
        _ dOut: UnsafeMutablePointer<Float>, dPrompt: UnsafeMutablePointer<Float>,
        promptLength n: Int
    ) {
        let hidden = config.hidden
        layerNormBackward(
            dOut, dOut, embedNormHat!, embedNormRstd!, weights.embedNorm.weight.data,
            rows: batch.rows, cols: hidden)
        dPrompt.update(repeating: 0, count: n * hidden)
        for r in 0..<batch.rows where r < promptToken.count && promptToken[r] >= 0 {
            let into = dPrompt + Int(promptToken[r]) * hidden
            let from = dOut + r * hidden
            for c in 0..<hidden { into[c] += from[c] }
        }
    }

    // x (N,C) → out (Nq,C) at the query rows: post-LN attention block, then feed-forward block
    func layerForward(_ a: LayerActs, _ w: LayerWeights, onFFN: ((UnsafePointer<Float>) -> Void)?) {
        let rows = batch.rows
        let hidden = config.hidden
        let inner = config.intermediate
        let eps = config.layerNormEps
        let n = a.queries.rows
        let (attn, tmp, ffnAct, _) = scratch!
        if !a.queries.all {
            for s in 0..<batch.count {
                let from = a.input + (batch.offsets[s] + a.queries.start[s]) * hidden
                (a.inputAtQueries + a.queries.offsets[s] * hidden).update(from: from, count: hidden)
            }
        }
        linear(a.query, a.inputAtQueries, w.query, n, hidden, hidden)
        linear(a.key, a.input, w.key, rows, hidden, hidden)
        linear(a.value, a.input, w.value, rows, hidden, hidden)
        attentionForward(attn, a)
        linear(tmp, attn, w.attnOut, n, hidden, hidden)
        residualForward(tmp, tmp, a.inputAtQueries, count: n * hidden)
        let h = attn  // the attention output is no longer needed: its rows hold h
        layerNormForwardSaving(
            h, a.attnNormHat, a.attnNormRstd, tmp, w.attnNorm.weight.data, w.attnNorm.bias.data,
            rows: n, cols: hidden, eps: eps)
        linear(a.ffnPre, h, w.ffnIn, n, hidden, inner)
        geluForward(ffnAct, a.ffnPre, count: n * inner)
        onFFN?(ffnAct)
        linear(tmp, ffnAct, w.ffnOut, n, inner, hidden)
        residualForward(tmp, tmp, h, count: n * hidden)
        layerNormForwardSaving(
            a.out, a.ffnNormHat, a.ffnNormRstd, tmp, w.ffnNorm.weight.data, w.ffnNorm.bias.data,
            rows: n, cols: hidden, eps: eps)
    }

    struct LayerGrads {
        let h, attn, query, key, value, ffnAct: UnsafeMutablePointer<Float>
    }

    // dx (N,C) = layer backward of dOut (Nq,C) at the query rows
    func layerBackward(
        _ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ w: LayerWeights,
        _ a: LayerActs, _ g: LayerGrads
    ) {
        let rows = batch.rows
        let hidden = config.hidden
        let inner = config.intermediate
        let n = a.queries.rows
        // feed-forward block: out = LN2(h + W2·gelu(W1·h + b1) + b2); g.h = d(residual sum)
        layerNormBackward(g.h, dOut, a.ffnNormHat, a.ffnNormRstd, w.ffnNorm.weight.data, rows: n, cols: hidden)
        linearBackward(g.ffnAct, g.h, w.ffnOut.weight.data, rows: n, inDim: inner, outDim: hidden)
        geluBackward(g.ffnAct, g.ffnAct, a.ffnPre, count: n * inner)
        linearBackward(g.h, g.ffnAct, w.ffnIn.weight.data, rows: n, inDim: hidden, outDim: inner, accumulate: true)
        // attention block: h = LN1(x + Wo·attn + bo); g.h = d(x + attn out)
        layerNormBackward(g.h, g.h, a.attnNormHat, a.attnNormRstd, w.attnNorm.weight.data, rows: n, cols: hidden)
        linearBackward(g.attn, g.h, w.attnOut.weight.data, rows: n, inDim: hidden, outDim: hidden)
        attentionBackward(g.attn, a, g)
        linearBackward(dx, g.key, w.key.weight.data, rows: rows, inDim: hidden, outDim: hidden)
        linearBackward(dx, g.value, w.value.weight.data, rows: rows, inDim: hidden, outDim: hidden, accumulate: true)
        if a.queries.all {
            linearBackward(
                dx, g.query, w.query.weight.data, rows: rows, inDim: hidden, outDim: hidden, accumulate: true)
            residualForward(dx, dx, g.h, count: rows * hidden)
            return
        }
        // g.h += dq·Wq, then scattered back to the query rows
        linearBackward(g.h, g.query, w.query.weight.data, rows: n, inDim: hidden, outDim: hidden, accumulate: true)
        for s in 0..<batch.count {
            let row = dx + (batch.offsets[s] + a.queries.start[s]) * hidden
            residualForward(row, row, g.h + s * hidden, count: hidden)
        }
    }

    // out (Nq,C) = inp (Nq,IC) · W(OC,IC)ᵀ + b
    func linear(
        _ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ w: LinearWeights,
        _ n: Int, _ inDim: Int, _ outDim: Int
    ) {
        linearForward(out, inp, w.weight.data, w.bias.data, rows: n, inDim: inDim, outDim: outDim)
    }

    // the layer's attention: its queries (every row, or the read rows) over each sequence's keys
    func attention(_ a: LayerActs) -> Attention {
        Attention(
            heads: config.heads, headDim: config.headDim, stride: config.hidden,
            scale: 1 / Float(config.headDim).squareRoot(), queryOffsets: a.queries.offsets,
            keyOffsets: batch.offsets, firstQuery: a.queries.start, bias: weights.relativeBias)
    }

    // attn (Nq,C) = per sequence and head: softmax(q kᵀ/√D + relative bias) v
    func attentionForward(_ attn: UnsafeMutablePointer<Float>, _ a: LayerActs) {
        attention(a).forward(
            attn, query: a.query, key: a.key, value: a.value, probs: a.probs, probOffsets: a.probOffsets,
            scores: scratch!.scores)
    }

    // g.query (Nq,C), g.key (N,C), g.value (N,C) from dAttn (Nq,C)
    func attentionBackward(_ dAttn: UnsafePointer<Float>, _ a: LayerActs, _ g: LayerGrads) {
        let attention = attention(a)
        attention.backward(
            dAttn, query: a.query, key: a.key, value: a.value, probs: a.probs!, probOffsets: a.probOffsets,
            dq: g.query, dk: g.key, dv: g.value,
            dScores: Attention.workerScratch(&gradScratch, floats: attention.largestScores))
    }
}

/// out (N,C) = wte[ids] (or prompt vector k where tokens[r] = k ≥ 0) + wpe[positions] + wtt[types],
/// before the embeddings' LayerNorm.
func embeddingSums(
    _ out: UnsafeMutablePointer<Float>, _ batch: Batch,
    prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?, weights w: EncoderWeights, hidden: Int
) {
    for r in 0..<batch.rows {
        let o = out + r * hidden
        let k = prompt.map { Int($0.tokens[r]) } ?? -1
        let a = k >= 0 ? prompt!.vectors + k * hidden : UnsafePointer(w.words.row(Int(batch.ids[r])))
        let t = w.types.row(Int(batch.typeIds[r]))
        if batch.positions[r] < 0 {  // a positionless row (the paper's prompt rows)
            for c in 0..<hidden { o[c] = a[c] + t[c] }
            continue
        }
        let p = w.positions.row(Int(batch.positions[r]))
        for c in 0..<hidden { o[c] = a[c] + p[c] + t[c] }
    }
}
