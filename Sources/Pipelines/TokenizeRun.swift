import Plumbing
import Tokenizers

/// `tokenize`: adds `input_ids` (and, for pairs, `token_type_ids`) to each JSON line.
public struct TokenizeRun {
    public var model: String
    public var inputs: [String] = []
    public var output: String? = nil
    public var maxLength: Int? = nil
    public var progress = false
    /// Also write the token strings ("tokens"), e.g. to see how a label word splits.
    public var withTokens = false

    public init(model: String) { self.model = model }

    public func run() throws {
        let tokenizer = try Tokenizer.load(folder: model)
        var reader = JSONLinesReader(paths: inputs)
        let out = try DataOutput(path: output)
        let bar = ProgressLine(label: "tokenize", total: nil, enabled: progress || Log.stderrIsTerminal)
        var truncated = 0
        while var record = try reader.next() {
            let text = try TextFields(record)
            let (enc, cut): (Encoding, Bool)
            do { (enc, cut) = try tokenizer.encode(text.a, text.b, maxLength: maxLength) } catch {
                throw record.fail("\(error)")
            }
            if cut { truncated += 1 }
            record.value.set("input_ids", jsonInts(enc.ids))
            if text.b != nil { record.value.set("token_type_ids", jsonInts(enc.typeIds)) }
            if withTokens { record.value.set("tokens", .array(tokenizer.tokens(enc.ids).map { .string($0) })) }
            out.writeLine(record.value.text)
            bar.advance()
        }
        try out.commit()
        bar.finish()
        if let maxLength { Log.info("tokenize: \(truncated) of \(bar.done) records truncated to \(maxLength) tokens") }
    }
}
