import Foundation
import Plumbing
import Tensors

// T5's encoder and the first step of its decoder, each layer's forward beside its backward
// (llm.c's shape), shapes in a one-line comment: N packed encoder rows, B sequences (one decoder
// query each), C = d_model, I = heads × d_kv, F = d_ff. Pre-norm blocks with RMS norms, no
// biases, unscaled attention scores, the encoder's relative bias shared by its layers. The
// arena is sized and sliced by `T5Layout` alone.

/// Where every activation of one pass lives in the arena, as offsets in floats. Keeping
/// (training, or a decoder step, which needs the encoder's output) gives each layer its own
/// slices; otherwise (the encoder alone, for inference) the layers share one set, their outputs
/// alternating between two slices, with attention scores in per-worker scratch.
struct T5Layout {
    struct EncoderLayer {
        let normed1, rstd1, query, key, value, attn, h, normed2, rstd2, pre, gate, act: Int
        let probs: Int?
        var out: Int
    }
    struct DecoderLayer {
        let normed1, rstd1, selfValue, y1, normed2, rstd2, query, key, value, probs, attn, y2, normed3, rstd3: Int
        let pre, gate, act, out: Int
    }

    var embedded = 0, finalRstd = 0, encoded = 0, decoderStart = 0, decoderRstd = 0, decoderOut = 0
    var probOffsets: [Int] = []  // per sequence: where its heads' encoder probabilities start
    var crossOffsets: [Int] = []  // per sequence: where its heads' cross-attention probabilities start
    var workerScores: [Int] = []
    var encoderLayers: [EncoderLayer] = []
    var decoderLayers: [DecoderLayer] = []
    private var plan = ArenaPlan()
    var floats: Int { plan.floats }

    private mutating func take(_ count: Int) -> Int { plan.take(count) }

    init(batch: Batch, config c: T5Config, keep: Bool, decode: Bool, workers: Int) {
        let rows = batch.rows
        let (C, I, F, heads) = (c.hidden, c.inner, c.intermediate, c.heads)
        let gated = c.feedForward == .gatedGelu
        embedded = take(rows * C)
        var offset = 0
        probOffsets = [0]
        crossOffsets = [0]
        for s in 0..<batch.count {
            offset += heads * batch.length(s) * batch.length(s)
            probOffsets.append(offset)
            crossOffsets.append(crossOffsets.last! + heads * batch.length(s))
        }
        func encoderLayer(probs: Int?) -> EncoderLayer {
            EncoderLayer(
                normed1: take(rows * C), rstd1: take(rows), query: take(rows * I), key: take(rows * I),
                value: take(rows * I), attn: take(rows * I), h: take(rows * C), normed2: take(rows * C),
                rstd2: take(rows), pre: take(rows * F), gate: gated ? take(rows * F) : 0, act: take(rows * F),
                probs: probs, out: take(rows * C))
        }
        if keep {
            encoderLayers = (0..<c.layers).map { _ in encoderLayer(probs: take(probOffsets.last!)) }
        } else {
            let longest = batch.maxLength
            workerScores = (0..<workers).map { _ in take(longest * longest) }
            var shared = encoderLayer(probs: nil)
            let outputs = [shared.out, embedded]
            encoderLayers = (0..<c.layers).map { index in
                shared.out = outputs[index % 2]
                return shared
            }
        }
        finalRstd = take(rows)
        encoded = take(rows * C)
        guard decode else { return }
        let B = batch.count
        decoderStart = take(B * C)
        decoderLayers = (0..<c.decoderLayers).map { _ in
            DecoderLayer(
                normed1: take(B * C), rstd1: take(B), selfValue: take(B * I), y1: take(B * C), normed2: take(B * C),
                rstd2: take(B), query: take(B * I), key: take(rows * I), value: take(rows * I),
                probs: take(crossOffsets.last!), attn: take(B * I), y2: take(B * C), normed3: take(B * C),
                rstd3: take(B), pre: take(B * F), gate: gated ? take(B * F) : 0, act: take(B * F), out: take(B * C))
        }
        decoderRstd = take(B)
        decoderOut = take(B * C)
    }
}

