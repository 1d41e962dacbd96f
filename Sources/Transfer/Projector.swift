// Cross-model transfer: the projector that maps one model's prompts into another's space.
import Foundation
import Plumbing
import TensorFiles
import Tensors

/// Maps a prompt of one model [n, d_s] into another model's embedding space [n, d_t]:
/// flatten → Linear(n·d_s → h) → LeakyReLU or Tanh → Linear(h → n·d_t) → reshape →
/// optional per-token LayerNorm. Parameters live in one flat array so AdamW can step them
/// together; each layer's forward sits beside its backward.
public final class Projector {
    public enum Activation: String, CaseIterable { case leakyrelu, tanh }

    public let n: Int, sourceDim: Int, targetDim: Int, hidden: Int
    public let activation: Activation
    public let layerNorm: Bool
    public var params: [Float]
    // offsets of each parameter in `params`
    let w1: Int, b1: Int, w2: Int, b2: Int, gamma: Int, beta: Int
    var inDim: Int { n * sourceDim }
    var outDim: Int { n * targetDim }
    // forward cache (batch B)
    var x: [Float] = [], pre: [Float] = [], act: [Float] = [], y: [Float] = [], xhat: [Float] = [], rstd: [Float] = []
    var batch = 0

    public init(
        n: Int, sourceDim: Int, targetDim: Int, hidden: Int, activation: Activation, layerNorm: Bool, seed: UInt64
    ) {
        self.n = n
        self.sourceDim = sourceDim
        self.targetDim = targetDim
        self.hidden = hidden
        self.activation = activation
        self.layerNorm = layerNorm
        let i = n * sourceDim
        let o = n * targetDim
        w1 = 0
        b1 = w1 + hidden * i
        w2 = b1 + hidden
        b2 = w2 + o * hidden
        gamma = b2 + o
        beta = gamma + targetDim
        params = [Float](repeating: 0, count: beta + targetDim)
        // PyTorch's default Linear init: U(−1/√fan_in, 1/√fan_in), here from the seed.
        var rng = SplitMix64(seed: seed ^ 0x9B0)
        func uniform(_ bound: Float) -> Float { bound * (Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1) }
        for k in w1..<b2 { params[k] = uniform(1 / Float(k < w2 ? i : hidden).squareRoot()) }
        for k in b2..<gamma { params[k] = uniform(1 / Float(hidden).squareRoot()) }
        for k in gamma..<beta { params[k] = 1 }
    }

    /// y (B, n·d_t) from x (B, n·d_s).
    public func forward(_ input: [Float], batch b: Int) -> [Float] {
        precondition(input.count == b * inDim)
        batch = b
        x = input
        pre = [Float](repeating: 0, count: b * hidden)
        params.withUnsafeBufferPointer { p in
            linearForward(&pre, x, p.baseAddress! + w1, p.baseAddress! + b1, rows: b, inDim: inDim, outDim: hidden)
        }
        act = pre.map { v in activation == .tanh ? Foundation.tanh(v) : (v > 0 ? v : 0.01 * v) }
        var out = [Float](repeating: 0, count: b * outDim)
        params.withUnsafeBufferPointer { p in
            linearForward(&out, act, p.baseAddress! + w2, p.baseAddress! + b2, rows: b, inDim: hidden, outDim: outDim)
        }
        y = out
        guard layerNorm else { return out }
        xhat = [Float](repeating: 0, count: out.count)
        rstd = [Float](repeating: 0, count: b * n)
        var normed = out
        params.withUnsafeBufferPointer { p in
            layerNormForwardSaving(
                &normed, &xhat, &rstd, out, p.baseAddress! + gamma, p.baseAddress! + beta,
                rows: b * n, cols: targetDim, eps: 1e-5)
        }
        return normed
    }

