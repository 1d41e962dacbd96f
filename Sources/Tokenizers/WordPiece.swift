/// Third stage, for a word: token ids.
public protocol TokenModel {
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32])
    func id(of token: String) -> Int32?
    var vocab: [String: Int32] { get }
    var vocabSize: Int { get }
}

/// WordPiece: greedy longest match from the start of the word, continuation pieces prefixed
/// with `##`; a word with an unmatched part, or longer than `maxInputCharsPerWord`
/// characters, becomes the single unknown token.
public final class WordPiece: TokenModel {
    public let vocab: [String: Int32]
    public let unkId: Int32
    public let prefix: String
    public let maxInputCharsPerWord: Int
    private var cache = WordCache()

    public init(
        vocab: [String: Int32], unkToken: String = "[UNK]", prefix: String = "##",
        maxInputCharsPerWord: Int = 100
    ) throws {
        guard let unk = vocab[unkToken] else {
            throw TokenizerError("the vocabulary has no unknown token '\(unkToken)'")
        }
        self.vocab = vocab
        unkId = unk
        self.prefix = prefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    public var vocabSize: Int { vocab.count }
    public func id(of token: String) -> Int32? { vocab[token] }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        cache.tokenize(word, into: &ids) { split(Array(word)) }
    }

    private func split(_ chars: [Unicode.Scalar]) -> [Int32] {
        if chars.count > maxInputCharsPerWord { return [unkId] }
        var out: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: Int32? = nil
            while start < end {
                var piece = makeString(chars[start..<end])
                if start > 0 { piece = prefix + piece }
                if let id = vocab[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unkId] }
            out.append(id)
            start = end
        }
        return out
    }
}

public struct TokenizerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The ids of words already seen: real text repeats its words. Bounded, so that a stream of
/// distinct words cannot grow it without end.
struct WordCache {
    private var table: [ArraySlice<Unicode.Scalar>: [Int32]] = [:]

    /// Appends the ids of `word`, computed by `compute` once. Keyed by the scalars themselves:
    /// a hit builds no string; a stored key is a copy, so it does not keep the whole text alive.
    mutating func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32], compute: () -> [Int32]) {
        if let hit = table[word] {
            ids.append(contentsOf: hit)
            return
        }
        let pieces = compute()
        if table.count < 200_000 { table[ArraySlice(Array(word))] = pieces }
        ids.append(contentsOf: pieces)
    }
}

/// The string of some scalars, built through UTF-8 bytes: several times faster than
/// appending scalars to a `String.UnicodeScalarView`, and this runs for every word.
func makeString<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(scalars.underestimatedCount * 2)
    for c in scalars { UTF8.encode(c) { bytes.append($0) } }
    return String(decoding: bytes, as: UTF8.self)
}
