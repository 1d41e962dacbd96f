import Foundation
import Models
import Plumbing
import Tensors
import Tokenizers

/// How a prompt starts: `random` (normal, the word embeddings' std), `vocab` (embeddings of
/// sampled vocabulary tokens), `text:...` (embeddings of a text's tokens, repeated to n), or
/// `from:FILE` (an existing prompt: transfer as initialisation).
public enum PromptInit: Equatable {
    case random, vocab, text(String), from(String)

    public init(parsing s: String) throws {
        switch s {
        case "random": self = .random
        case "vocab": self = .vocab
        case _ where s.hasPrefix("text:"): self = .text(String(s.dropFirst(5)))
        case _ where s.hasPrefix("from:"): self = .from(String(s.dropFirst(5)))
        default: throw ToolError.usage("--init must be random, vocab, text:\"...\" or from:FILE, not '\(s)'")
        }
    }

    public var description: String {
        switch self {
        case .random: return "random"
        case .vocab: return "vocab"
        case .text(let t): return "text:" + t
        case .from(let f): return "from:" + f
        }
    }

    /// The n × C starting values.
    public func values(
        n: Int, model: FrozenModel, tokenizer: Tokenizer, identity: ModelIdentity, seed: UInt64
    ) throws -> [Float] {
        let C = model.hidden
        let E = model.wordEmbeddings
        var rng = SplitMix64(seed: seed ^ 0x5EED_1417)
        switch self {
        case .random:
            var sum: Double = 0
            var sq: Double = 0
            for i in 0..<E.count {
                sum += Double(E.data[i])
                sq += Double(E.data[i]) * Double(E.data[i])
            }
            let mean = sum / Double(E.count)
            let std = Float((sq / Double(E.count) - mean * mean).squareRoot())
            return (0..<(n * C)).map { _ in std * rng.normal() }
        case .vocab:
            // Ordinary word pieces only: skip [PAD], [unusedK] and other special ids at the start.
            let low = min(1000, model.vocabSize - 1)
            return (0..<n).flatMap { _ in
                Array(
                    UnsafeBufferPointer(
                        start: E.row(low + Int(rng.next() % UInt64(model.vocabSize - low))), count: C))
            }
        case .text(let t):
            let ids = tokenizer.tokenize(t)
            guard !ids.isEmpty else { throw ToolError.usage("--init text: the text has no tokens") }
            return (0..<n).flatMap { i in Array(UnsafeBufferPointer(start: E.row(Int(ids[i % ids.count])), count: C)) }
        case .from(let path):
            let p = try PromptFile.read(path)
            guard p.hidden == C else {
                throw ToolError.data(
                    path, "prompt of hidden size \(p.hidden) cannot start a prompt for hidden size \(C)")
            }
            if let id = p.metadata["model_id"], id != identity.id {
                throw ToolError(
                    "\(path): prompt was tuned for model \(p.metadata["model"] ?? id), not \(identity.name); project "
                    + "it first"
                )
            }
            guard p.length == n else {
                throw ToolError.usage("\(path): prompt has \(p.length) vectors; pass --prompt-length \(p.length)")
            }
            return p.prompt.array
        }
    }
}

extension SplitMix64 {
    /// A standard normal draw (Box–Muller), reproducible from the seed.
    public mutating func normal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}