/// The encoder–decoder's forward and its backward to the prompt vectors. Weights are frozen:
/// only input gradients are computed.
/// Where T5's backward gradients live in their arena, as offsets in floats: the encoder's
/// ping-pong pair and one layer's intermediate gradients (N rows), then the decoder step's (B rows).
struct T5GradientLayout {
    let dx, dy, dh, dNormed: Int  // (N,C)
    let dq, dk, dv, dAttn: Int  // (N,I)
    let dPre, dGate: Int  // (N,F)
    let decoderDy, decoderTmp: Int  // (B,C)
    let decoderDq, decoderAttn: Int  // (B,I)
    let decoderPre, decoderGate: Int  // (B,F)
    let floats: Int

    init(rows N: Int, sequences B: Int, hidden C: Int, inner I: Int, intermediate F: Int) {
        var plan = ArenaPlan()
        (dx, dy, dh, dNormed) = (plan.take(N * C), plan.take(N * C), plan.take(N * C), plan.take(N * C))
        (dq, dk, dv, dAttn) = (plan.take(N * I), plan.take(N * I), plan.take(N * I), plan.take(N * I))
        (dPre, dGate) = (plan.take(N * F), plan.take(N * F))
        (decoderDy, decoderTmp) = (plan.take(B * C), plan.take(B * C))
        (decoderDq, decoderAttn) = (plan.take(B * I), plan.take(B * I))
        (decoderPre, decoderGate) = (plan.take(B * F), plan.take(B * F))
        floats = plan.floats
    }
}

final class T5Pass {
    let config: T5Config
    let weights: T5Weights
    let acts = Arena()
    let grads = Arena()
    var gradScratch: [Arena] = []
    private(set) var batch = Batch()
    private(set) var layout: T5Layout? = nil
    private(set) var promptToken: [Int32] = []
    private var base: UnsafeMutablePointer<Float>! = nil

    init(config: T5Config, weights: T5Weights) {
        self.config = config
        self.weights = weights
    }

    private func at(_ offset: Int) -> UnsafeMutablePointer<Float> { base + offset }

