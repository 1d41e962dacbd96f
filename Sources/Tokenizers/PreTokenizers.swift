/// Second stage: splits normalised text into words; the model then splits each word.
public protocol PreTokenizer {
    func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>]
}

/// BERT's pre-tokenizer: whitespace separates words and is dropped; every punctuation
/// character is a word of its own.
public struct BertPreTokenizer: PreTokenizer {
    public init() {}
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (i, c) in text.enumerated() {
            if isWhitespace(c) {
                if start < i { words.append(text[start..<i]) }
                start = i + 1
            } else if isPunctuation(c) {
                if start < i { words.append(text[start..<i]) }
                words.append(text[i...i])
                start = i + 1
            }
        }
        if start < text.count { words.append(text[start...]) }
        return words
    }
}
