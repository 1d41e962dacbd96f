// Soft-prompt inputs and the encoder with a backward pass to the prompt vectors (training).
import Foundation
import Plumbing
import Tensors

/// Sequences whose input rows are token embeddings or soft-prompt vectors, each read at one
/// row (the `[MASK]`).
public struct PromptInput {
    public var batch = Batch()
    /// Per row: the prompt token whose vector replaces the word embedding, or -1.
    public var promptToken: [Int32] = []
    /// Per sequence: the row (within the sequence) the label is read at.
    public var readRow: [Int] = []

    public init() {}

    public mutating func append(
        ids: [Int32], typeIds: [Int32], promptToken: [Int32], readRow: Int, firstPosition: Int,
        positionless: Range<Int> = 0..<0
    ) {
        precondition(ids.count == promptToken.count && readRow >= 0 && readRow < ids.count)
        batch.append(ids: ids, typeIds: typeIds, firstPosition: firstPosition, positionless: positionless)
        self.promptToken += promptToken
        self.readRow.append(readRow)
    }
}

/// The encoder with a backward pass to its input rows, for soft prompt tuning: the forward
/// keeps the activations the backward needs (in one arena), the backward returns the loss
/// gradient of every prompt vector. Weights are frozen: no weight gradient is computed.
public final class PromptEncoder {
    public let encoder: Encoder
    let pass: EncoderPass

    public init(encoder: Encoder) {
        self.encoder = encoder
        pass = EncoderPass(config: encoder.config, weights: encoder.weights)
    }

    /// Hidden states at each sequence's read row, out (B,C), valid until the next call.
    public func forward(
        _ inp: PromptInput, prompt: UnsafePointer<Float>,
        promptLength n: Int
    ) throws -> UnsafeMutablePointer<Float> {
        try encoder.check(inp.batch)
        if let bad = inp.promptToken.first(where: { $0 >= n }) {
            throw ToolError("prompt token \(bad) outside a prompt of \(n)")
        }
        return pass.forward(inp.batch, prompt: (inp.promptToken, prompt), readRows: inp.readRow, keep: true)
    }

    /// Gradient of the loss with respect to every prompt vector, dPrompt (n,C) (overwritten),
    /// from the gradient at the read rows dOut (B,C).
    public func backward(_ dOut: UnsafePointer<Float>, dPrompt: UnsafeMutablePointer<Float>, promptLength n: Int) {
        pass.backward(dOut, dPrompt: dPrompt, promptLength: n)
    }
}
