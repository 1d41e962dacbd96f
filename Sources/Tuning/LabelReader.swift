// How a frozen model reads a label from an input that carries the soft prompt, with its
// backward to the prompt: an encoder at the mask through a Readout, or T5's first decoder step.
// Tuning and evaluation run on this, whatever the architecture.
import Foundation
import Models
import Plumbing
import Tensors

public protocol LabelReader: AnyObject {
    var kind: Readout.Kind { get }
    /// The label words' vocabulary ids, one per class.
    var words: [Int] { get }
    /// Label logits (B,K) of a batch carrying the prompt (n vectors).
    func logits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws -> [Float]
    /// The loss gradient of every prompt vector (n·C) from dLogits (B,K) of the last `logits`.
    func promptGradient(_ dLogits: [Float], promptLength n: Int) -> [Float]
    /// The states the label is read from (B,C): the mask rows' last hidden states, or T5's first
    /// decoder step's output; and the label logits (B,K) computed from them.
    func statesAndLogits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws
        -> (states: [Float], logits: [Float])
}

/// An encoder read at each sequence's mask row through a Readout (mlm or tied).
public final class MaskReader: LabelReader {
    let encoder: PromptEncoder
    let readout: Readout

    public init(_ kind: Readout.Kind, words: [Int], encoder: Encoder) throws {
        self.encoder = PromptEncoder(encoder: encoder)
        readout = try Readout(kind, words: words, encoder: encoder)
    }

    public var kind: Readout.Kind { readout.kind }
    public var words: [Int] { readout.words }

    public func logits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws -> [Float] {
        let h = try encoder.forward(input, prompt: prompt, promptLength: n)
        return readout.forward(h, rows: input.batch.count)
    }

    public func statesAndLogits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws
        -> (states: [Float], logits: [Float])
    {
        let h = try encoder.forward(input, prompt: prompt, promptLength: n)
        let states = Array(UnsafeBufferPointer(start: h, count: input.batch.count * encoder.encoder.config.hidden))
        return (states, readout.forward(h, rows: input.batch.count))
    }

    public func promptGradient(_ dLogits: [Float], promptLength n: Int) -> [Float] {
        var gradient = [Float](repeating: 0, count: n * encoder.encoder.config.hidden)
        encoder.backward(readout.backward(dLogits), dPrompt: &gradient, promptLength: n)
        return gradient
    }
}

/// T5: the first decoder step's logits at the label words (the paper's T5 readout).
public final class DecoderReader: LabelReader {
    let model: T5Model
    public let words: [Int]

    public init(words: [Int], model: T5Model) throws {
        guard model.hasDecoder else {
            throw ToolError.data(model.folder, "the checkpoint has no decoder (a T5EncoderModel); labels need one")
        }
        if let bad = words.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
            throw ToolError("label word id \(bad) outside the vocabulary")
        }
        self.model = model
        self.words = words
    }

    public var kind: Readout.Kind { .decoder }

    public func logits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws -> [Float] {
        guard prompt.count == n * model.config.hidden else {
            throw ToolError("a prompt of \(prompt.count) values is not \(n) × \(model.config.hidden)")
        }
        return try prompt.withUnsafeBufferPointer { p in
            try model.firstStepLogits(input.batch, prompt: (input.promptToken, p.baseAddress!, n), words: words).array
        }
    }

    public func statesAndLogits(_ input: PromptInput, prompt: [Float], promptLength n: Int) throws
        -> (states: [Float], logits: [Float])
    {
        let logits = try self.logits(input, prompt: prompt, promptLength: n)
        return (model.lastDecoderStates, logits)
    }

    public func promptGradient(_ dLogits: [Float], promptLength n: Int) -> [Float] {
        var gradient = [Float](repeating: 0, count: n * model.config.hidden)
        model.backward(dLogits, dPrompt: &gradient, promptLength: n)
        return gradient
    }
}

/// The default readout of a model: T5 reads at its decoder; an encoder through its MLM head
/// when it has one, else through its tied word embeddings.
public func defaultReadout(_ model: FrozenModel) -> Readout.Kind {
    if model is T5Model { return .decoder }
    return (model as? Encoder)?.hasHead == true ? .mlm : .tied
}

/// Refuses a readout the model cannot have (T5 reads at its decoder only; an encoder never does).
public func checkReadout(_ kind: Readout.Kind, model: FrozenModel) throws {
    if model is T5Model, kind != .decoder {
        throw ToolError.usage("\(model.folder): T5 reads labels at its decoder (readout 'decoder'), not '\(kind)'")
    }
    if !(model is T5Model), kind == .decoder {
        throw ToolError.usage("\(model.folder): readout 'decoder' is T5's; this encoder reads mlm or tied")
    }
}

/// The label reader of `kind` on `model`.
public func labelReader(_ kind: Readout.Kind, words: [Int], model: FrozenModel) throws -> LabelReader {
    try checkReadout(kind, model: model)
    if let t5 = model as? T5Model {
        return try DecoderReader(words: words, model: t5)
    }
    guard let encoder = model as? Encoder else { throw ToolError.data(model.folder, "no label reader for this model") }
    return try MaskReader(kind, words: words, encoder: encoder)
}
