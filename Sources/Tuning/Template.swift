import Models
import Plumbing
import Tokenizers

/// The input layout around the soft prompt, e.g.
/// `[CLS] <prompt> [MASK] <text_a> [SEP] { <text_b> [SEP] }` — special tokens by name,
/// `<prompt>` for the n prompt vectors, `<text_a>`/`<text_b>` for the texts, and a `{…}`
/// group that is only there when the example has a second text (its tokens get type 1).
/// The label is read at the first mask token. `[CLS]`, `[SEP]`, `[MASK]`, `[PAD]` name the
/// tokenizer's tokens of those roles (`<s>`, `</s>`, `<mask>`, `<pad>` for RoBERTa); any other
/// name must be a vocabulary token. Options follow as `#words`:
/// - `#mask-first`: the first prompt row is the mask token (the label is read there) and
///   prompt vector 0 is not used — the released 1.0 prompts were trained so;
/// - `#prompt-no-position`: prompt rows get no position embedding (they still count
///   positions, so the text starts at position n + first position);
/// - `#truncate-tail`: texts are cut at the end of text_a + text_b, not longest-first.
/// The template is recorded in every prompt file and evaluation uses the recorded one.
public struct PromptTemplate: Equatable {
    public static let bert = "[CLS] <prompt> [MASK] <text_a> [SEP] { <text_b> [SEP] }"
    /// RoBERTa's own pair format separates the texts with two `</s>`.
    public static let roberta = "[CLS] <prompt> [MASK] <text_a> [SEP] { [SEP] <text_b> [SEP] }"
    /// The input layout of the paper's code (Prompt-Transferability 1.0, PromptRoberta), in
    /// which its released RoBERTa prompts were tuned: `<mask> P2..Pn <s> a </s> (b </s>)`,
    /// prompt positions zeroed, logits read at row 0, text cut at the end.
    public static let paper10 =
        "<prompt> [CLS] <text_a> [SEP] { <text_b> [SEP] } #mask-first #prompt-no-position #truncate-tail"
    /// T5 (the label is read at the decoder, so there is no mask): T5's own `a </s> b </s>`.
    public static let t5 = "<prompt> <text_a> [SEP] { <text_b> [SEP] }"
    /// The paper's T5 layout (PromptT5 formatters): `P a` for one text — no `</s>` — and
    /// `P a <extra_id_0> b </s>` for two, the text cut at the end. (The paper's batches also let
    /// the prompt attend to padding; packed sequences here have none.)
    public static let paper10T5 = "<prompt> <text_a> { <extra_id_0> <text_b> [SEP] } #truncate-tail"
    public static let named = [
        "bert": bert, "roberta": roberta, "paper-1.0": paper10, "t5": t5, "paper-1.0-t5": paper10T5,
    ]

    /// The default for a model: BERT's layout, RoBERTa's double separator for RoBERTa and MPNet,
    /// T5's for T5.
    public static func defaultText(for model: FrozenModel) -> String {
        if model is T5Model { return t5 }
        return (model as? Encoder)?.config.robertaLayout == true ? roberta : bert
    }

    /// The `#options` of a template (or template name); an unknown one is an error.
    public static func options(of template: String) throws -> Set<String> {
        let known: Set<String> = ["#mask-first", "#prompt-no-position", "#truncate-tail"]
        let options = Set(
            (named[template] ?? template).split(separator: " ").filter { $0.hasPrefix("#") }.map(String.init))
        if let bad = options.subtracting(known).sorted().first {
            throw ToolError.usage("template option '\(bad)' is unknown (\(known.sorted().joined(separator: ", ")))")
        }
        return options
    }

    enum Piece: Equatable { case token(Int32), prompt, textA, textB }
    let pieces: [(piece: Piece, pair: Bool)]
    public let text: String
    let maskId: Int32?
    public let maskFirst: Bool
    public let promptWithoutPositions: Bool
    public let truncateTail: Bool

    public static func == (a: PromptTemplate, b: PromptTemplate) -> Bool { a.text == b.text }

