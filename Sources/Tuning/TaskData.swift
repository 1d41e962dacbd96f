import Foundation
import Models
import Plumbing
import Tokenizers

/// A labelled example as `prepare-data` writes it.
public struct LabeledText {
    public var id: String, a: String, b: String?, label: Int
    public init(id: String, a: String, b: String?, label: Int) {
        self.id = id
        self.a = a
        self.b = b
        self.label = label
    }
}

/// Reads `{"id","text_a","text_b"?,"label"}` lines (as `prepare-data` writes them); labels must
/// be in 0..<classes.
public func readLabeledTexts(_ path: String, classes: Int) throws -> [LabeledText] {
    try ExampleFile.read(path, fields: ExampleFields(), classes: classes)
}

/// Examples tokenized once and laid out by a template, ready to be batched.
public struct EncodedSet {
    public var items: [PromptTemplate.Encoded] = []
    public var labels: [Int] = []
    public var truncated = 0

    public init(
        _ texts: [LabeledText], tokenizer: Tokenizer, template: PromptTemplate, promptLength n: Int,
        maxTextTokens: Int, maxSequence: Int, typeVocab: Int
    ) throws {
        for t in texts {
            var a = tokenizer.tokenize(t.a)
            var b = t.b.map { tokenizer.tokenize($0) }
            let cut =
                template.truncateTail
                ? Truncation.tail(&a, &b, maxLength: maxTextTokens)
                : Truncation.longestFirst(&a, &b, maxLength: maxTextTokens)
            if cut { truncated += 1 }
            let e = template.encode(a, b, promptLength: n, typeVocab: typeVocab)
            guard e.ids.count <= maxSequence else {
                throw ToolError(
                    "\(t.id): \(e.ids.count) tokens with the prompt, over the model's \(maxSequence); lower "
                    + "--max-text-tokens or --prompt-length"
                )
            }
            items.append(e)
            labels.append(t.label)
        }
    }

    public var count: Int { items.count }

    public func input(_ indices: ArraySlice<Int>, firstPosition: Int) -> PromptInput {
        var p = PromptInput()
        for i in indices {
            let e = items[i]
            p.append(
                ids: e.ids, typeIds: e.types, promptToken: e.promptToken, readRow: e.readRow,
                firstPosition: firstPosition,
                positionless: e.positionless)
        }
        return p
    }
}
