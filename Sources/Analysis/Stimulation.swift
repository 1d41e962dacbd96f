import Foundation
import Models
import Plumbing
import Tensors
import Tokenizers
import Tuning

/// The FFN neurons a prompt switches on: the prompt is fed to the frozen model laid out as it
/// was tuned (its recorded template, with no task text, read at the mask row: `[CLS] P [MASK]
/// [SEP]`), or in the paper's stimulus (`P [CLS]`, read at the start token: `--layout bert`, and
/// with `#mask-first` / `#prompt-no-position` the released prompts' layout); the activations
/// after the FFN's activation function are taken at the read position(s) in the chosen layers,
/// and binarised (> threshold).
public struct Stimulation {
    /// `auto`: the mask row under the prompt's own template (T5: its last row), the start token
    /// in the paper's stimulus.
    public enum Read: Equatable { case auto, start, prompt, all, positions([Int]) }

    public var text = ""
    public var read = Read.auto
    /// Lay each prompt out in the template it records (the default); false: the paper's stimulus.
    public var ownTemplate = true
    public var layers: [Int]? = nil  // nil: all
    public var threshold: Float = 0
    /// The prompt layout of `paper-1.0` (see PromptTemplate): prompt row 0 is the mask token
    /// and prompt rows get no position embedding — how the released RoBERTa prompts were run.
    public var maskFirst = false
    public var promptWithoutPositions = false

    public init() {}

    public static func parseRead(_ s: String) throws -> Read {
        switch s {
        case "auto": return .auto
        case "start": return .start
        case "prompt": return .prompt
        case "all": return .all
        default:
            let p = s.split(separator: ",").compactMap { Int($0) }
            guard !p.isEmpty, p.count == s.split(separator: ",").count else {
                throw ToolError.usage("--read is auto, start, prompt, all or positions like 0,5")
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

    /// The layout as --layout names it: own (each prompt's recorded template) or start-token.
    public var layoutText: String { ownTemplate ? "own" : "start-token" }

    public var readText: String {
        switch read {
        case .auto: return "auto"
        case .start: return "start"
        case .prompt: return "prompt"
        case .all: return "all"
        case .positions(let p): return p.map(String.init).joined(separator: ",")
        }
    }

    public func settingsJSON(model: String, layers count: Int) -> JSON {
        .object([
            .init("model", .string(model)), .init("text", .string(text)), .init("read", .string(readText)),
            .init("layout", .string(layoutText)),
            .init("layers", .array((layers ?? Array(0..<count)).map { .number($0) })),
            .init("threshold", .number(threshold)),
            .init("mask_first", .bool(maskFirst)), .init("prompt_no_position", .bool(promptWithoutPositions)),
        ])
    }

    /// The mask of one prompt: for each chosen layer (in order), read positions × intermediate bits.
    public func mask(
        _ prompt: Tensor, template: String?, model: FrozenModel, tokenizer: Tokenizer
    ) throws -> [UInt8] {
        try activations(prompt, template: template, model: model, tokenizer: tokenizer).map { $0 > threshold ? 1 : 0 }
    }

    /// The input rows of a stimulus: ids, prompt-vector index per row (−1: a token), rows without
    /// a position, and the row `read: auto` reads.
    struct Stimulus {
        var ids: [Int32], tokens: [Int32], positionless: Range<Int>, autoRow: Int
    }

    /// The prompt in its recorded template with the stimulus text as text_a.
    func ownLayout(n: Int, template: String?, model: FrozenModel, tokenizer: Tokenizer) throws -> Stimulus {
        guard let template, !template.isEmpty else {
            throw ToolError.usage(
                "the prompt records no template to lay it out in; give --layout bert (the paper's P [CLS] stimulus) "
                    + "or the template it was tuned with (e.g. paper-1.0 for the released RoBERTa prompts)")
        }
        let t = try PromptTemplate(template, tokenizer: tokenizer, readsAtMask: !(model is T5Model))
        let e = t.encode(tokenizer.tokenize(text), [Int32]?.none, promptLength: n, typeVocab: model.typeVocab)
        let autoRow = model is T5Model ? e.ids.count - 1 : e.readRow
        return Stimulus(ids: e.ids, tokens: e.promptToken, positionless: e.positionless, autoRow: autoRow)
    }

    /// The paper's stimulus: `P [CLS] text` (T5: `P </s> text`), with the layout options.
    func startTokenLayout(n: Int, tokenizer: Tokenizer) throws -> Stimulus {
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
        return Stimulus(ids: ids, tokens: tokens, positionless: promptWithoutPositions ? 0..<n : 0..<0, autoRow: n)
    }

    /// The activations the mask binarises, in the same order.
    public func activations(
        _ prompt: Tensor, template: String?, model: FrozenModel, tokenizer: Tokenizer
    ) throws -> [Float] {
        let n = prompt.shape[0]
        let I = model.intermediate
        guard prompt.shape[1] == model.hidden else {
            throw ToolError(
                "prompt of hidden size \(prompt.shape[1]) cannot stimulate a model of hidden size "
                + "\(model.hidden)"
            )
        }
        let stimulus =
            ownTemplate
            ? try ownLayout(n: n, template: template, model: model, tokenizer: tokenizer)
            : try startTokenLayout(n: n, tokenizer: tokenizer)
        let ids = stimulus.ids
        let tokens = stimulus.tokens
        var batch = Batch()
        batch.append(ids: ids, firstPosition: model.firstPosition, positionless: stimulus.positionless)
        let rows: [Int]
        switch read {
        case .auto: rows = [stimulus.autoRow]
        case .start:
            guard let row = ids.firstIndex(where: { [tokenizer.special.cls, tokenizer.special.sep].contains($0) })
            else { throw ToolError("no start token in the stimulus") }
            rows = [row]
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