    /// `text` is a template or the name of one (`bert`, `roberta`, `paper-1.0`, `t5`,
    /// `paper-1.0-t5`). With `readsAtMask` (an encoder), the label is read at the mask token, which
    /// the template must have; T5 reads it at its decoder.
    public init(_ text: String, tokenizer: Tokenizer, readsAtMask: Bool = true) throws {
        let text = Self.named[text] ?? text
        self.text = text
        let mask = tokenizer.special.mask
        guard mask != nil || !readsAtMask else { throw ToolError.usage("the tokenizer has no mask token") }
        maskId = mask
        let roles: [String: Int32?] = [
            "[CLS]": tokenizer.special.cls, "[SEP]": tokenizer.special.sep, "[MASK]": mask,
            "[PAD]": tokenizer.special.pad, "[UNK]": tokenizer.special.unk,
        ]
        let options = try Self.options(of: text)
        var out: [(Piece, Bool)] = []
        var inPair = false
        for word in text.split(separator: " ").map(String.init) where !word.hasPrefix("#") {
            switch word {
            case "{":
                guard !inPair else { throw ToolError.usage("template '\(text)': '{' inside '{ … }'") }
                inPair = true
            case "}":
                guard inPair else { throw ToolError.usage("template '\(text)': '}' without '{'") }
                inPair = false
            case "<prompt>": out.append((.prompt, inPair))
            case "<text_a>": out.append((.textA, inPair))
            case "<text_b>": out.append((.textB, inPair))
            default:
                guard let id = roles[word] ?? tokenizer.id(of: word) else {
                    throw ToolError.usage("template token '\(word)' is not in the vocabulary")
                }
                out.append((.token(id), inPair))
            }
        }
        pieces = out
        maskFirst = options.contains("#mask-first")
        promptWithoutPositions = options.contains("#prompt-no-position")
        truncateTail = options.contains("#truncate-tail")
        guard !inPair else { throw ToolError.usage("template '\(text)': '{' is not closed") }
        // The prompt, text A and the mask must stand in every example, not only in pairs.
        let always = out.filter { !$0.1 }.map(\.0)
        guard out.filter({ $0.0 == .prompt }).count == 1, always.contains(.prompt),
            !readsAtMask || maskFirst || always.contains(.token(mask!))
        else {
            throw ToolError.usage(
                "template '\(text)' needs exactly one <prompt> and a mask token (or #mask-first), "
                    + "outside the optional '{ … }' part")
        }
        guard always.contains(.textA) else {
            throw ToolError.usage("template '\(text)' needs <text_a> outside the optional '{ … }' part")
        }
    }

    public struct Encoded {
        public var ids: [Int32], types: [Int32], promptToken: [Int32], readRow: Int
        /// Rows that get no position embedding (`#prompt-no-position`).
        public var positionless: Range<Int> = 0..<0
    }

    /// The sequence for texts already tokenized (no special tokens) and a prompt of n vectors.
    public func encode(_ a: [Int32], _ b: [Int32]?, promptLength n: Int, typeVocab: Int) -> Encoded {
        var e = Encoded(ids: [], types: [], promptToken: [], readRow: -1)
        for (piece, pair) in pieces where !pair || b != nil {
            let type: Int32 = pair && typeVocab > 1 ? 1 : 0
            func add(_ ids: [Int32], prompt: Bool = false) {
                for (i, id) in ids.enumerated() {
                    e.ids.append(id)
                    e.types.append(type)
                    e.promptToken.append(prompt ? Int32(i) : -1)
                }
            }
            switch piece {
            case .token(let id):
                if id == maskId, e.readRow < 0 { e.readRow = e.ids.count }
                add([id])
            case .prompt:
                let start = e.ids.count
                add(Array(repeating: 0, count: n), prompt: true)
                if maskFirst, n > 0, let maskId {  // row 0 of the prompt is the mask token; vector 0 is unused
                    e.ids[start] = maskId
                    e.promptToken[start] = -1
                    if e.readRow < 0 { e.readRow = start }
                }
                if promptWithoutPositions { e.positionless = start..<(start + n) }
            case .textA: add(a)
            case .textB: add(b ?? [])
            }
        }
        if e.readRow < 0 { e.readRow = 0 }  // a template without a mask: read at T5's decoder, no row
        return e
    }

    /// Tokens the template adds besides texts and prompt.
    public func overhead(pair: Bool) -> Int {
        pieces.filter {
            if case .token = $0.piece { return !$0.pair || pair }
            return false
        }.count
    }
}
