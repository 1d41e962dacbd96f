/// GPT-2's byte-level pre-tokenizer (RoBERTa's too): split with GPT-2's pattern, then
/// write each word's UTF-8 bytes as printable characters, so that the BPE model sees any
/// input as text over a 256-symbol alphabet and never needs an unknown token.
public struct ByteLevelPreTokenizer: PreTokenizer {
    public var addPrefixSpace: Bool
    public var useRegex: Bool

    public init(addPrefixSpace: Bool = false, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var s = text
        // `tokenizers` adds the space to each stretch between added tokens, unless it has one
        if addPrefixSpace, s.first != " " { s.insert(" ", at: 0) }
        let ranges = useRegex ? GPT2Pattern.split(s) : (s.isEmpty ? [] : [0..<s.count])
        return ranges.map { ByteLevel.encode(s[$0])[...] }
    }
}

public enum ByteLevel {
    /// GPT-2's reversible byte → character map: printable Latin-1 bytes stand for
    /// themselves, the others (controls, space, …) for U+0100 onwards in byte order.
    public static let byteToScalar: [Unicode.Scalar] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var map = [Unicode.Scalar](repeating: " ", count: 256)
        for b in printable { map[b] = Unicode.Scalar(UInt32(b))! }
        var next: UInt32 = 256
        for b in 0..<256 where !printable.contains(b) {
            map[b] = Unicode.Scalar(next)!
            next += 1
        }
        return map
    }()

    static func encode(_ word: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        if word.allSatisfy(\.isASCII) { return word.map { byteToScalar[Int($0.value)] } }  // one byte each
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(word.count * 4)
        for c in word { UTF8.encode(c) { out.append(byteToScalar[Int($0)]) } }
        return out
    }
}

/// GPT-2's pattern, by hand (no regex engine):
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// tried in that order at each position; `\s` is Unicode White_Space, as `tokenizers` has it.
enum GPT2Pattern {
    enum Class { case letter, number, space, other }

    static func classOf(_ c: Unicode.Scalar) -> Class {
        if c.isASCII { return ascii[Int(c.value)] }  // Unicode property lookups are slow
        if c.properties.isWhitespace { return .space }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    static let ascii: [Class] = (0..<128).map { v in
        switch UInt8(v) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case 0x09...0x0D, 0x20: return .space
        default: return .other
        }
    }

    static func split(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        let cls = s.map(classOf)
        var out: [Range<Int>] = []
        var i = 0
        while i < s.count {
            let end = contraction(s, at: i) ?? run(s, cls, at: i) ?? spaces(cls, at: i)
            out.append(i..<end)
            i = end
        }
        return out
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` (lower case only, as GPT-2's pattern).
    static func contraction(_ s: [Unicode.Scalar], at i: Int) -> Int? {
        guard s[i] == "'", i + 1 < s.count else { return nil }
        if "stmd".unicodeScalars.contains(s[i + 1]) { return i + 2 }
        guard i + 2 < s.count else { return nil }
        switch (s[i + 1], s[i + 2]) {
        case ("r", "e"), ("v", "e"), ("l", "l"): return i + 3
        default: return nil
        }
    }

    /// ` ?X+` for X = letters, numbers, other symbols: an optional ASCII space, then a run.
    static func run(_ s: [Unicode.Scalar], _ cls: [Class], at i: Int) -> Int? {
        var start = i
        if cls[i] == .space {
            guard s[i] == " ", i + 1 < cls.count, cls[i + 1] != .space else { return nil }
            start = i + 1
        }
        let c = cls[start]
        var end = start + 1
        while end < cls.count, cls[end] == c { end += 1 }
        return end
    }

    /// `\s+(?!\S)|\s+`: a run of whitespace, leaving its last character to the word that follows.
    static func spaces(_ cls: [Class], at i: Int) -> Int {
        var end = i + 1
        while end < cls.count, cls[end] == .space { end += 1 }
        return end < cls.count && end - i >= 2 ? end - 1 : end
    }
}
