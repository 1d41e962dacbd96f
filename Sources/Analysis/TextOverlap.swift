// Overlap between task splits: which examples of one split also stand, normalised, in another
// (SST-2's train holds two thirds of rotten_tomatoes' test), by first text, by pair and by any
// text; what `overlap` reports and `eval-prompt --exclude-overlap` removes.
import Plumbing
import Tuning

/// The normalised texts of a source split, to look target examples up in.
public struct TextOverlap {
    /// "Any text" compares only texts of at least this many words: an aspect term ("food") or a
    /// one-word SST-2 phrase standing in both splits is not a shared example.
    public static let anyTextMinimumWords = 4
    var firstTexts = Set<String>()
    var pairs = Set<String>()
    var anyTexts = Set<String>()

    public init(_ source: [LabeledText]) {
        for t in source {
            let a = TextKey.normalized(t.a)
            let b = t.b.map(TextKey.normalized)
            if !a.isEmpty { firstTexts.insert(a) }
            for text in [t.a] + (t.b.map { [$0] } ?? []) where Self.isLong(text) {
                anyTexts.insert(TextKey.normalized(text))
            }
            pairs.insert(Self.pairKey(a, b))
        }
    }

    static func pairKey(_ a: String, _ b: String?) -> String { a + "\u{1}" + (b ?? "") }

    static func isLong(_ text: String) -> Bool {
        text.split(whereSeparator: \.isWhitespace).count >= anyTextMinimumWords
    }

    /// The target's first text is a source example's first text.
    public func sharesFirstText(_ t: LabeledText) -> Bool {
        let a = TextKey.normalized(t.a)
        return !a.isEmpty && firstTexts.contains(a)
    }

    /// The target's (first, second) texts are a source example's.
    public func sharesPair(_ t: LabeledText) -> Bool {
        let a = TextKey.normalized(t.a)
        return !a.isEmpty && pairs.contains(Self.pairKey(a, t.b.map(TextKey.normalized)))
    }

    /// The first text is a source's first text, or any text of the target of at least four words
    /// is any such text of the source (the test `--exclude-overlap` applies).
    public func sharesAnyText(_ t: LabeledText) -> Bool {
        if sharesFirstText(t) { return true }
        let texts = [t.a] + (t.b.map { [$0] } ?? [])
        return texts.contains { text in
            let key = TextKey.normalized(text)
            return Self.isLong(text) && !key.isEmpty && anyTexts.contains(key)
        }
    }

    /// The counts of one target split against this source, with up to `examples` ids of shared ones.
    public func measure(
        _ target: [LabeledText], examples: Int = 3
    ) -> (firstText: Int, pair: Int, anyText: Int, ids: [String]) {
        var first = 0
        var pair = 0
        var any = 0
        var ids: [String] = []
        for t in target {
            if sharesFirstText(t) { first += 1 }
            if sharesPair(t) { pair += 1 }
            if sharesAnyText(t) {
                any += 1
                if ids.count < examples { ids.append(t.id) }
            }
        }
        return (first, pair, any, ids)
    }
}
