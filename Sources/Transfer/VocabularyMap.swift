// Cross-model transfer without task data (the "vocabulary-to-vocabulary" recycling baseline of
// Lester et al. 2022): a linear map from one model's input embedding space to another's, fitted
// by ridge least squares over the tokens both vocabularies share (matched by string), applied
// to each prompt vector.
import Foundation
import Plumbing
import TensorFiles
import Tensors

/// y (d_t) = W (d_t, d_s) · x (d_s) + b, one prompt vector at a time.
public struct VocabularyMap {
    public let sourceDim: Int
    public let targetDim: Int
    public var weight: [Float]  // (d_t, d_s), row-major
    public var bias: [Float]  // (d_t)

    public init(sourceDim: Int, targetDim: Int, weight: [Float], bias: [Float]) {
        precondition(weight.count == targetDim * sourceDim && bias.count == targetDim)
        self.sourceDim = sourceDim
        self.targetDim = targetDim
        self.weight = weight
        self.bias = bias
    }

    /// What a fit reports: how many tokens it used and its root-mean-square error per
    /// coordinate on them and on the held-out tokens.
    public struct Fit {
        public let shared: Int
        public let heldOut: Int
        public let trainRMSE: Double
        public let heldOutRMSE: Double
        /// The RMSE of predicting every target embedding by the target table's mean: the floor.
        public let meanBaselineRMSE: Double
    }

    /// Fits W and b on the rows `pairs` = (source row, target row) of the two tables, holding out
    /// `heldOutFraction` of them (seeded) to measure the fit. `ridge` is relative: λ = ridge ×
    /// the mean diagonal of XᵀX.
    public static func fit(
        source: Tensor, target: Tensor, pairs: [(Int, Int)], ridge: Double, heldOutFraction: Double = 0.05,
        seed: UInt64 = 0
    ) throws -> (VocabularyMap, Fit) {
        let sourceDim = source.cols
        let targetDim = target.cols
        let columns = sourceDim + 1  // the last column of X is 1: the bias
        var order = Array(pairs.indices)
        var rng = SplitMix64(seed: seed ^ 0x70CA)
        order.seededShuffle(&rng)
        let heldCount = Int(Double(pairs.count) * heldOutFraction)
        let held = order.prefix(heldCount).map { pairs[$0] }
        let train = order.dropFirst(heldCount).map { pairs[$0] }
        guard train.count > columns else {
            throw ToolError("only \(train.count) shared tokens to fit \(columns) coefficients per target dimension")
        }
        // X (rows × columns, last column 1) and Y (rows × d_t) in double; G = XᵀX, XᵀY by dgemm
        let rows = train.count
        var x = [Double](repeating: 1, count: rows * columns)
        var y = [Double](repeating: 0, count: rows * targetDim)
        for (r, (s, t)) in train.enumerated() {
            let sourceRow = source.row(s)
            let targetRow = target.row(t)
            for i in 0..<sourceDim { x[r * columns + i] = Double(sourceRow[i]) }
            for k in 0..<targetDim { y[r * targetDim + k] = Double(targetRow[k]) }
        }
        var gram = [Double](repeating: 0, count: columns * columns)
        var xty = [Double](repeating: 0, count: columns * targetDim)
        BLAS.dgemmTN(columns, columns, rows, x, lda: columns, x, ldb: columns, &gram, ldc: columns)
        BLAS.dgemmTN(columns, targetDim, rows, x, lda: columns, y, ldb: targetDim, &xty, ldc: targetDim)
        let meanDiagonal = (0..<sourceDim).reduce(0.0) { $0 + gram[$1 * columns + $1] } / Double(sourceDim)
        for i in 0..<sourceDim { gram[i * columns + i] += ridge * meanDiagonal }
        let solution = try solveSymmetricPositive(gram, xty, size: columns, rightHandSides: targetDim)
        var map = VocabularyMap(
            sourceDim: sourceDim, targetDim: targetDim,
            weight: [Float](repeating: 0, count: targetDim * sourceDim), bias: [Float](repeating: 0, count: targetDim))
        for k in 0..<targetDim {
            for i in 0..<sourceDim { map.weight[k * sourceDim + i] = Float(solution[i * targetDim + k]) }
            map.bias[k] = Float(solution[sourceDim * targetDim + k])
        }
        var mean = [Double](repeating: 0, count: targetDim)
        for (_, t) in train {
            for k in 0..<targetDim { mean[k] += Double(target.row(t)[k]) / Double(train.count) }
        }
        func rmse(_ rows: [(Int, Int)], predict: (Int) -> [Float]) -> Double {
            guard !rows.isEmpty else { return .nan }
            var sum = 0.0
            for (s, t) in rows {
                let y = predict(s)
                for k in 0..<targetDim {
                    let e = Double(y[k]) - Double(target.row(t)[k])
                    sum += e * e
                }
            }
            return (sum / Double(rows.count * targetDim)).squareRoot()
        }
        let apply = { (s: Int) in map.map(Array(UnsafeBufferPointer(start: source.row(s), count: sourceDim))) }
        let meanFloats = mean.map { Float($0) }
        let fit = Fit(
            shared: pairs.count, heldOut: held.count, trainRMSE: rmse(train, predict: apply),
            heldOutRMSE: rmse(held, predict: apply), meanBaselineRMSE: rmse(held, predict: { _ in meanFloats }))
        return (map, fit)
    }

