/// Tokens matched in the raw text before normalisation (`[CLS]`, `[MASK]`, …), as the
/// `tokenizers` added vocabulary does: a user writing "[MASK]" in a text gets the mask token.
public struct AddedToken {
    public let content: [Unicode.Scalar]
    public let id: Int32
    public let lstrip: Bool
    public let rstrip: Bool
    public let singleWord: Bool
}

public struct AddedVocabulary {
    public let tokens: [AddedToken]  // longest first, so the longest match wins
    private let firstScalars: [Unicode.Scalar]  // each token's first, once: most positions start none

    public init(_ tokens: [AddedToken]) {
        self.tokens = tokens.filter { !$0.content.isEmpty }.sorted { $0.content.count > $1.content.count }
        firstScalars = Array(Set(self.tokens.map { $0.content[0] }))
    }

    public enum Segment { case text(ArraySlice<Unicode.Scalar>), token(Int32) }

    /// Splits `text` into plain stretches and added tokens (leftmost match, then longest).
    public func split(_ text: [Unicode.Scalar]) -> [Segment] {
        guard !tokens.isEmpty else { return [.text(text[...])] }
        var out: [Segment] = []
        var plainStart = 0
        var i = 0
        while i < text.count {
            guard let (t, end) = match(text, at: i) else {
                i += 1
                continue
            }
            var lo = i
            var hi = end
            if t.lstrip { while lo > plainStart, isWhitespace(text[lo - 1]) { lo -= 1 } }
            if t.rstrip { while hi < text.count, isWhitespace(text[hi]) { hi += 1 } }
            if plainStart < lo { out.append(.text(text[plainStart..<lo])) }
            out.append(.token(t.id))
            plainStart = hi
            i = hi
        }
        if plainStart < text.count { out.append(.text(text[plainStart...])) }
        return out
    }

    private func match(_ text: [Unicode.Scalar], at i: Int) -> (AddedToken, Int)? {
        guard firstScalars.contains(text[i]) else { return nil }
        for t in tokens where i + t.content.count <= text.count {
            guard text[i..<(i + t.content.count)].elementsEqual(t.content) else { continue }
            let end = i + t.content.count
            if t.singleWord {
                let before = i == 0 || !isWordChar(text[i - 1])
                let after = end == text.count || !isWordChar(text[end])
                if !(before && after) { continue }
            }
            return (t, end)
        }
        return nil
    }

    private func isWordChar(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || c.properties.numericType != nil || c == "_"
    }
}
