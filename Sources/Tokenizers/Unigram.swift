// SentencePiece's stages as `tokenizers` runs them (T5): the Unigram model (Viterbi over the
// pieces' log probabilities), the Metaspace pre-tokenizer, and the Precompiled, Strip and
// Replace normalizers.
import Foundation
import Plumbing

/// Unigram: the segmentation of a word into pieces with the highest total score (Viterbi over
/// the word's UTF-8 bytes, as `tokenizers`' optimised encoder: ties keep the earlier start and
/// the shorter piece); a character no piece starts with is unknown, scored min − 10, and
/// consecutive unknowns become one unknown token.
public final class Unigram: TokenModel {
    public let vocab: [String: Int32]
    let scores: [Double]
    let unkId: Int32
    let unkScore: Double
    // a byte trie over every piece: children per node, and the piece id a node ends (or -1)
    private var children: [[UInt8: Int32]] = [[:]]
    private var ends: [Int32] = [-1]

    /// `pieces` in id order with their scores.
    public init(pieces: [(String, Double)], unkId: Int) throws {
        guard (0..<pieces.count).contains(unkId) else {
            throw TokenizerError("unk_id \(unkId) is not a piece of the \(pieces.count)")
        }
        var vocab = [String: Int32](minimumCapacity: pieces.count)
        for (id, piece) in pieces.enumerated() {
            guard piece.1.isFinite else { throw TokenizerError("piece \(id) has score \(piece.1)") }
            vocab[piece.0] = Int32(id)  // as tokenizers: a repeated piece keeps its last id
        }
        self.vocab = vocab
        scores = pieces.map(\.1)
        self.unkId = Int32(unkId)
        unkScore = (scores.min() ?? 0) - 10
        for (piece, id) in vocab where !piece.isEmpty {
            var node = 0
            for byte in piece.utf8 {
                if let next = children[node][byte] {
                    node = Int(next)
                    continue
                }
                children[node][byte] = Int32(children.count)
                node = children.count
                children.append([:])
                ends.append(-1)
            }
            ends[node] = id
        }
    }

    public var vocabSize: Int { scores.count }
    public func id(of token: String) -> Int32? { vocab[token] }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: word)
        let bytes = Array(String(text).utf8)
        let size = bytes.count
        guard size > 0 else { return }
        // best path ending at each byte position: its score, where its last piece starts, the piece
        var score = [Double](repeating: 0, count: size + 1)
        var start = [Int](repeating: -1, count: size + 1)
        var piece = [Int32](repeating: -1, count: size + 1)
        var position = 0
        while position < size {
            let charLength = Unigram.utf8Length(bytes[position])
            let here = score[position]
            var hasSingleChar = false
            var node = 0
            var end = position
            while end < size, let next = children[node][bytes[end]] {
                node = Int(next)
                end += 1
                let id = ends[node]
                guard id >= 0 else { continue }
                let candidate = scores[Int(id)] + here
                if start[end] < 0 || candidate > score[end] {
                    score[end] = candidate
                    start[end] = position
                    piece[end] = id
                }
                if end - position == charLength { hasSingleChar = true }
            }
            let charEnd = min(position + charLength, size)
            if !hasSingleChar {
                let candidate = unkScore + here
                if start[charEnd] < 0 || candidate > score[charEnd] {
                    score[charEnd] = candidate
                    start[charEnd] = position
                    piece[charEnd] = unkId
                }
            }
            position = charEnd
        }
        var reversed: [Int32] = []
        var end = size
        var inUnknown = false
        while end > 0 {
            let id = piece[end]
            if id == unkId {
                if !inUnknown { reversed.append(unkId) }  // consecutive unknowns fuse
                inUnknown = true
            } else {
                reversed.append(id)
                inUnknown = false
            }
            end = start[end]
        }
        ids.append(contentsOf: reversed.reversed())
    }

    /// Bytes of the UTF-8 character that starts with `lead`.
    static func utf8Length(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}

/// Metaspace: spaces become `replacement` (▁), which is prepended to the text ("always") unless
/// it starts with one; with `split`, each ▁ starts a new word.
public struct MetaspacePreTokenizer: PreTokenizer {
    public let replacement: Unicode.Scalar
    public let prepend: Bool
    public let splitWords: Bool

    public init(replacement: Unicode.Scalar = "\u{2581}", prepend: Bool = true, split: Bool = true) {
        self.replacement = replacement
        self.prepend = prepend
        splitWords = split
    }

