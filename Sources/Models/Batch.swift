/// Sequences packed row after row, with no padding: the encoder's linear layers run on
/// every real token once, and attention runs within each sequence. This gives exactly the
/// result of a padded batch with an attention mask (masked keys get zero weight) while
/// skipping the padded rows' work.
public struct Batch {
    public var ids: [Int32] = []
    public var typeIds: [Int32] = []
    public var positions: [Int32] = []
    /// Row where each sequence starts, plus the total row count at the end.
    public var offsets: [Int] = [0]

    public init() {}

    public var count: Int { offsets.count - 1 }
    public var rows: Int { offsets.last! }
    public func length(_ b: Int) -> Int { offsets[b + 1] - offsets[b] }
    public var maxLength: Int { (0..<count).map(length).max() ?? 0 }

    /// Appends one sequence; positions count from `firstPosition` (0 for BERT, 2 for RoBERTa).
    /// Rows in `positionless` get no position embedding (position -1) but are counted.
    public mutating func append(
        ids: [Int32], typeIds: [Int32]? = nil, firstPosition: Int = 0, positionless: Range<Int> = 0..<0
    ) {
        self.ids += ids
        self.typeIds += typeIds ?? Array(repeating: 0, count: ids.count)
        positions += (0..<ids.count).map { positionless.contains($0) ? -1 : Int32(firstPosition + $0) }
        offsets.append(rows + ids.count)
    }
}
