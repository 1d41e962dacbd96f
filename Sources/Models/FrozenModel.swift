// What the tools need of a frozen model whatever its architecture (a BERT-family encoder, or
// T5's encoder–decoder), and loading the right one from a model folder by its config.
import Foundation
import Plumbing
import Tensors

public protocol FrozenModel: AnyObject {
    var folder: String { get }
    var hidden: Int { get }
    var vocabSize: Int { get }
    /// The encoder's layers and feed-forward width (what the neuron-overlap indicator reads).
    var layers: Int { get }
    var intermediate: Int { get }
    /// The input word embeddings (vocab, C).
    var wordEmbeddings: Tensor { get }
    var maxSequence: Int { get }
    var typeVocab: Int { get }
    /// Position id of the first token (0 where the model has no position table).
    var firstPosition: Int { get }
    /// The encoder's final hidden states (N,C), valid until the next call; rows whose
    /// `prompt.tokens` entry is k ≥ 0 take prompt vector k; `onFFN(layer, act (N,F))` sees each
    /// layer's feed-forward activations.
    func encoderStates(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)?
    ) throws -> UnsafeMutablePointer<Float>
}

/// The model in `folder`, by its config's `model_type`: T5 (`t5`) or a BERT-family encoder.
public func loadModel(folder: String) throws -> FrozenModel {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
        throw ToolError.usage("--model \(folder): no such model folder (make models fetches the toolkit's)")
    }
    let configFile = try ConfigFile(path: folder + "/config.json")
    if configFile.modelType == "t5" {
        return try T5Model(folder: folder, configFile: configFile)
    }
    return try Encoder(folder: folder, configFile: configFile)
}

extension Encoder: FrozenModel {
    public var hidden: Int { config.hidden }
    public var vocabSize: Int { config.vocabSize }
    public var layers: Int { config.layers }
    public var intermediate: Int { config.intermediate }
    public var wordEmbeddings: Tensor { weights.words }
    public var maxSequence: Int { config.maxSequence }
    public var typeVocab: Int { config.typeVocab }
    public var firstPosition: Int { config.firstPosition }

    public func encoderStates(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)?
    ) throws -> UnsafeMutablePointer<Float> {
        try forward(batch, prompt: prompt, onFFN: onFFN)
    }
}

extension T5Model: FrozenModel {
    public var hidden: Int { config.hidden }
    public var vocabSize: Int { config.vocabSize }
    public var layers: Int { config.layers }
    public var intermediate: Int { config.intermediate }
    public var wordEmbeddings: Tensor { weights.words }
    public var maxSequence: Int { T5Config.maxSequence }
    public var typeVocab: Int { 1 }
    public var firstPosition: Int { 0 }

    public func encoderStates(
        _ batch: Batch, prompt: (tokens: [Int32], vectors: UnsafePointer<Float>)?,
        onFFN: ((Int, UnsafePointer<Float>) -> Void)?
    ) throws -> UnsafeMutablePointer<Float> {
        try encode(batch, prompt: prompt, onFFN: onFFN)
    }
}
