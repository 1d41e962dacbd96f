import Foundation
import PipelineIO

extension Tokenizer {
    /// Loads the tokenizer of a Hugging Face model folder.
    public static func load(folder: String) throws -> Tokenizer {
        let json = folder + "/tokenizer.json"
        if FileManager.default.fileExists(atPath: json) { return try load(tokenizerJSON: json) }
        let vocab = folder + "/vocab.txt"
        if FileManager.default.fileExists(atPath: vocab) {
            return try load(vocabTxt: vocab, config: folder + "/tokenizer_config.json")
        }
        throw ToolError("\(folder): no tokenizer.json or vocab.txt")
    }

    /// `tokenizer.json` as `tokenizers` writes it; the stages it names must be ones this
    /// toolkit implements, otherwise the error names the one that is not.
    public static func load(tokenizerJSON path: String) throws -> Tokenizer {
        let root: JSON
        do { root = try JSON.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)) }
        catch { throw ToolError("\(path): cannot read tokenizer: \(error)") }
        func fail(_ s: String) -> ToolError { ToolError("\(path): \(s)") }

        guard let m = root["model"], m["type"]?.string == "WordPiece" || (m["type"] == nil && m["continuing_subword_prefix"] != nil),
              let vocabMembers = m["vocab"]?.members else {
            throw fail("model type \(root["model"]?["type"]?.string ?? "?") is not supported (WordPiece is)")
        }
        var vocab = [String: Int32](minimumCapacity: vocabMembers.count)
        for kv in vocabMembers { if let i = kv.value.int { vocab[kv.key] = Int32(i) } }
        let model = try WordPiece(vocab: vocab, unkToken: m["unk_token"]?.string ?? "[UNK]",
                                  prefix: m["continuing_subword_prefix"]?.string ?? "##",
                                  maxInputCharsPerWord: m["max_input_chars_per_word"]?.int ?? 100)

        let normalizer = try root["normalizer"].flatMap { try normalizerFrom($0, fail) }
        if let p = root["pre_tokenizer"], !p.isNull, p["type"]?.string != "BertPreTokenizer" {
            throw fail("pre-tokenizer \(p["type"]?.string ?? "?") is not supported (BertPreTokenizer is)")
        }
        var added: [AddedToken] = []
        for t in root["added_tokens"]?.array ?? [] {
            guard let content = t["content"]?.string, let id = t["id"]?.int else { continue }
            // Normalised added tokens would be matched after normalisation; BERT's are not.
            if t["normalized"]?.bool == true, vocab[content] != nil { continue }
            added.append(AddedToken(content: Array(content.unicodeScalars), id: Int32(id),
                                    lstrip: t["lstrip"]?.bool ?? false, rstrip: t["rstrip"]?.bool ?? false,
                                    singleWord: t["single_word"]?.bool ?? false))
            if vocab[content] == nil { vocab[content] = Int32(id) }
        }
        let special = SpecialTokens(cls: vocab["[CLS]"], sep: vocab["[SEP]"], mask: vocab["[MASK]"],
                                    pad: vocab["[PAD]"], unk: vocab["[UNK]"])
        let post = try postProcessorFrom(root["post_processor"], vocab: vocab, special: special, fail)
        return Tokenizer(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
                         post: post, added: AddedVocabulary(added), special: special)
    }

    static func normalizerFrom(_ n: JSON, _ fail: (String) -> ToolError) throws -> Normalizer? {
        if n.isNull { return nil }
        switch n["type"]?.string {
        case "BertNormalizer":
            return BertNormalizer(cleanText: n["clean_text"]?.bool ?? true,
                                  handleChineseChars: n["handle_chinese_chars"]?.bool ?? true,
                                  stripAccents: n["strip_accents"]?.bool,
                                  lowercase: n["lowercase"]?.bool ?? true)
        case "Lowercase": return LowercaseNormalizer()
        case "Sequence":
            return NormalizerSequence(stages: try (n["normalizers"]?.array ?? []).compactMap { try normalizerFrom($0, fail) })
        default: throw fail("normalizer \(n["type"]?.string ?? "?") is not supported")
        }
    }

    static func postProcessorFrom(_ p: JSON?, vocab: [String: Int32], special: SpecialTokens,
                                  _ fail: (String) -> ToolError) throws -> TemplateProcessor {
        guard let p, !p.isNull else {
            guard let cls = special.cls, let sep = special.sep else { throw fail("no post-processor and no [CLS]/[SEP]") }
            return .bert(cls: cls, sep: sep)
        }
        switch p["type"]?.string {
        case "TemplateProcessing":
            var ids: [String: Int32] = [:]
            for kv in p["special_tokens"]?.members ?? [] {
                guard let list = kv.value["ids"]?.array, list.count == 1, let id = list[0].int else {
                    throw fail("special token \(kv.key) of the template must map to one id")
                }
                ids[kv.key] = Int32(id)
            }
            func pieces(_ key: String) throws -> [TemplateProcessor.Piece] {
                try (p[key]?.array ?? []).map { piece in
                    if let s = piece["SpecialToken"], let name = s["id"]?.string {
                        guard let id = ids[name] ?? vocab[name] else { throw fail("template names unknown token \(name)") }
                        return .special(id: id, typeId: Int32(s["type_id"]?.int ?? 0))
                    }
                    if let s = piece["Sequence"] {
                        return .sequence(first: s["id"]?.string != "B", typeId: Int32(s["type_id"]?.int ?? 0))
                    }
                    throw fail("template piece \(piece.text) is not understood")
                }
            }
            return TemplateProcessor(single: try pieces("single"), pair: try pieces("pair"))
        case "BertProcessing":
            guard let cls = p["cls"]?.array?.last?.int, let sep = p["sep"]?.array?.last?.int else {
                throw fail("BertProcessing without cls/sep")
            }
            return .bert(cls: Int32(cls), sep: Int32(sep))
        default:
            throw fail("post-processor \(p["type"]?.string ?? "?") is not supported")
        }
    }

    /// A BERT `vocab.txt` (one token a line, id = line index) with the options of
    /// `tokenizer_config.json` when present, as `BertTokenizerFast` builds it.
    public static func load(vocabTxt path: String, config: String) throws -> Tokenizer {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ToolError("\(path): cannot read vocabulary") }
        var vocab = [String: Int32]()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            vocab[String(line.hasSuffix("\r") ? line.dropLast() : line)] = Int32(i)
        }
        var cfg = JSON.object([])
        if let data = FileManager.default.contents(atPath: config) {
            cfg = (try? JSON.parse(String(decoding: data, as: UTF8.self))) ?? cfg
        }
        let lower = cfg["do_lower_case"]?.bool ?? true
        let normalizer = BertNormalizer(handleChineseChars: cfg["tokenize_chinese_chars"]?.bool ?? true,
                                        stripAccents: cfg["strip_accents"]?.bool, lowercase: lower)
        let special = SpecialTokens(cls: vocab["[CLS]"], sep: vocab["[SEP]"], mask: vocab["[MASK]"],
                                    pad: vocab["[PAD]"], unk: vocab["[UNK]"])
        guard let cls = special.cls, let sep = special.sep else { throw ToolError("\(path): no [CLS] or [SEP] token") }
        let added = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { t in
            vocab[t].map { AddedToken(content: Array(t.unicodeScalars), id: $0, lstrip: false, rstrip: false, singleWord: false) }
        }
        return Tokenizer(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: try WordPiece(vocab: vocab),
                         post: .bert(cls: cls, sep: sep), added: AddedVocabulary(added), special: special)
    }
}