    /// Parameter gradient (same layout as `params`) from dOut (B, n·d_t), for the last forward.
    public func backward(_ dOut: [Float]) -> [Float] {
        let b = batch
        let rows = b * n
        let T = targetDim
        var g = [Float](repeating: 0, count: params.count)
        var dy = dOut
        if layerNorm {
            for r in 0..<rows {
                for c in 0..<T {
                    g[gamma + c] += dOut[r * T + c] * xhat[r * T + c]
                    g[beta + c] += dOut[r * T + c]
                }
            }
            params.withUnsafeBufferPointer { p in
                layerNormBackward(&dy, dOut, xhat, rstd, p.baseAddress! + gamma, rows: rows, cols: T)
            }
        }
        // second linear: dW2 = dyᵀ · act, db2 = Σ dy, dact = dy · W2
        g.withUnsafeMutableBufferPointer { gp in
            BLAS.gemmTN(outDim, hidden, b, dy, lda: outDim, act, ldb: hidden, gp.baseAddress! + w2, ldc: hidden)
        }
        for i in 0..<b { for o in 0..<outDim { g[b2 + o] += dy[i * outDim + o] } }
        var dact = [Float](repeating: 0, count: b * hidden)
        params.withUnsafeBufferPointer { p in
            BLAS.gemmNN(b, hidden, outDim, dy, lda: outDim, p.baseAddress! + w2, ldb: hidden, &dact, ldc: hidden)
        }
        for k in 0..<dact.count {
            dact[k] *= activation == .tanh ? 1 - act[k] * act[k] : (pre[k] > 0 ? 1 : 0.01)
        }
        // first linear: dW1 = dactᵀ · x, db1 = Σ dact
        g.withUnsafeMutableBufferPointer { gp in
            BLAS.gemmTN(hidden, inDim, b, dact, lda: hidden, x, ldb: inDim, gp.baseAddress! + w1, ldc: inDim)
        }
        for i in 0..<b { for h in 0..<hidden { g[b1 + h] += dact[i * hidden + h] } }
        return g
    }

    // MARK: files

    public func tensors() -> [(String, Tensor)] {
        func t(_ name: String, _ shape: [Int], _ from: Int) -> (String, Tensor) {
            (name, Tensor(shape: shape, values: Array(params[from..<(from + shape.reduce(1, *))])))
        }
        var out = [
            t("linear1.weight", [hidden, inDim], w1), t("linear1.bias", [hidden], b1),
            t("linear2.weight", [outDim, hidden], w2), t("linear2.bias", [outDim], b2),
        ]
        if layerNorm { out += [t("norm.weight", [targetDim], gamma), t("norm.bias", [targetDim], beta)] }
        return out
    }

    public static func read(_ path: String) throws -> (Projector, [String: String]) {
        try read(SafetensorsFile(path: path), path: path)
    }

    /// From an open projector file of kind mlp (the default).
    public static func read(_ f: SafetensorsFile, path: String) throws -> (Projector, [String: String]) {
        let m = f.metadata
        guard m["format"] == "prompt-transfer/projector", let n = Int(m["prompt_length"] ?? ""),
            let ds = Int(m["source_hidden"] ?? ""),
            let dt = Int(m["target_hidden"] ?? ""), let h = Int(m["hidden"] ?? ""),
            let act = Activation(rawValue: m["activation"] ?? "")
        else {
            throw ToolError.data(path, "not a projector file (write one with `project train`)")
        }
        let sizes = [n, ds, dt, h]
        guard sizes.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }),
            let inputs = Checked.elementCount([n, ds]), let outputs = Checked.elementCount([n, dt]),
            let first = Checked.elementCount([inputs, h]), let second = Checked.elementCount([outputs, h]),
            first <= f.fileSize, second <= f.fileSize
        else {
            throw ToolError.data(
                path,
                "projector sizes \(sizes) (prompt length, source, "
                    + "target, hidden) do not fit the file")
        }
        let p = Projector(
            n: n, sourceDim: ds, targetDim: dt, hidden: h, activation: act, layerNorm: m["layer_norm"] == "true",
            seed: 0)
        for (name, t) in p.tensors() {
            let stored = try f.tensor(name)
            guard stored.shape == t.shape else {
                throw ToolError.data(path, "\(name) has shape \(stored.shape), expected \(t.shape)")
            }
            try Checked.finite(stored, name: name, file: path)
            let off = [
                "linear1.weight": p.w1, "linear1.bias": p.b1, "linear2.weight": p.w2, "linear2.bias": p.b2,
                "norm.weight": p.gamma, "norm.bias": p.beta,
            ][name]!
            for k in 0..<stored.count { p.params[off + k] = stored.data[k] }
        }
        return (p, m)
    }
}
