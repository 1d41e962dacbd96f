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

/// Splits on whitespace (Unicode White_Space), which is dropped (`WhitespaceSplit`).
public struct WhitespaceSplitPreTokenizer: PreTokenizer {
    public init() {}
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        runs(text) { $0.properties.isWhitespace ? nil : 0 }
    }
}

/// `Whitespace`: the regex `\w+|[^\w\s]+` — runs of word characters and runs of other
/// non-space characters; whitespace is dropped.
public struct WhitespacePreTokenizer: PreTokenizer {
    public init() {}
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        runs(text) { c in c.properties.isWhitespace ? nil : (isWordCharacter(c) ? 1 : 2) }
    }
}

/// Every punctuation character a word of its own, the text between kept whole, spaces included
/// (`Punctuation` with behavior Isolated).
public struct PunctuationPreTokenizer: PreTokenizer {
    public init() {}
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        isolate(text, where: isPunctuation, contiguous: false)
    }
}

/// Numbers apart from the rest: each run of digits (`individual_digits` false) or each digit
/// (`Digits`).
public struct DigitsPreTokenizer: PreTokenizer {
    public let individual: Bool
    public init(individual: Bool) { self.individual = individual }
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        isolate(text, where: isNumeric, contiguous: !individual)
    }
}

/// Pre-tokenizers in turn, each splitting every word of the one before (`Sequence`).
public struct PreTokenizerSequence: PreTokenizer {
    public let stages: [PreTokenizer]
    public init(_ stages: [PreTokenizer]) { self.stages = stages }
    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        stages.reduce([text[...]]) { words, stage in words.flatMap { stage.split(Array($0)) } }
    }
}

/// Maximal runs of characters of one class; a nil class is dropped.
func runs(_ text: [Unicode.Scalar], _ kind: (Unicode.Scalar) -> Int?) -> [ArraySlice<Unicode.Scalar>] {
    var words: [ArraySlice<Unicode.Scalar>] = []
    var start = 0
    var current: Int? = nil
    for (i, c) in text.enumerated() {
        let k = kind(c)
        if k != current {
            if current != nil, start < i { words.append(text[start..<i]) }
            start = i
            current = k
        }
    }
    if current != nil, start < text.count { words.append(text[start...]) }
    return words
}

/// The text split around the characters `matches` picks, each kept as a word of its own (or, with
/// `contiguous`, each run of them as one word).
func isolate(
    _ text: [Unicode.Scalar], where matches: (Unicode.Scalar) -> Bool, contiguous: Bool
) -> [ArraySlice<Unicode.Scalar>] {
    var words: [ArraySlice<Unicode.Scalar>] = []
    var start = 0
    var i = 0
    while i < text.count {
        guard matches(text[i]) else {
            i += 1
            continue
        }
        if start < i { words.append(text[start..<i]) }
        var end = i + 1
        while contiguous, end < text.count, matches(text[end]) { end += 1 }
        words.append(text[i..<end])
        start = end
        i = end
    }
    if start < text.count { words.append(text[start...]) }
    return words
}

/// Rust regex's Unicode `\w`: alphabetic, marks, decimal digits, connector punctuation, joiners.
func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
    if c.properties.isAlphabetic || c.properties.isJoinControl { return true }
    switch c.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
    default: return false
    }
}

/// Rust's `char::is_numeric`: the number categories Nd, Nl, No.
func isNumeric(_ c: Unicode.Scalar) -> Bool {
    switch c.properties.generalCategory {
    case .decimalNumber, .letterNumber, .otherNumber: return true
    default: return false
    }
}
