import Foundation
import Plumbing

/// A tokenizer is data: normalizer → pre-tokenizer → model → post-processor, loaded from a
/// model folder's `tokenizer.json` (or, lacking it, `vocab.txt` + `tokenizer_config.json`).
public final class Tokenizer {
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer
    public let model: TokenModel
    public let post: TemplateProcessor
    /// Added tokens matched in the raw text, and those (`normalized: true`) matched in the
    /// normalised text, with their content normalised too — as `tokenizers` does.
    public let added: AddedVocabulary
    public let normalizedAdded: AddedVocabulary
    public let special: SpecialTokens

    /// Ids of the roles the tools need; nil where the tokenizer has no such token.
    public struct SpecialTokens {
        public var cls: Int32?, sep: Int32?, mask: Int32?, pad: Int32?, unk: Int32?
    }

    public init(
        normalizer: Normalizer?, preTokenizer: PreTokenizer, model: TokenModel,
        post: TemplateProcessor, added: AddedVocabulary, normalizedAdded: AddedVocabulary = AddedVocabulary([]),
        special: SpecialTokens
    ) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.post = post
        self.added = added
        self.normalizedAdded = normalizedAdded
        self.special = special
    }

    public var vocabSize: Int { model.vocabSize }

    /// The ids of one text without special tokens.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in added.split(Array(text.unicodeScalars)) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let raw):
                let normal = normalizer?.normalize(Array(raw)) ?? Array(raw)
                for part in normalizedAdded.split(normal) {
                    switch part {
                    case .token(let id): ids.append(id)
                    case .text(let text):
                        for word in preTokenizer.split(Array(text)) { model.tokenize(word, into: &ids) }
                    }
                }
            }
        }
        return ids
    }

    /// What `tokenizer(a, b)` gives in transformers; with `maxLength`, truncated
    /// `longest_first` as there. `truncated` tells whether anything was cut.
    public func encode(
        _ a: String, _ b: String? = nil, maxLength: Int? = nil
    ) throws -> (encoding: Encoding, truncated: Bool) {
        // transformers treats an empty second text as none (`if text_pair:`).
        var ida = tokenize(a)
        var idb = b.flatMap { $0.isEmpty ? nil : tokenize($0) }
        var truncated = false
        if let maxLength {
            let room = maxLength - post.added(pair: idb != nil)
            guard room >= 0 else {
                throw TokenizerError(
                    "max length \(maxLength) leaves no room beside the \(post.added(pair: idb != nil)) special tokens")
            }
            truncated = Truncation.longestFirst(&ida, &idb, maxLength: room)
        }
        return (post.apply(ida, idb), truncated)
    }

    /// The id of a token: a piece of the model's vocabulary or an added token.
    public func id(of token: String) -> Int32? {
        if let id = model.id(of: token) { return id }
        let scalars = Array(token.unicodeScalars)
        return (added.tokens + normalizedAdded.tokens).first { $0.content == scalars }?.id
    }

    /// The token strings of some ids, as `convert_ids_to_tokens` gives them ("Ġworld" for
    /// byte-level BPE, "##ing" for WordPiece); "?" for an id the tokenizer does not know.
    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { id in id >= 0 && Int(id) < idToToken.count ? idToToken[Int(id)] ?? "?" : "?" }
    }

    private lazy var idToToken: [String?] = {
        let extra = added.tokens + normalizedAdded.tokens
        let count = max(model.vocab.values.max() ?? -1, extra.map(\.id).max() ?? -1) + 1
        var table = [String?](repeating: nil, count: Int(count))
        for (token, id) in model.vocab { table[Int(id)] = token }
        for t in extra where table[Int(t.id)] == nil { table[Int(t.id)] = makeString(t.content) }
        return table
    }()
}

public enum Truncation {
    /// Keeps the first `maxLength` tokens of a followed by b (b is cut first, from its end),
    /// as the paper's code truncates a pair; returns whether anything was removed.
    public static func tail(_ a: inout [Int32], _ b: inout [Int32]?, maxLength: Int) -> Bool {
        let total = a.count + (b?.count ?? 0)
        guard total > maxLength else { return false }
        if let second = b {
            let keep = max(0, maxLength - a.count)
            b = Array(second.prefix(keep))
        }
        if a.count > maxLength { a.removeLast(a.count - maxLength) }
        return true
    }

    /// `tokenizers`' LongestFirst strategy, to the letter (it is not "remove one token at a
    /// time from the longer"); returns whether anything was removed.
    public static func longestFirst(_ a: inout [Int32], _ b: inout [Int32]?, maxLength: Int) -> Bool {
        let total = a.count + (b?.count ?? 0)
        guard total > maxLength else { return false }
        guard var second = b else {
            a.removeLast(total - maxLength)
            return true
        }
        var n1 = a.count
        var n2 = second.count
        let swapped = n1 > n2
        if swapped { swap(&n1, &n2) }
        n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
        if n1 + n2 > maxLength {
            n1 = maxLength / 2
            n2 = n1 + maxLength % 2
        }
        if swapped { swap(&n1, &n2) }
        if a.count > n1 { a.removeLast(a.count - n1) }
        if second.count > n2 { second.removeLast(second.count - n2) }
        b = second
        return true
    }
}
