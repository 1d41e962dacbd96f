/// Last stage: adds special tokens around one or two sequences and assigns token types.
public struct TemplateProcessor {
    public enum Piece: Equatable {
        case special(id: Int32, typeId: Int32)
        case sequence(first: Bool, typeId: Int32)
    }
    public let single: [Piece]
    public let pair: [Piece]

    public init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// BERT's `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` (B with token type 1).
    public static func bert(cls: Int32, sep: Int32) -> TemplateProcessor {
        TemplateProcessor(
            single: [.special(id: cls, typeId: 0), .sequence(first: true, typeId: 0), .special(id: sep, typeId: 0)],
            pair: [
                .special(id: cls, typeId: 0), .sequence(first: true, typeId: 0), .special(id: sep, typeId: 0),
                .sequence(first: false, typeId: 1), .special(id: sep, typeId: 1),
            ])
    }

    /// RoBERTa's `<s> A </s>` / `<s> A </s></s> B </s>`, every token of type 0.
    public static func roberta(cls: Int32, sep: Int32) -> TemplateProcessor {
        TemplateProcessor(
            single: [.special(id: cls, typeId: 0), .sequence(first: true, typeId: 0), .special(id: sep, typeId: 0)],
            pair: [
                .special(id: cls, typeId: 0), .sequence(first: true, typeId: 0), .special(id: sep, typeId: 0),
                .special(id: sep, typeId: 0), .sequence(first: false, typeId: 0), .special(id: sep, typeId: 0),
            ])
    }

    /// No special tokens (GPT-2): `A` / `A B`.
    public static let plain = TemplateProcessor(
        single: [.sequence(first: true, typeId: 0)],
        pair: [.sequence(first: true, typeId: 0), .sequence(first: false, typeId: 0)])

    /// How many special tokens the template adds.
    public func added(pair isPair: Bool) -> Int {
        (isPair ? pair : single).filter {
            if case .special = $0 { return true }
            return false
        }.count
    }

    public func apply(_ a: [Int32], _ b: [Int32]?) -> Encoding {
        var e = Encoding()
        for piece in (b == nil ? single : pair) {
            switch piece {
            case .special(let id, let t):
                e.ids.append(id)
                e.typeIds.append(t)
            case .sequence(let first, let t):
                let s = first ? a : (b ?? [])
                e.ids.append(contentsOf: s)
                e.typeIds.append(contentsOf: repeatElement(t, count: s.count))
            }
        }
        return e
    }
}

public struct Encoding: Equatable {
    public var ids: [Int32] = []
    public var typeIds: [Int32] = []
    public init(ids: [Int32] = [], typeIds: [Int32] = []) {
        self.ids = ids
        self.typeIds = typeIds
    }
}
