// A BERT-family encoder: its config and frozen weights, loaded from a model folder, and the
// inference forward (the layers themselves are in EncoderPass.swift).
import Foundation
import Plumbing
import TensorFiles
import Tensors

/// A BERT-family encoder (BERT, RoBERTa, MPNet) from a Hugging Face model folder: frozen weights,
/// a forward pass over a packed `Batch`, and the MLM head when the checkpoint has one.
public final class Encoder {
    public let config: ModelConfig
    public let weights: EncoderWeights
    public let folder: String
    let file: SafetensorsFile
    lazy var pass = EncoderPass(config: config, weights: weights)  // inference's forward

    public convenience init(folder: String) throws {
        try self.init(folder: folder, configFile: ConfigFile(path: folder + "/config.json"))
    }

    init(folder: String, configFile: ConfigFile) throws {
        self.folder = folder
        config = try ModelConfig.load(configFile)
        file = try openCheckpoint(folder: folder)
        weights = try EncoderWeights(CheckpointNames(file: file, family: config.family), config)
    }

    public var hasHead: Bool { weights.head != nil }

    /// Final hidden states, out (N,C) for the batch's N rows; valid until the next call.
    /// With `prompt`, rows whose `tokens` entry is k ≥ 0 take prompt vector k instead of their
    /// word embedding; `onFFN(layer, act (N,I))` sees each layer's FFN activations after GELU.
    public func forward(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)? = nil,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)? = nil
    ) throws -> UnsafeMutablePointer<Float> {
        try check(batch)
        return pass.forward(batch, prompt: prompt, readRows: nil, keep: false, onFFN: onFFN)
    }

    func check(_ batch: Batch) throws {
        for b in 0..<batch.count where batch.length(b) > config.maxSequence {
            throw ToolError(
                "sequence \(b) has \(batch.length(b)) tokens; the model takes at most \(config.maxSequence)")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ToolError("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        if let bad = batch.typeIds.first(where: { $0 < 0 || Int($0) >= config.typeVocab }) {
            throw ToolError("token type \(bad) is outside the model's \(config.typeVocab) types")
        }
    }
}
