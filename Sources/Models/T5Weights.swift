// T5's config and frozen weights (T5ForConditionalGeneration / T5EncoderModel safetensors):
// what the encoder–decoder of T5Pass.swift reads.
import Foundation
import Plumbing
import TensorFiles
import Tensors

/// The parts of a T5 `config.json` the encoder–decoder needs.
public struct T5Config {
    public enum FeedForward: String {
        case relu  // T5 v1.0: wo(relu(wi x))
        case gatedGelu = "gated-gelu"  // v1.1 / flan-t5: wo(gelu_new(wi_0 x) ⊙ wi_1 x)
    }

    public var vocabSize: Int
    public var hidden: Int  // d_model
    public var headDim: Int  // d_kv
    public var heads: Int
    public var intermediate: Int  // d_ff
    public var layers: Int
    public var decoderLayers: Int
    public var buckets: Int
    public var maxDistance: Int
    public var eps: Float
    public var feedForward: FeedForward
    /// The decoder's output times d_model^-0.5 before the LM head (T5 v1.0, whose head is the
    /// tied word embeddings); v1.1 has its own head and no scaling.
    public var scaleDecoderOutputs: Bool
    public var padTokenId: Int
    public var eosTokenId: Int
    public var decoderStartTokenId: Int

    /// Width of the attention's inner space (heads × d_kv, not necessarily d_model).
    public var inner: Int { heads * headDim }
    /// The longest sequence the encoder takes here (T5 has no position table; the relative
    /// bias is precomputed up to this distance).
    public static let maxSequence = 4096

    static func load(_ j: ConfigFile) throws -> T5Config {
        let path = j.path
        let type = j.modelType ?? ""
        guard type == "t5" else { throw ToolError.data(path, "model_type '\(type)' is not t5") }
        let projection = j["feed_forward_proj"]?.string ?? "relu"
        guard let feedForward = FeedForward(rawValue: projection) else {
            throw ToolError(
                "\(path): feed_forward_proj '\(projection)' is not supported (relu and gated-gelu are)")
        }
        let layers = try j.int("num_layers")
        // transformers 5 records the scaling itself; configs written before it say it by tie_word_embeddings
        let scale = j["scale_decoder_outputs"]?.bool ?? (j["tie_word_embeddings"]?.bool ?? true)
        let c = T5Config(
            vocabSize: try j.int("vocab_size"), hidden: try j.int("d_model"), headDim: try j.int("d_kv"),
            heads: try j.int("num_heads"), intermediate: try j.int("d_ff"), layers: layers,
            decoderLayers: try j.int("num_decoder_layers", layers),
            buckets: try j.int("relative_attention_num_buckets", 32),
            maxDistance: try j.int("relative_attention_max_distance", 128),
            eps: Float(j["layer_norm_epsilon"]?.double ?? 1e-6), feedForward: feedForward, scaleDecoderOutputs: scale,
            padTokenId: try j.int("pad_token_id", 0), eosTokenId: try j.int("eos_token_id", 1),
            decoderStartTokenId: try j.int("decoder_start_token_id", 0))
        for (name, value) in [
            ("vocab_size", c.vocabSize), ("d_model", c.hidden), ("d_kv", c.headDim), ("num_heads", c.heads),
            ("d_ff", c.intermediate), ("num_layers", c.layers), ("relative_attention_num_buckets", c.buckets),
        ] where value <= 0 || value > 1 << 20 {
            throw ToolError.data(path, "\(name) \(value) is out of range")
        }
        guard c.buckets >= 4, c.maxDistance > c.buckets / 4 else {
            throw ToolError.data(path, "relative_attention_max_distance \(c.maxDistance) for \(c.buckets) buckets")
        }
        guard (0..<c.vocabSize).contains(c.decoderStartTokenId) else {
            throw ToolError.data(path, "decoder_start_token_id \(c.decoderStartTokenId) is outside the vocabulary")
        }
        return c
    }
}

/// One attention block's projections (no biases in T5): q, k, v (inner, C), o (C, inner), and
/// the RMS norm before it.
public struct T5AttentionWeights {
    public let query: Tensor, key: Tensor, value: Tensor, out: Tensor
    public let norm: Tensor
}

/// The feed-forward block: wi (F, C) or wi_0 and wi_1, wo (C, F), and the RMS norm before it.
public struct T5FeedForwardWeights {
    public let input: Tensor  // wi or wi_0
    public let gate: Tensor?  // wi_1 (gated)
    public let out: Tensor
    public let norm: Tensor
}

