import PipelineIO
import Tokenizers

/// The input layout around the soft prompt, e.g.
/// `[CLS] <prompt> [MASK] <text_a> [SEP] { <text_b> [SEP] }` — special tokens by name,
/// `<prompt>` for the n prompt vectors, `<text_a>`/`<text_b>` for the texts, and a `{…}`
/// group that is only there when the example has a second text (its tokens get type 1).
/// The label is read at the first mask token. The template is recorded in every prompt
/// file and evaluation uses the recorded one.
public struct PromptTemplate: Equatable {
    public static let bert = "[CLS] <prompt> [MASK] <text_a> [SEP] { <text_b> [SEP] }"

    enum Piece: Equatable { case token(Int32), prompt, textA, textB }
    let pieces: [(piece: Piece, pair: Bool)]
    public let text: String
    let maskId: Int32

    public static func == (a: PromptTemplate, b: PromptTemplate) -> Bool { a.text == b.text }

    public init(_ text: String, tokenizer: Tokenizer) throws {
        self.text = text
        guard let mask = tokenizer.special.mask else { throw ToolError("the tokenizer has no mask token") }
        maskId = mask
        var out: [(Piece, Bool)] = [], inPair = false
        for word in text.split(separator: " ") {
            switch word {
            case "{": inPair = true
            case "}": inPair = false
            case "<prompt>": out.append((.prompt, inPair))
            case "<text_a>": out.append((.textA, inPair))
            case "<text_b>": out.append((.textB, inPair))
            default:
                guard let id = tokenizer.id(of: String(word)) else { throw ToolError("template token '\(word)' is not in the vocabulary") }
                out.append((.token(id), inPair))
            }
        }
        pieces = out
        guard out.filter({ $0.0 == .prompt }).count == 1, out.contains(where: { $0.0 == .token(mask) }) else {
            throw ToolError("template '\(text)' needs exactly one <prompt> and a mask token")
        }
    }

    public struct Encoded {
        public var ids: [Int32], types: [Int32], promptToken: [Int32], readRow: Int
    }

    /// The sequence for texts already tokenized (no special tokens) and a prompt of n vectors.
    public func encode(_ a: [Int32], _ b: [Int32]?, promptLength n: Int, typeVocab: Int) -> Encoded {
        var e = Encoded(ids: [], types: [], promptToken: [], readRow: -1)
        for (piece, pair) in pieces where !pair || b != nil {
            let type: Int32 = pair && typeVocab > 1 ? 1 : 0
            func add(_ ids: [Int32], prompt: Bool = false) {
                for (i, id) in ids.enumerated() {
                    e.ids.append(id); e.types.append(type); e.promptToken.append(prompt ? Int32(i) : -1)
                }
            }
            switch piece {
            case .token(let id):
                if id == maskId, e.readRow < 0 { e.readRow = e.ids.count }
                add([id])
            case .prompt: add(Array(repeating: 0, count: n), prompt: true)
            case .textA: add(a)
            case .textB: add(b ?? [])
            }
        }
        return e
    }

    /// Tokens the template adds besides texts and prompt.
    public func overhead(pair: Bool) -> Int {
        pieces.filter { if case .token = $0.piece { return !$0.pair || pair }; return false }.count
    }
}
