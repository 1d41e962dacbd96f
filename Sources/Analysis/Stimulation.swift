import Foundation
import Models
import PipelineIO
import Tensors
import Tokenizers

/// The FFN neurons a prompt switches on: the prompt is fed to the frozen model (by default
/// followed by a single start token and no task text, as in the paper), the activations
/// after the FFN's activation function are taken at the read position(s) in the chosen
/// layers, and binarised (> threshold).
public struct Stimulation {
    public enum Read: Equatable { case start, prompt, all, positions([Int]) }

    public var text = ""
    public var read = Read.start
    public var layers: [Int]? = nil      // nil: all
    public var threshold: Float = 0

    public init() {}

    public static func parseRead(_ s: String) throws -> Read {
        switch s {
        case "start": return .start
        case "prompt": return .prompt
        case "all": return .all
        default:
            let p = s.split(separator: ",").compactMap { Int($0) }
            guard !p.isEmpty, p.count == s.split(separator: ",").count else { throw ToolError.usage("--read is start, prompt, all or positions like 0,5") }
            return .positions(p)
        }
    }

    /// "0,2,5" → [0, 2, 5]; nil stays nil (all layers).
    public static func parseLayers(_ s: String?) throws -> [Int]? {
        try s.map { text in
            try text.split(separator: ",").map { part in
                guard let v = Int(part) else { throw ToolError.usage("--layers takes integers, not '\(part)'") }
                return v
            }
        }
    }

    public var readText: String {
        switch read {
        case .start: return "start"
        case .prompt: return "prompt"
        case .all: return "all"
        case .positions(let p): return p.map(String.init).joined(separator: ",")
        }
    }

    public func settingsJSON(model: String, layers count: Int) -> JSON {
        .object([.init("model", .string(model)), .init("text", .string(text)), .init("read", .string(readText)),
                 .init("layers", .array((layers ?? Array(0..<count)).map { .number($0) })), .init("threshold", .number(threshold))])
    }

    /// The mask of one prompt: for each chosen layer (in order), read positions × intermediate bits.
    public func mask(_ prompt: Tensor, encoder: Encoder, tokenizer: Tokenizer) throws -> [UInt8] {
        let n = prompt.shape[0], I = encoder.config.intermediate
        guard prompt.shape[1] == encoder.config.hidden else {
            throw ToolError("prompt of hidden size \(prompt.shape[1]) cannot stimulate a model of hidden size \(encoder.config.hidden)")
        }
        guard let start = tokenizer.special.cls else { throw ToolError("the tokenizer has no start token") }
        let textIds = tokenizer.tokenize(text)
        let ids: [Int32] = Array(repeating: 0, count: n) + [start] + textIds
        let tokens: [Int32] = (0..<n).map(Int32.init) + Array(repeating: -1, count: 1 + textIds.count)
        var batch = Batch()
        batch.append(ids: ids, firstPosition: encoder.config.firstPosition)
        let rows: [Int]
        switch read {
        case .start: rows = [n]
        case .prompt: rows = Array(0..<n)
        case .all: rows = Array(0..<ids.count)
        case .positions(let p):
            guard p.allSatisfy({ $0 >= 0 && $0 < ids.count }) else { throw ToolError.usage("--read positions must be below \(ids.count)") }
            rows = p
        }
        let chosen = layers ?? Array(0..<encoder.config.layers)
        guard chosen.allSatisfy({ $0 >= 0 && $0 < encoder.config.layers }) else { throw ToolError.usage("--layers must be below \(encoder.config.layers)") }
        var byLayer: [Int: [UInt8]] = [:]
        let threshold = self.threshold
        _ = try prompt.data.withMemoryRebound(to: Float.self, capacity: prompt.count) { p in
            try encoder.forward(batch, prompt: (tokens, UnsafePointer(p))) { layer, act in
                guard chosen.contains(layer) else { return }
                var bits = [UInt8](); bits.reserveCapacity(rows.count * I)
                for r in rows { for k in 0..<I { bits.append(act[r * I + k] > threshold ? 1 : 0) } }
                byLayer[layer] = bits
            }
        }
        return chosen.flatMap { byLayer[$0]! }
    }
}