public struct T5EncoderLayerWeights {
    public let attention: T5AttentionWeights
    public let feedForward: T5FeedForwardWeights
}

public struct T5DecoderLayerWeights {
    public let selfAttention: T5AttentionWeights
    public let crossAttention: T5AttentionWeights
    public let feedForward: T5FeedForwardWeights
}

/// The decoder and its LM head (absent in a T5EncoderModel checkpoint).
public struct T5DecoderWeights {
    public let layers: [T5DecoderLayerWeights]
    public let finalNorm: Tensor
    /// The decoder's own relative bias (unidirectional). At the first decoding step the one
    /// query sees only itself, so it does not change the result; it is loaded to check the file.
    public let relativeBias: RelativePositionBias
    public let head: Tensor  // (vocab, C): lm_head, or the shared embeddings when there is none
}

public struct T5Weights {
    public let words: Tensor  // shared (vocab, C)
    public let layers: [T5EncoderLayerWeights]
    public let finalNorm: Tensor
    public let relativeBias: RelativePositionBias
    public let decoder: T5DecoderWeights?

    init(file: SafetensorsFile, config c: T5Config) throws {
        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard file.entries[name] != nil else { throw ToolError.data(file.path, "missing tensor \(name)") }
            let t = try file.tensor(name)
            guard t.shape == shape else {
                throw ToolError.data(file.path, "tensor \(name) has shape \(t.shape), config says \(shape)")
            }
            return t
        }
        let C = c.hidden
        func attention(_ p: String, _ norm: String) throws -> T5AttentionWeights {
            T5AttentionWeights(
                query: try tensor(p + ".q.weight", [c.inner, C]), key: try tensor(p + ".k.weight", [c.inner, C]),
                value: try tensor(p + ".v.weight", [c.inner, C]), out: try tensor(p + ".o.weight", [C, c.inner]),
                norm: try tensor(norm, [C]))
        }
        func feedForward(_ p: String, _ norm: String) throws -> T5FeedForwardWeights {
            let gated = c.feedForward == .gatedGelu
            return T5FeedForwardWeights(
                input: try tensor(p + (gated ? ".wi_0.weight" : ".wi.weight"), [c.intermediate, C]),
                gate: gated ? try tensor(p + ".wi_1.weight", [c.intermediate, C]) : nil,
                out: try tensor(p + ".wo.weight", [C, c.intermediate]), norm: try tensor(norm, [C]))
        }
        let wordsName = file.entries["shared.weight"] != nil ? "shared.weight" : "encoder.embed_tokens.weight"
        words = try tensor(wordsName, [c.vocabSize, C])
        layers = try (0..<c.layers).map { l in
            let p = "encoder.block.\(l).layer."
            return T5EncoderLayerWeights(
                attention: try attention(p + "0.SelfAttention", p + "0.layer_norm.weight"),
                feedForward: try feedForward(p + "1.DenseReluDense", p + "1.layer_norm.weight"))
        }
        finalNorm = try tensor("encoder.final_layer_norm.weight", [C])
        relativeBias = RelativePositionBias(
            table: try tensor(
                "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", [c.buckets, c.heads]),
            buckets: c.buckets, maxSequence: T5Config.maxSequence, maxDistance: c.maxDistance)
        guard file.entries["decoder.final_layer_norm.weight"] != nil else {
            decoder = nil
            return
        }
        let decoderLayers = try (0..<c.decoderLayers).map { l in
            let p = "decoder.block.\(l).layer."
            return T5DecoderLayerWeights(
                selfAttention: try attention(p + "0.SelfAttention", p + "0.layer_norm.weight"),
                crossAttention: try attention(p + "1.EncDecAttention", p + "1.layer_norm.weight"),
                feedForward: try feedForward(p + "2.DenseReluDense", p + "2.layer_norm.weight"))
        }
        decoder = T5DecoderWeights(
            layers: decoderLayers, finalNorm: try tensor("decoder.final_layer_norm.weight", [C]),
            relativeBias: RelativePositionBias(
                table: try tensor(
                    "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", [c.buckets, c.heads]),
                buckets: c.buckets, maxSequence: 1, maxDistance: c.maxDistance, bidirectional: false),
            head: file.entries["lm_head.weight"] != nil ? try tensor("lm_head.weight", [c.vocabSize, C]) : words)
    }
}
