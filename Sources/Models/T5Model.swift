// A T5 encoder–decoder from a Hugging Face model folder: the encoder's hidden states, and the
// first decoder step's logits over chosen words with their backward to soft-prompt vectors
// (how the paper reads a T5 prompt's label).
import Foundation
import Plumbing
import TensorFiles
import Tensors

public final class T5Model {
    public let config: T5Config
    public let weights: T5Weights
    public let folder: String
    let file: SafetensorsFile
    let pass: T5Pass
    private var decoded = false
    private var lastWords: [Int] = []

    public convenience init(folder: String) throws {
        try self.init(folder: folder, configFile: ConfigFile(path: folder + "/config.json"))
    }

    init(folder: String, configFile: ConfigFile) throws {
        self.folder = folder
        config = try T5Config.load(configFile)
        file = try openCheckpoint(folder: folder)
        weights = try T5Weights(file: file, config: config)
        pass = T5Pass(config: config, weights: weights)
    }

    public var hasDecoder: Bool { weights.decoder != nil }

    func check(_ batch: Batch, promptTokens: [Int32]?, promptLength: Int?) throws {
        for b in 0..<batch.count where batch.length(b) > T5Config.maxSequence || batch.length(b) == 0 {
            throw ToolError(
                "sequence \(b) has \(batch.length(b)) tokens; the model takes 1 to \(T5Config.maxSequence)")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ToolError("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        if let promptTokens {
            guard promptTokens.count == batch.rows else {
                throw ToolError("\(promptTokens.count) prompt-token entries for \(batch.rows) rows")
            }
            if let promptLength, let bad = promptTokens.first(where: { $0 >= promptLength }) {
                throw ToolError("prompt token \(bad) outside a prompt of \(promptLength)")
            }
        }
    }

    /// The encoder's final hidden states (N,C) after its final norm, valid until the next call;
    /// rows whose `prompt.tokens` entry is k ≥ 0 take prompt vector k; `onFFN(layer, act (N,F))`.
    public func encode(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)? = nil,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)? = nil
    ) throws -> UnsafeMutablePointer<Float> {
        try check(batch, promptTokens: prompt?.tokens, promptLength: nil)
        decoded = false
        return pass.forward(batch, prompt: prompt, keep: false, decode: false, onFFN: onFFN)
    }

    /// The first decoder step's logits (B, words.count) at the given vocabulary rows (every row
    /// when nil), one per sequence; the forward is kept for `backward`.
    public func firstStepLogits(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>, count: Int)? = nil,
        words: [Int]? = nil
    ) throws -> Tensor {
        guard let decoder = weights.decoder else {
            throw ToolError.data(folder, "the checkpoint has no decoder (a T5EncoderModel); the label needs one")
        }
        try check(batch, promptTokens: prompt?.tokens, promptLength: prompt?.count)
        let rows = words ?? Array(0..<config.vocabSize)
        if let bad = rows.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw ToolError("word id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        pass.forward(batch, prompt: prompt.map { ($0.tokens, $0.vectors) }, keep: true, decode: true)
        decoded = true
        lastWords = rows
        let C = config.hidden
        let out = Tensor(zeros: [batch.count, rows.count])
        let h = pass.decoderOutput
        for b in 0..<batch.count {
            for (j, w) in rows.enumerated() {
                let e = decoder.head.row(w)
                var sum: Float = 0
                for c in 0..<C { sum += h[b * C + c] * e[c] }
                out.data[b * rows.count + j] = sum
            }
        }
        return out
    }

    /// The last `firstStepLogits`' decoder output (B,C), before the LM head.
    public var lastDecoderStates: [Float] {
        precondition(decoded, "lastDecoderStates follows firstStepLogits")
        return Array(UnsafeBufferPointer(start: pass.decoderOutput, count: pass.batch.count * config.hidden))
    }

    /// Gradient of the loss with respect to every prompt vector, dPrompt (n,C) (overwritten), from
    /// the gradient of the last `firstStepLogits` dLogits (B, words.count).
    public func backward(_ dLogits: [Float], dPrompt: UnsafeMutablePointer<Float>, promptLength n: Int) {
        precondition(decoded && dLogits.count % max(lastWords.count, 1) == 0, "backward follows firstStepLogits")
        let decoder = weights.decoder!
        let C = config.hidden
        let B = dLogits.count / lastWords.count
        var dDecoded = [Float](repeating: 0, count: B * C)
        for b in 0..<B {
            for (j, w) in lastWords.enumerated() {
                let g = dLogits[b * lastWords.count + j]
                let e = decoder.head.row(w)
                for c in 0..<C { dDecoded[b * C + c] += g * e[c] }
            }
        }
        pass.backward(dDecoded, dPrompt: dPrompt, promptLength: n)
    }
}