    public func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        guard !text.isEmpty else { return [] }  // nothing is prepended to nothing
        var s = text.map { $0 == " " ? replacement : $0 }
        if prepend, s.first != replacement { s.insert(replacement, at: 0) }
        guard splitWords else { return s.isEmpty ? [] : [s[...]] }
        var words: [ArraySlice<Unicode.Scalar>] = []
        var begin = 0
        for (i, c) in s.enumerated() where c == replacement && i > begin {
            words.append(s[begin..<i])
            begin = i
        }
        if begin < s.count { words.append(s[begin...]) }
        return words
    }
}

/// SentencePiece's precompiled normalization rules (`Precompiled` in tokenizer.json): a
/// double-array trie from UTF-8 strings to offsets of replacements in a blob. Each grapheme
/// under 6 bytes is looked up whole (the first, shortest rule that is a prefix of it wins);
/// otherwise, or when none matches, each character is looked up alone.
public struct PrecompiledNormalizer: Normalizer {
    let units: [UInt32]
    let replacements: [UInt8]

    /// The charsmap as tokenizer.json holds it, decoded from base64: the trie's size in bytes
    /// (u32 little-endian), the trie, then NUL-terminated replacements.
    public init(charsmap: [UInt8]) throws {
        guard charsmap.count >= 4 else { throw TokenizerError("precompiled charsmap of \(charsmap.count) bytes") }
        let trieBytes = Int(charsmap[0]) | Int(charsmap[1]) << 8 | Int(charsmap[2]) << 16 | Int(charsmap[3]) << 24
        guard trieBytes % 4 == 0, trieBytes >= 4, trieBytes <= charsmap.count - 4 else {
            throw TokenizerError("precompiled charsmap: trie of \(trieBytes) bytes in \(charsmap.count)")
        }
        units = stride(from: 4, to: 4 + trieBytes, by: 4).map { i in
            UInt32(charsmap[i]) | UInt32(charsmap[i + 1]) << 8 | UInt32(charsmap[i + 2]) << 16
                | UInt32(charsmap[i + 3]) << 24
        }
        replacements = Array(charsmap[(4 + trieBytes)...])
    }

    /// The replacement of the first rule that is a prefix of `key`, if any (darts-clone's
    /// common-prefix search; an index outside the trie ends the search).
    func lookup(_ key: some Collection<UInt8>) -> [UInt8]? {
        func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }
        var position = offset(units[0])
        for byte in key {
            guard byte != 0 else { return nil }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            guard unit & ((1 << 31) | 0xFF) == UInt32(byte) else { return nil }
            position ^= offset(unit)
            guard position < units.count else { return nil }
            if (unit >> 8) & 1 == 1 {
                let start = Int(units[position] & ((1 << 31) - 1))
                guard start <= replacements.count else { return nil }
                let end = replacements[start...].firstIndex(of: 0) ?? replacements.count
                return Array(replacements[start..<end])
            }
        }
        return nil
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 8)
        for grapheme in String(view) {
            let bytes = Array(grapheme.utf8)
            if bytes.count < 6, let replaced = lookup(bytes) {
                out += replaced
                continue
            }
            for scalar in grapheme.unicodeScalars {
                let one = Array(String(scalar).utf8)
                out += lookup(one) ?? one
            }
        }
        return Array(String(decoding: out, as: UTF8.self).unicodeScalars)
    }
}

/// Strips whitespace at the start and/or the end (`Strip`).
public struct StripNormalizer: Normalizer {
    public let left: Bool, right: Bool

    public init(left: Bool, right: Bool) {
        self.left = left
        self.right = right
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var s = text[...]
        while left, let c = s.first, c.properties.isWhitespace { s = s.dropFirst() }
        while right, let c = s.last, c.properties.isWhitespace { s = s.dropLast() }
        return Array(s)
    }
}

/// Replaces every match of a literal string or a regular expression (`Replace`).
public struct ReplaceNormalizer: Normalizer {
    let regex: NSRegularExpression
    let content: String

    public init(pattern: String, isRegex: Bool, content: String) throws {
        do {
            regex = try NSRegularExpression(
                pattern: isRegex ? pattern : NSRegularExpression.escapedPattern(for: pattern))
        } catch {
            throw TokenizerError("Replace pattern \(pattern) is not a regular expression this toolkit reads")
        }
        self.content = content
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        let s = String(view)
        let replaced = regex.stringByReplacingMatches(
            in: s, range: NSRange(s.startIndex..., in: s),
            withTemplate: NSRegularExpression.escapedTemplate(for: content))
        return Array(replaced.unicodeScalars)
    }
}
