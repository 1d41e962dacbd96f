import Foundation
import Plumbing
import TensorFiles

/// The parts of a Hugging Face `config.json` the encoder needs.
public struct ModelConfig {
    public enum Family: String { case bert, roberta, mpnet }

    public var family: Family
    public var vocabSize: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    public var maxPositions: Int
    public var typeVocab: Int
    public var layerNormEps: Float
    public var padTokenId: Int
    public var tieWordEmbeddings: Bool
    public var architectures: [String]
    /// Buckets of the relative position bias added to attention scores (MPNet); 0: none.
    public var relativeBuckets = 0

    public var headDim: Int { hidden / heads }

    /// Position id of the first token: BERT counts from 0; RoBERTa and MPNet from padding_idx + 1.
    public var firstPosition: Int { family == .bert ? 0 : padTokenId + 1 }
    /// Whether the pair layout is RoBERTa's (`<s> A </s></s> B </s>`, one token type).
    public var robertaLayout: Bool { family != .bert }
    /// The longest sequence the position table allows.
    public var maxSequence: Int { maxPositions - firstPosition }

    static func load(_ j: ConfigFile) throws -> ModelConfig {
        let path = j.path
        let type = j.modelType ?? "bert"
        guard let family = Family(rawValue: type) else {
            throw ToolError.data(path, "model_type '\(type)' is not supported (bert, roberta, mpnet and t5 are)")
        }
        let act = j["hidden_act"]?.string ?? "gelu"
        guard act == "gelu" else {
            throw ToolError.data(path, "hidden_act '\(act)' is not supported (gelu, the exact erf form, is)")
        }
        if let pe = j["position_embedding_type"]?.string, pe != "absolute" {
            throw ToolError.data(path, "position_embedding_type '\(pe)' is not supported (absolute is)")
        }
        var c = ModelConfig(
            family: family, vocabSize: try j.int("vocab_size"), hidden: try j.int("hidden_size"),
            layers: try j.int("num_hidden_layers"), heads: try j.int("num_attention_heads"),
            intermediate: try j.int("intermediate_size"), maxPositions: try j.int("max_position_embeddings"),
            typeVocab: family == .mpnet ? 1 : try j.int("type_vocab_size", 2),
            layerNormEps: Float(j["layer_norm_eps"]?.double ?? 1e-12),
            padTokenId: try j.int("pad_token_id", family == .bert ? 0 : 1),
            tieWordEmbeddings: j["tie_word_embeddings"]?.bool ?? true,
            architectures: j["architectures"]?.array?.compactMap { $0.string } ?? [])
        if family == .mpnet {
            c.relativeBuckets = try j.int("relative_attention_num_buckets", 32)
        }
        guard c.hidden % c.heads == 0 else {
            throw ToolError.data(path, "hidden_size \(c.hidden) is not a multiple of num_attention_heads \(c.heads)")
        }
        return c
    }
}

/// A model folder's `config.json`, parsed; errors name the file.
struct ConfigFile {
    let path: String
    let json: JSON

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("\(path): cannot read model config")
        }
        self.path = path
        do {
            json = try JSON.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw ToolError.data(path, "\(error)")
        }
    }

    subscript(key: String) -> JSON? { json[key] }
    var modelType: String? { json["model_type"]?.string }

    /// The integer under `key`, else `default`; missing without a default is an error.
    func int(_ key: String, _ default: Int? = nil) throws -> Int {
        if let v = json[key]?.int { return v }
        if let `default` { return `default` }
        throw ToolError.data(path, "missing \(key)")
    }
}

/// A model folder's checkpoint: `model.safetensors` only (a pickle is never executed).
func openCheckpoint(folder: String) throws -> SafetensorsFile {
    let path = folder + "/model.safetensors"
    guard FileManager.default.fileExists(atPath: path) else {
        throw ToolError(
            "\(folder): no model.safetensors (only safetensors checkpoints are read; a pickle is never executed)")
    }
    return try SafetensorsFile(path: path)
}
