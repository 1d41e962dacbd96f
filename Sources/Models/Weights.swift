import Foundation
import Plumbing
import TensorFiles
import Tensors

/// Tensor names as they appear in BERT-family checkpoints, resolved robustly: with or
/// without the `bert.`/`roberta.`/`mpnet.` prefix, LayerNorm as weight/bias or the old gamma/beta.
struct CheckpointNames {
    let file: SafetensorsFile
    let prefixes: [String]

    init(file: SafetensorsFile, family: ModelConfig.Family) {
        self.file = file
        prefixes = ["", family.rawValue + ".", "model."]
    }

    func resolve(_ name: String) -> String? {
        var candidates = [name]
        if name.hasSuffix(".weight") { candidates.append(String(name.dropLast(7)) + ".gamma") }
        if name.hasSuffix(".bias") { candidates.append(String(name.dropLast(5)) + ".beta") }
        for c in candidates { for p in prefixes where file.entries[p + c] != nil { return p + c } }
        return nil
    }

    func has(_ name: String) -> Bool { resolve(name) != nil }

    func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        guard let n = resolve(name) else { throw ToolError.data(file.path, "missing tensor \(name)") }
        let t = try file.tensor(n)
        guard t.shape == shape else {
            throw ToolError.data(file.path, "tensor \(n) has shape \(t.shape), config says \(shape)")
        }
        return t
    }
}

public struct LinearWeights {
    public let weight: Tensor  // (out, in)
    public let bias: Tensor  // (out)
}

public struct NormWeights {
    public let weight: Tensor, bias: Tensor
}

public struct LayerWeights {
    public let query: LinearWeights, key: LinearWeights, value: LinearWeights
    public let attnOut: LinearWeights
    public let attnNorm: NormWeights
    public let ffnIn: LinearWeights, ffnOut: LinearWeights
    public let ffnNorm: NormWeights
}

/// The MLM head: dense → GELU → LayerNorm, then the decoder (usually tied to the word
/// embeddings) plus a bias over the vocabulary.
public struct HeadWeights {
    public let transform: LinearWeights
    public let norm: NormWeights
    public let decoder: Tensor  // (vocab, hidden)
    public let bias: Tensor  // (vocab)
}

/// The names of a layer's tensors in each family's checkpoints.
struct LayerNames {
    let query, key, value, attnOut, attnNorm, ffnIn, ffnOut, ffnNorm: String

    init(_ family: ModelConfig.Family) {
        switch family {
        case .bert, .roberta:
            (query, key, value) = ("attention.self.query", "attention.self.key", "attention.self.value")
            (attnOut, attnNorm) = ("attention.output.dense", "attention.output.LayerNorm")
        case .mpnet:
            (query, key, value) = ("attention.attn.q", "attention.attn.k", "attention.attn.v")
            (attnOut, attnNorm) = ("attention.attn.o", "attention.LayerNorm")
        }
        (ffnIn, ffnOut, ffnNorm) = ("intermediate.dense", "output.dense", "output.LayerNorm")
    }
}

public struct EncoderWeights {
    public let words: Tensor, positions: Tensor, types: Tensor
    public let embedNorm: NormWeights
    public let layers: [LayerWeights]
    public let head: HeadWeights?
    /// MPNet's relative position bias, shared by all layers.
    public let relativeBias: RelativePositionBias?

    init(_ ck: CheckpointNames, _ c: ModelConfig) throws {
        let C = c.hidden
        func lin(_ n: String, _ o: Int, _ i: Int) throws -> LinearWeights {
            LinearWeights(weight: try ck.tensor(n + ".weight", [o, i]), bias: try ck.tensor(n + ".bias", [o]))
        }
        func norm(_ n: String) throws -> NormWeights {
            NormWeights(weight: try ck.tensor(n + ".weight", [C]), bias: try ck.tensor(n + ".bias", [C]))
        }
        words = try ck.tensor("embeddings.word_embeddings.weight", [c.vocabSize, C])
        positions = try ck.tensor("embeddings.position_embeddings.weight", [c.maxPositions, C])
        // MPNet has no token types: one zero row, so every model adds a type row alike.
        types =
            c.family == .mpnet
            ? Tensor(zeros: [1, C]) : try ck.tensor("embeddings.token_type_embeddings.weight", [c.typeVocab, C])
        embedNorm = try norm("embeddings.LayerNorm")
        let names = LayerNames(c.family)
        layers = try (0..<c.layers).map { l in
            let p = "encoder.layer.\(l)."
            return LayerWeights(
                query: try lin(p + names.query, C, C), key: try lin(p + names.key, C, C),
                value: try lin(p + names.value, C, C), attnOut: try lin(p + names.attnOut, C, C),
                attnNorm: try norm(p + names.attnNorm),
                ffnIn: try lin(p + names.ffnIn, c.intermediate, C),
                ffnOut: try lin(p + names.ffnOut, C, c.intermediate), ffnNorm: try norm(p + names.ffnNorm))
        }
        relativeBias =
            c.relativeBuckets > 0
            ? RelativePositionBias(
                table: try ck.tensor("encoder.relative_attention_bias.weight", [c.relativeBuckets, c.heads]),
                buckets: c.relativeBuckets, maxSequence: c.maxSequence)
            : nil
        head = try EncoderWeights.loadHead(ck, c, words, lin, norm)
    }

    private static func loadHead(
        _ ck: CheckpointNames, _ c: ModelConfig, _ words: Tensor,
        _ lin: (String, Int, Int) throws -> LinearWeights,
        _ norm: (String) throws -> NormWeights
    ) throws -> HeadWeights? {
        let p =
            ck.has("cls.predictions.transform.dense.weight")
            ? "cls.predictions." : ck.has("lm_head.dense.weight") ? "lm_head." : nil
        guard let p else { return nil }
        let bert = p == "cls.predictions."
        let transform = try lin(p + (bert ? "transform.dense" : "dense"), c.hidden, c.hidden)
        let hnorm = try norm(p + (bert ? "transform.LayerNorm" : "layer_norm"))
        let decoder =
            ck.has(p + "decoder.weight") && !c.tieWordEmbeddings
            ? try ck.tensor(p + "decoder.weight", [c.vocabSize, c.hidden]) : words
        let biasName = ck.has(p + "bias") ? p + "bias" : p + "decoder.bias"
        return HeadWeights(
            transform: transform, norm: hnorm, decoder: decoder, bias: try ck.tensor(biasName, [c.vocabSize]))
    }
}
