/// Byte-pair encoding as `tokenizers` runs it: a word starts as one symbol per character;
/// the adjacent pair with the lowest merge rank is merged (leftmost first on equal rank),
/// until no pair of the word has a merge. Words are cached: real text repeats them.
public final class BPE: TokenModel {
    public let vocab: [String: Int32]
    let merges: [Pair: Merge]
    let unkId: Int32?
    let ignoreMerges: Bool
    let scalarIds: [Unicode.Scalar: Int32]  // the one-character tokens: where a word's encoding starts
    private var cache = WordCache()

    struct Pair: Hashable { let a: Int32, b: Int32 }
    struct Merge { let rank: Int32, id: Int32 }

    /// `merges` as pairs of token strings, in rank order.
    public init(
        vocab: [String: Int32], merges: [(String, String)], unkToken: String? = nil,
        ignoreMerges: Bool = false
    ) throws {
        self.vocab = vocab
        var table = [Pair: Merge](minimumCapacity: merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[a], let ib = vocab[b], let merged = vocab[a + b] else {
                throw TokenizerError("merge \(rank + 1) '\(a) \(b)' names a token that is not in the vocabulary")
            }
            let pair = Pair(a: ia, b: ib)
            if table[pair] == nil { table[pair] = Merge(rank: Int32(rank), id: merged) }
        }
        self.merges = table
        var single: [Unicode.Scalar: Int32] = [:]
        for (token, id) in vocab {
            var scalars = token.unicodeScalars.makeIterator()
            if let c = scalars.next(), scalars.next() == nil { single[c] = id }
        }
        scalarIds = single
        if let unkToken {
            guard let id = vocab[unkToken] else {
                throw TokenizerError("the vocabulary has no unknown token '\(unkToken)'")
            }
            unkId = id
        } else {
            unkId = nil
        }
        self.ignoreMerges = ignoreMerges
    }

    public var vocabSize: Int { vocab.count }
    public func id(of token: String) -> Int32? { vocab[token] }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        cache.tokenize(word, into: &ids) {
            ignoreMerges ? (vocab[makeString(word)].map { [$0] } ?? encode(word)) : encode(word)
        }
    }

    /// The merge loop with a heap of candidate merges; an entry whose pair has changed since
    /// it was pushed is skipped when popped (as in `tokenizers`' `Word::merge_all`).
    private func encode(_ word: ArraySlice<Unicode.Scalar>) -> [Int32] {
        var sym: [Int32] = []
        for c in word {
            if let id = scalarIds[c] {
                sym.append(id)
            } else if let unk = unkId {
                sym.append(unk)
            }
            // else: no unknown token, so the character is dropped (as in tokenizers)
        }
        let n = sym.count
        guard n > 1 else { return sym }
        var next = Array(1...n)
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        for i in 0..<(n - 1) {
            if let m = merges[Pair(a: sym[i], b: sym[i + 1])] { heap.push(.init(rank: m.rank, pos: i, id: m.id)) }
        }
        while let top = heap.pop() {
            let i = top.pos
            guard alive[i], next[i] < n else { continue }
            let j = next[i]
            guard let m = merges[Pair(a: sym[i], b: sym[j])], m.id == top.id else { continue }
            sym[i] = m.id
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { prev[next[j]] = i }
            if prev[i] >= 0, let left = merges[Pair(a: sym[prev[i]], b: sym[i])] {
                heap.push(.init(rank: left.rank, pos: prev[i], id: left.id))
            }
            if next[i] < n, let right = merges[Pair(a: sym[i], b: sym[next[i]])] {
                heap.push(.init(rank: right.rank, pos: i, id: right.id))
            }
        }
        var out: [Int32] = []
        var i = 0
        while i < n {
            out.append(sym[i])
            i = next[i]
        }
        return out
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position).
struct MergeHeap {
    struct Entry { let rank: Int32, pos: Int, id: Int32 }
    private var items: [Entry] = []

    private static func less(_ x: Entry, _ y: Entry) -> Bool { x.rank != y.rank ? x.rank < y.rank : x.pos < y.pos }

    mutating func push(_ e: Entry) {
        items.append(e)
        var c = items.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard Self.less(items[c], items[p]) else { break }
            items.swapAt(c, p)
            c = p
        }
    }

    mutating func pop() -> Entry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = last
        var p = 0
        while true {
            let l = 2 * p + 1
            let r = l + 1
            var m = p
            if l < items.count, Self.less(items[l], items[m]) { m = l }
            if r < items.count, Self.less(items[r], items[m]) { m = r }
            if m == p { break }
            items.swapAt(p, m)
            p = m
        }
        return top
    }
}