    /// One vector (d_s) → (d_t).
    public func map(_ x: [Float]) -> [Float] {
        precondition(x.count == sourceDim)
        return (0..<targetDim).map { k in
            var acc = bias[k]
            let w = k * sourceDim
            for i in 0..<sourceDim { acc += weight[w + i] * x[i] }
            return acc
        }
    }

    /// A prompt (n, d_s) → (n, d_t), vector by vector.
    public func mapPrompt(_ prompt: [Float], length n: Int) -> [Float] {
        precondition(prompt.count == n * sourceDim)
        return (0..<n).flatMap { map(Array(prompt[($0 * sourceDim)..<(($0 + 1) * sourceDim)])) }
    }

    public func tensors() -> [(String, Tensor)] {
        [
            ("vocab.weight", Tensor(shape: [targetDim, sourceDim], values: weight)),
            ("vocab.bias", Tensor(shape: [targetDim], values: bias)),
        ]
    }

    /// From a projector file of kind `vocab` (its metadata already checked by the caller).
    public static func read(
        _ file: SafetensorsFile, sourceDim: Int, targetDim: Int, path: String
    ) throws -> VocabularyMap {
        let w = try file.tensor("vocab.weight")
        let b = try file.tensor("vocab.bias")
        guard w.shape == [targetDim, sourceDim], b.shape == [targetDim] else {
            throw ToolError.data(
                path, "vocab.weight \(w.shape) / vocab.bias \(b.shape) do not map \(sourceDim) → \(targetDim)")
        }
        try Checked.finite(w, name: "vocab.weight", file: path)
        try Checked.finite(b, name: "vocab.bias", file: path)
        return VocabularyMap(sourceDim: sourceDim, targetDim: targetDim, weight: w.array, bias: b.array)
    }
}

/// Solves A X = B for a symmetric positive definite A (size × size) by Cholesky, B (size ×
/// rightHandSides) row-major; returns X in B's layout.
func solveSymmetricPositive(_ a: [Double], _ b: [Double], size n: Int, rightHandSides m: Int) throws -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard sum > 0 else {
                    throw ToolError("the least-squares system is not positive definite; raise --ridge")
                }
                l[i * n + i] = sum.squareRoot()
            } else {
                l[i * n + j] = sum / l[j * n + j]
            }
        }
    }
    var x = b
    for c in 0..<m {  // L y = b, then Lᵀ x = y, column by column
        for i in 0..<n {
            var sum = x[i * m + c]
            for k in 0..<i { sum -= l[i * n + k] * x[k * m + c] }
            x[i * m + c] = sum / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[i * m + c]
            for k in (i + 1)..<n { sum -= l[k * n + i] * x[k * m + c] }
            x[i * m + c] = sum / l[i * n + i]
        }
    }
    return x
}

/// A projector file of either kind, ready to map prompts: the learned MLP (`project train
/// --objective task|distance`, one prompt length) or the vocabulary map (`--objective vocab`,
/// any prompt length).
public enum PromptProjector {
    case mlp(Projector)
    case vocab(VocabularyMap)

    public var sourceDim: Int {
        switch self {
        case .mlp(let p): return p.sourceDim
        case .vocab(let v): return v.sourceDim
        }
    }

    public var targetDim: Int {
        switch self {
        case .mlp(let p): return p.targetDim
        case .vocab(let v): return v.targetDim
        }
    }

    /// The prompt length it takes, or nil for any.
    public var promptLength: Int? {
        switch self {
        case .mlp(let p): return p.n
        case .vocab: return nil
        }
    }

    /// A prompt (n, d_s) → (n, d_t).
    public func map(_ prompt: [Float], length n: Int) -> [Float] {
        switch self {
        case .mlp(let p): return p.forward(prompt, batch: 1)
        case .vocab(let v): return v.mapPrompt(prompt, length: n)
        }
    }

    public static func read(_ path: String) throws -> (PromptProjector, [String: String]) {
        let file = try SafetensorsFile(path: path)
        let m = file.metadata
        guard m["kind"] == "vocab" else {
            let (p, meta) = try Projector.read(file, path: path)
            return (.mlp(p), meta)
        }
        guard m["format"] == "prompt-transfer/projector", let ds = Int(m["source_hidden"] ?? ""),
            let dt = Int(m["target_hidden"] ?? ""), (1...65_536).contains(ds), (1...65_536).contains(dt)
        else {
            throw ToolError.data(
                path, "not a vocabulary projector file (write one with `project train --objective vocab`)")
        }
        return (.vocab(try VocabularyMap.read(file, sourceDim: ds, targetDim: dt, path: path)), m)
    }
}