    /// The encoder's final hidden states (N,C), after its final RMS norm; valid until the next
    /// call. Rows whose `prompt.tokens` entry is k ≥ 0 take prompt vector k; `onFFN(layer, act
    /// (N,F))` sees each layer's feed-forward activations (the input of wo). With `decode`, the
    /// first decoder step follows and `decoderOutput` holds its result.
    @discardableResult
    func forward(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?, keep: Bool, decode: Bool,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)? = nil
    ) -> UnsafeMutablePointer<Float> {
        precondition(!decode || weights.decoder != nil, "decoding needs a checkpoint with the decoder")
        self.batch = batch
        promptToken = prompt?.tokens ?? []
        let layout = T5Layout(
            batch: batch, config: config, keep: keep || decode, decode: decode, workers: Parallel.workers)
        self.layout = layout
        acts.reserve(layout.floats)
        acts.reset()
        base = acts.take(layout.floats)
        let C = config.hidden
        let x0 = at(layout.embedded)
        for r in 0..<batch.rows {
            let k = prompt.map { Int($0.tokens[r]) } ?? -1
            let from = k >= 0 ? prompt!.vectors + k * C : UnsafePointer(weights.words.row(Int(batch.ids[r])))
            (x0 + r * C).update(from: from, count: C)
        }
        var x = x0
        for (index, w) in weights.layers.enumerated() {
            encoderLayerForward(x, layout.encoderLayers[index], w, onFFN: onFFN.map { f in { f(index, $0) } })
            x = at(layout.encoderLayers[index].out)
        }
        rmsNormForward(
            at(layout.encoded), at(layout.finalRstd), x, weights.finalNorm.data, rows: batch.rows, cols: C,
            eps: config.eps)
        if decode { decoderForward() }
        return at(layout.encoded)
    }

    /// The first decoder step's output (B,C), before the LM head (scaled when the config says).
    var decoderOutput: UnsafeMutablePointer<Float> { at(layout!.decoderOut) }

    /// dPrompt (n,C) (overwritten) from the gradient at the decoder's output dDecoded (B,C).
    func backward(_ dDecoded: UnsafePointer<Float>, dPrompt: UnsafeMutablePointer<Float>, promptLength n: Int) {
        guard let layout, !layout.decoderLayers.isEmpty, layout.encoderLayers.first?.probs != nil else {
            preconditionFailure("backward needs a forward that decoded")
        }
        let rows = batch.rows
        let B = batch.count
        let (C, I, F) = (config.hidden, config.inner, config.intermediate)
        let g = T5GradientLayout(rows: rows, sequences: B, hidden: C, inner: I, intermediate: F)
        grads.reserve(g.floats)
        grads.reset()
        let base = grads.take(g.floats)
        // the decoder step first: its gradient into the encoder's output, dEncoded, is the first dx;
        // its cross-attention's key and value gradients use the encoder layers' dk and dv
        let dEncoded = base + g.dx
        dEncoded.update(repeating: 0, count: rows * C)
        decoderBackward(
            dDecoded, dEncoded: dEncoded, dy: base + g.decoderDy, dTmp: base + g.decoderTmp, dq: base + g.decoderDq,
            dAttn: base + g.decoderAttn, dPre: base + g.decoderPre, dGate: base + g.decoderGate, dKey: base + g.dk,
            dValue: base + g.dv)
        // encoder: the final norm, then the layers in reverse
        var dy = base + g.dy
        let lastOut = layout.encoderLayers.last.map { at($0.out) } ?? at(layout.embedded)
        rmsNormBackward(
            dy, dEncoded, lastOut, at(layout.finalRstd), weights.finalNorm.data, rows: rows, cols: C,
            accumulate: false)
        var dx = base + g.dx
        for index in weights.layers.indices.reversed() {
            let input = index == 0 ? at(layout.embedded) : at(layout.encoderLayers[index - 1].out)
            encoderLayerBackward(
                dx, dy, input, layout.encoderLayers[index], weights.layers[index],
                scratch: (
                    dh: base + g.dh, dNormed: base + g.dNormed, dq: base + g.dq, dk: base + g.dk, dv: base + g.dv,
                    dAttn: base + g.dAttn, dPre: base + g.dPre, dGate: base + g.dGate
                ))
            swap(&dx, &dy)
        }
        dPrompt.update(repeating: 0, count: n * C)
        for r in 0..<rows where r < promptToken.count && promptToken[r] >= 0 {
            let into = dPrompt + Int(promptToken[r]) * C
            let from = dy + r * C
            for c in 0..<C { into[c] += from[c] }
        }
    }

    // MARK: encoder layer

    // x (N,C) → out (N,C): h = x + Wo·attn(norm1(x)); out = h + FFN(norm2(h))
    func encoderLayerForward(
        _ x: UnsafePointer<Float>, _ a: T5Layout.EncoderLayer, _ w: T5EncoderLayerWeights,
        onFFN: ((UnsafePointer<Float>) -> Void)?
    ) {
        let rows = batch.rows
        let (C, I) = (config.hidden, config.inner)
        let attention = w.attention
        rmsNormForward(at(a.normed1), at(a.rstd1), x, attention.norm.data, rows: rows, cols: C, eps: config.eps)
        linearForward(at(a.query), at(a.normed1), attention.query.data, nil, rows: rows, inDim: C, outDim: I)
        linearForward(at(a.key), at(a.normed1), attention.key.data, nil, rows: rows, inDim: C, outDim: I)
        linearForward(at(a.value), at(a.normed1), attention.value.data, nil, rows: rows, inDim: C, outDim: I)
        let offsets = batch.offsets
        attend(
            at(a.attn), query: at(a.query), key: at(a.key), value: at(a.value), queryOffsets: offsets,
            keyOffsets: offsets, bias: weights.relativeBias, probs: a.probs.map { at($0) },
            probOffsets: layout!.probOffsets)
        linearForward(at(a.h), at(a.attn), attention.out.data, nil, rows: rows, inDim: I, outDim: C)
        residualForward(at(a.h), at(a.h), x, count: rows * C)
        feedForward(
            at(a.out), at(a.h), normed: at(a.normed2), rstd: at(a.rstd2), pre: at(a.pre), gate: at(a.gate),
            act: at(a.act), w.feedForward, rows: rows, onFFN: onFFN)
    }

    typealias EncoderGrads = (
        dh: UnsafeMutablePointer<Float>, dNormed: UnsafeMutablePointer<Float>, dq: UnsafeMutablePointer<Float>,
        dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>, dAttn: UnsafeMutablePointer<Float>,
        dPre: UnsafeMutablePointer<Float>, dGate: UnsafeMutablePointer<Float>
    )

    // dx (N,C) = encoder layer backward of dOut (N,C), from the layer's input x (N,C)
    func encoderLayerBackward(
        _ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ a: T5Layout.EncoderLayer, _ w: T5EncoderLayerWeights, scratch g: EncoderGrads
    ) {
        let rows = batch.rows
        let (C, I) = (config.hidden, config.inner)
        let attention = w.attention
        g.dh.update(from: dOut, count: rows * C)
        feedForwardBackward(
            g.dh, dOut, h: at(a.h), normed: at(a.normed2), rstd: at(a.rstd2), pre: at(a.pre), gate: at(a.gate),
            act: at(a.act), w.feedForward, rows: rows, dNormed: g.dNormed, dPre: g.dPre, dGate: g.dGate)
        linearBackward(g.dAttn, g.dh, attention.out.data, rows: rows, inDim: I, outDim: C)
        let offsets = batch.offsets
        attendBackward(
            g.dAttn, query: at(a.query), key: at(a.key), value: at(a.value), probs: at(a.probs!),
            probOffsets: layout!.probOffsets, queryOffsets: offsets, keyOffsets: offsets, dq: g.dq, dk: g.dk,
            dv: g.dv)
        linearBackward(g.dNormed, g.dq, attention.query.data, rows: rows, inDim: C, outDim: I)
        linearBackward(g.dNormed, g.dk, attention.key.data, rows: rows, inDim: C, outDim: I, accumulate: true)
        linearBackward(g.dNormed, g.dv, attention.value.data, rows: rows, inDim: C, outDim: I, accumulate: true)
        dx.update(from: g.dh, count: rows * C)
        rmsNormBackward(dx, g.dNormed, x, at(a.rstd1), attention.norm.data, rows: rows, cols: C, accumulate: true)
    }

    // MARK: feed-forward block (encoder and decoder)

    // out (R,C) = h + wo·act, act = relu(wi·norm(h)) or gelu_new(wi_0·norm(h)) ⊙ wi_1·norm(h)
    func feedForward(
        _ out: UnsafeMutablePointer<Float>, _ h: UnsafePointer<Float>, normed: UnsafeMutablePointer<Float>,
        rstd: UnsafeMutablePointer<Float>, pre: UnsafeMutablePointer<Float>, gate: UnsafeMutablePointer<Float>,
        act: UnsafeMutablePointer<Float>, _ w: T5FeedForwardWeights, rows: Int,
        onFFN: ((UnsafePointer<Float>) -> Void)?
    ) {
        let (C, F) = (config.hidden, config.intermediate)
        rmsNormForward(normed, rstd, h, w.norm.data, rows: rows, cols: C, eps: config.eps)
        linearForward(pre, normed, w.input.data, nil, rows: rows, inDim: C, outDim: F)
        if let wGate = w.gate {
            linearForward(gate, normed, wGate.data, nil, rows: rows, inDim: C, outDim: F)
            geluTanhForward(act, pre, count: rows * F)
            for i in 0..<rows * F { act[i] *= gate[i] }
        } else {
            reluForward(act, pre, count: rows * F)
        }
        onFFN?(act)
        linearForward(out, act, w.out.data, nil, rows: rows, inDim: F, outDim: C)
        residualForward(out, out, h, count: rows * C)
    }

    // dh (R,C) += feed-forward backward of dOut (R,C) (the residual's part is the caller's)
    func feedForwardBackward(
        _ dh: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, h: UnsafePointer<Float>,
        normed: UnsafePointer<Float>, rstd: UnsafePointer<Float>, pre: UnsafePointer<Float>,
        gate: UnsafePointer<Float>, act: UnsafePointer<Float>, _ w: T5FeedForwardWeights, rows: Int,
        dNormed: UnsafeMutablePointer<Float>, dPre: UnsafeMutablePointer<Float>, dGate: UnsafeMutablePointer<Float>
    ) {
        let (C, F) = (config.hidden, config.intermediate)
        linearBackward(dPre, dOut, w.out.data, rows: rows, inDim: F, outDim: C)  // d act
        if let wGate = w.gate {
            // act = gelu(pre) ⊙ gate: d gate = d act ⊙ gelu(pre); d pre = gelu'(pre) ⊙ d act ⊙ gate
            geluTanhForward(dGate, pre, count: rows * F)
            for i in 0..<rows * F {
                let dAct = dPre[i]
                dPre[i] = dAct * gate[i]
                dGate[i] *= dAct
            }
            geluTanhBackward(dPre, dPre, pre, count: rows * F)
            linearBackward(dNormed, dPre, w.input.data, rows: rows, inDim: C, outDim: F)
            linearBackward(dNormed, dGate, wGate.data, rows: rows, inDim: C, outDim: F, accumulate: true)
        } else {
            reluBackward(dPre, dPre, pre, count: rows * F)
            linearBackward(dNormed, dPre, w.input.data, rows: rows, inDim: C, outDim: F)
        }
        rmsNormBackward(dh, dNormed, h, rstd, w.norm.data, rows: rows, cols: C, accumulate: true)
    }

    // MARK: decoder, first step

    // per sequence: y0 = words[start]; y1 = y0 + Wo·Wv·norm1(y0) (one query sees only itself);
    // y2 = y1 + Wo·cross(norm2(y1), encoded); out = y2 + FFN(norm3(y2)); decoded = norm(y) (· C^-½)
    func decoderForward() {
        let layout = layout!
        let decoder = weights.decoder!
        let rows = batch.rows
        let B = batch.count
        let (C, I) = (config.hidden, config.inner)
        let start = at(layout.decoderStart)
        for s in 0..<B {
            (start + s * C).update(from: weights.words.row(config.decoderStartTokenId), count: C)
        }
        var y = UnsafePointer(start)
        let queryOffsets = Array(0...B)
        for (index, w) in decoder.layers.enumerated() {
            let a = layout.decoderLayers[index]
            let selfAttention = w.selfAttention
            rmsNormForward(at(a.normed1), at(a.rstd1), y, selfAttention.norm.data, rows: B, cols: C, eps: config.eps)
            linearForward(at(a.selfValue), at(a.normed1), selfAttention.value.data, nil, rows: B, inDim: C, outDim: I)
            linearForward(at(a.y1), at(a.selfValue), selfAttention.out.data, nil, rows: B, inDim: I, outDim: C)
            residualForward(at(a.y1), at(a.y1), y, count: B * C)
            let cross = w.crossAttention
            rmsNormForward(at(a.normed2), at(a.rstd2), at(a.y1), cross.norm.data, rows: B, cols: C, eps: config.eps)
            linearForward(at(a.query), at(a.normed2), cross.query.data, nil, rows: B, inDim: C, outDim: I)
            linearForward(at(a.key), at(layout.encoded), cross.key.data, nil, rows: rows, inDim: C, outDim: I)
            linearForward(at(a.value), at(layout.encoded), cross.value.data, nil, rows: rows, inDim: C, outDim: I)
            attend(
                at(a.attn), query: at(a.query), key: at(a.key), value: at(a.value), queryOffsets: queryOffsets,
                keyOffsets: batch.offsets, bias: nil, probs: at(a.probs), probOffsets: layout.crossOffsets)
            linearForward(at(a.y2), at(a.attn), cross.out.data, nil, rows: B, inDim: I, outDim: C)
            residualForward(at(a.y2), at(a.y2), at(a.y1), count: B * C)
            feedForward(
                at(a.out), at(a.y2), normed: at(a.normed3), rstd: at(a.rstd3), pre: at(a.pre), gate: at(a.gate),
                act: at(a.act), w.feedForward, rows: B, onFFN: nil)
            y = UnsafePointer(at(a.out))
        }
        let out = at(layout.decoderOut)
        rmsNormForward(out, at(layout.decoderRstd), y, decoder.finalNorm.data, rows: B, cols: C, eps: config.eps)
        if config.scaleDecoderOutputs {
            let scale = 1 / Float(C).squareRoot()
            for i in 0..<B * C { out[i] *= scale }
        }
    }

    // dEncoded (N,C) += the decoder step's backward of dDecoded (B,C); dKey, dValue (N,I) scratch
    func decoderBackward(
        _ dDecoded: UnsafePointer<Float>, dEncoded: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>,
        dTmp: UnsafeMutablePointer<Float>, dq: UnsafeMutablePointer<Float>, dAttn: UnsafeMutablePointer<Float>,
        dPre: UnsafeMutablePointer<Float>, dGate: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>,
        dValue: UnsafeMutablePointer<Float>
    ) {
        let layout = layout!
        let decoder = weights.decoder!
        let rows = batch.rows
        let B = batch.count
        let (C, I) = (config.hidden, config.inner)
        dTmp.update(from: dDecoded, count: B * C)
        if config.scaleDecoderOutputs {
            let scale = 1 / Float(C).squareRoot()
            for i in 0..<B * C { dTmp[i] *= scale }
        }
        let last = layout.decoderLayers.last!
        rmsNormBackward(
            dy, dTmp, at(last.out), at(layout.decoderRstd), decoder.finalNorm.data, rows: B, cols: C,
            accumulate: false)
        let queryOffsets = Array(0...B)
        for index in decoder.layers.indices.reversed() {
            let a = layout.decoderLayers[index]
            let w = decoder.layers[index]
            let input = index == 0 ? at(layout.decoderStart) : at(layout.decoderLayers[index - 1].out)
            // feed-forward: dy stays the residual's gradient, dy2 = dy + FFN backward
            feedForwardBackward(
                dy, UnsafePointer(dy), h: at(a.y2), normed: at(a.normed3), rstd: at(a.rstd3), pre: at(a.pre),
                gate: at(a.gate), act: at(a.act), w.feedForward, rows: B, dNormed: dTmp, dPre: dPre, dGate: dGate)
            // cross-attention: dy1 = dy2 + norm2 backward of Wq-side gradients; encoded gets K and V's
            let cross = w.crossAttention
            linearBackward(dAttn, dy, cross.out.data, rows: B, inDim: I, outDim: C)
            attendBackward(
                dAttn, query: at(a.query), key: at(a.key), value: at(a.value), probs: at(a.probs),
                probOffsets: layout.crossOffsets, queryOffsets: queryOffsets, keyOffsets: batch.offsets, dq: dq,
                dk: dKey, dv: dValue)
            linearBackward(dEncoded, dKey, cross.key.data, rows: rows, inDim: C, outDim: I, accumulate: true)
            linearBackward(dEncoded, dValue, cross.value.data, rows: rows, inDim: C, outDim: I, accumulate: true)
            linearBackward(dTmp, dq, cross.query.data, rows: B, inDim: C, outDim: I)
            rmsNormBackward(dy, dTmp, at(a.y1), at(a.rstd2), cross.norm.data, rows: B, cols: C, accumulate: true)
            // self-attention over the one step: y1 = y + Wo·Wv·norm1(y)
            let selfAttention = w.selfAttention
            linearBackward(dAttn, dy, selfAttention.out.data, rows: B, inDim: I, outDim: C)
            linearBackward(dTmp, dAttn, selfAttention.value.data, rows: B, inDim: C, outDim: I)
            rmsNormBackward(dy, dTmp, input, at(a.rstd1), selfAttention.norm.data, rows: B, cols: C, accumulate: true)
        }
    }

    // MARK: attention (encoder self-attention, decoder cross-attention)

    // out (Nq,I) = per sequence s and head: softmax(q kᵀ + bias) v, T5's unscaled scores; the
    // queries of s are rows queryOffsets[s]..<queryOffsets[s+1], its keys keyOffsets[s]..<…[s+1]
    func attend(
        _ out: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
        value: UnsafePointer<Float>, queryOffsets: [Int], keyOffsets: [Int], bias: RelativePositionBias?,
        probs: UnsafeMutablePointer<Float>?, probOffsets: [Int]
    ) {
        attention(queryOffsets: queryOffsets, keyOffsets: keyOffsets, bias: bias).forward(
            out, query: query, key: key, value: value, probs: probs, probOffsets: probOffsets,
            scores: layout!.workerScores.map { at($0) })
    }

    // dq (Nq,I), dk (Nk,I), dv (Nk,I) (overwritten) from dOut (Nq,I)
    func attendBackward(
        _ dOut: UnsafePointer<Float>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
        value: UnsafePointer<Float>, probs: UnsafePointer<Float>, probOffsets: [Int], queryOffsets: [Int],
        keyOffsets: [Int], dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
        dv: UnsafeMutablePointer<Float>
    ) {
        let attention = attention(queryOffsets: queryOffsets, keyOffsets: keyOffsets, bias: nil)
        attention.backward(
            dOut, query: query, key: key, value: value, probs: probs, probOffsets: probOffsets, dq: dq, dk: dk,
            dv: dv, dScores: Attention.workerScratch(&gradScratch, floats: attention.largestScores))
    }

    func attention(queryOffsets: [Int], keyOffsets: [Int], bias: RelativePositionBias?) -> Attention {
        Attention(
            heads: config.heads, headDim: config.headDim, stride: config.inner, scale: 1, queryOffsets: queryOffsets,
            keyOffsets: keyOffsets, firstQuery: nil, bias: bias)
    }
}
