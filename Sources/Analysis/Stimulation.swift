import Foundation
import Models
import Plumbing
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
    public var layers: [Int]? = nil  // nil: all
    public var threshold: Float = 0
    /// The prompt layout of `paper-1.0` (see PromptTemplate): prompt row 0 is the mask token
    /// and prompt rows get no position embedding — how the released RoBERTa prompts were run.
    public var maskFirst = false
    public var promptWithoutPositions = false

    public init() {}

    public static func parseRead(_ s: String) throws -> Read {
        switch s {
        case "start": return .start
        case "prompt": return .prompt
        case "all": return .all
        default:
            let p = s.split(separator: ",").compactMap { Int($0) }
            guard !p.isEmpty, p.count == s.split(separator: ",").count else {
                throw ToolError.usage("--read is start, prompt, all or positions like 0,5")
            }
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
        .object([
            .init("model", .string(model)), .init("text", .string(text)), .init("read", .string(readText)),
            .init("layers", .array((layers ?? Array(0..<count)).map { .number($0) })),
            .init("threshold", .number(threshold)),
            .init("mask_first", .bool(maskFirst)), .init("prompt_no_position", .bool(promptWithoutPositions)),
        ])
    }

    /// The mask of one prompt: for each chosen layer (in order), read positions × intermediate bits.
    public func mask(_ prompt: Tensor, model: FrozenModel, tokenizer: Tokenizer) throws -> [UInt8] {
        try activations(prompt, model: model, tokenizer: tokenizer).map { $0 > threshold ? 1 : 0 }
    }

    /// The activations the mask binarises, in the same order.
    public func activations(_ prompt: Tensor, model: FrozenModel, tokenizer: Tokenizer) throws -> [Float] {
        let n = prompt.shape[0]
        let I = model.intermediate
        guard prompt.shape[1] == model.hidden else {
            throw ToolError(
                "prompt of hidden size \(prompt.shape[1]) cannot stimulate a model of hidden size "
                + "\(model.hidden)"
            )
        }
        // the start token ([CLS], <s>); T5 has none and takes its </s>
        guard let start = tokenizer.special.cls ?? tokenizer.special.sep else {
            throw ToolError("the tokenizer has no start token (nor </s>)")
        }
        let textIds = tokenizer.tokenize(text)
        var ids = [Int32](repeating: 0, count: n)
        ids.append(start)
        ids.append(contentsOf: textIds)
        var tokens = (0..<n).map(Int32.init)
        tokens.append(contentsOf: repeatElement(-1, count: 1 + textIds.count))
        if maskFirst, n > 0 {
            guard let mask = tokenizer.special.mask else { throw ToolError("the tokenizer has no mask token") }
            ids[0] = mask
            tokens[0] = -1
        }
        var batch = Batch()
        batch.append(
            ids: ids, firstPosition: model.firstPosition, positionless: promptWithoutPositions ? 0..<n : 0..<0)
        let rows: [Int]
        switch read {
        case .start: rows = [n]
        case .prompt: rows = Array(0..<n)
        case .all: rows = Array(0..<ids.count)
        case .positions(let p):
            guard p.allSatisfy({ $0 >= 0 && $0 < ids.count }) else {
                throw ToolError.usage("--read positions must be below \(ids.count)")
            }
            rows = p
        }
        let chosen = layers ?? Array(0..<model.layers)
        guard chosen.allSatisfy({ $0 >= 0 && $0 < model.layers }) else {
            throw ToolError.usage("--layers must be below \(model.layers)")
        }
        var byLayer: [Int: [Float]] = [:]
        _ = try prompt.data.withMemoryRebound(to: Float.self, capacity: prompt.count) { p in
            try model.encoderStates(batch, prompt: (tokens, UnsafePointer(p))) { layer, act in
                guard chosen.contains(layer) else { return }
                var values = [Float]()
                values.reserveCapacity(rows.count * I)
                for r in rows { values.append(contentsOf: UnsafeBufferPointer(start: act + r * I, count: I)) }
                byLayer[layer] = values
            }
        }
        return chosen.flatMap { byLayer[$0]! }
    }
}
