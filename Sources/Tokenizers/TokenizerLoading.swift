import Foundation
import Plumbing

extension Tokenizer {
    /// Loads the tokenizer of a Hugging Face model folder: `tokenizer.json`, or the older
    /// files `vocab.txt` (WordPiece) / `vocab.json` + `merges.txt` (byte-level BPE) with the
    /// options of `tokenizer_config.json`.
    public static func load(folder: String) throws -> Tokenizer {
        let fm = FileManager.default
        let config = folder + "/tokenizer_config.json"
        if fm.fileExists(atPath: folder + "/tokenizer.json") {
            return try load(tokenizerJSON: folder + "/tokenizer.json")
        }
        if fm.fileExists(atPath: folder + "/vocab.txt") {
            return try load(vocabTxt: folder + "/vocab.txt", config: config)
        }
        if fm.fileExists(atPath: folder + "/vocab.json") {
            return try load(vocabJSON: folder + "/vocab.json", merges: folder + "/merges.txt", config: config)
        }
        throw ToolError.data(folder, "no tokenizer.json, vocab.txt or vocab.json + merges.txt")
    }

    /// `tokenizer.json` as `tokenizers` writes it; the stages it names must be ones this
    /// toolkit implements, otherwise the error names the one that is not. Which token plays
    /// which role (cls, sep, mask, …) comes from `tokenizer_config.json` beside it, if any.
    public static func load(tokenizerJSON path: String) throws -> Tokenizer {
        let root = try readJSON(path)
        func fail(_ s: String) -> ToolError { .data(path, s) }
        guard let m = root["model"] else { throw fail("no model") }
        let model: TokenModel
        if m["type"]?.string == "Unigram" {
            model = try unigram(m, fail)
        } else {
            guard let vocabMembers = m["vocab"]?.members else { throw fail("no model vocabulary") }
            var ids = [String: Int32](minimumCapacity: vocabMembers.count)
            for kv in vocabMembers {
                ids[kv.key] = try tokenId(kv.value, "id of '\(kv.key)'", fail)
            }
            model = try tokenModel(m, vocab: ids, fail)
        }
        var vocab = model.vocab

        let normalizer = try root["normalizer"].flatMap { try normalizerFrom($0, fail) }
        let preTokenizer = try preTokenizerFrom(root["pre_tokenizer"], fail)
        var added: [AddedToken] = []
        var normalizedAdded: [AddedToken] = []
        for t in root["added_tokens"]?.array ?? [] {
            guard let content = t["content"]?.string else { throw fail("an added token without content") }
            let id = try tokenId(t["id"], "id of added token '\(content)'", fail)
            // a normalised added token is matched in the normalised text, in its normalised form
            let normalized = t["normalized"]?.bool ?? false
            let scalars = Array(content.unicodeScalars)
            let token = AddedToken(
                content: normalized ? (normalizer?.normalize(scalars) ?? scalars) : scalars, id: id,
                lstrip: t["lstrip"]?.bool ?? false, rstrip: t["rstrip"]?.bool ?? false,
                singleWord: t["single_word"]?.bool ?? false)
            if normalized { normalizedAdded.append(token) } else { added.append(token) }
            if vocab[content] == nil { vocab[content] = id }
        }
        let folder = (path as NSString).deletingLastPathComponent
        let special = try specialRoles(vocab: vocab, config: optionalJSON(folder + "/tokenizer_config.json"))
        let post = try postProcessorFrom(
            root["post_processor"], vocab: vocab, special: special, bpe: model is BPE, fail)
        return Tokenizer(
            normalizer: normalizer, preTokenizer: preTokenizer, model: model, post: post,
            added: AddedVocabulary(added), normalizedAdded: AddedVocabulary(normalizedAdded), special: special)
    }

    static func tokenModel(_ m: JSON, vocab: [String: Int32], _ fail: (String) -> ToolError) throws -> TokenModel {
        switch m["type"]?.string ?? (m["continuing_subword_prefix"] != nil && m["merges"] == nil ? "WordPiece" : "?") {
        case "WordPiece":
            return try WordPiece(
                vocab: vocab, unkToken: m["unk_token"]?.string ?? "[UNK]",
                prefix: m["continuing_subword_prefix"]?.string ?? "##",
                maxInputCharsPerWord: m["max_input_chars_per_word"]?.int ?? 100)
        case "BPE":
            for (key, what) in [
                ("continuing_subword_prefix", "a subword prefix"), ("end_of_word_suffix", "an end-of-word suffix"),
            ] {
                if let s = m[key]?.string, !s.isEmpty { throw fail("BPE with \(what) is not supported") }
            }
            if m["byte_fallback"]?.bool == true { throw fail("BPE with byte_fallback is not supported") }
            if let d = m["dropout"]?.double, d > 0 { throw fail("BPE dropout is for training; set it to null") }
            let merges = try (m["merges"]?.array ?? []).map { entry -> (String, String) in
                if let pair = entry.array, pair.count == 2, let a = pair[0].string, let b = pair[1].string {
                    return (a, b)
                }
                if let s = entry.string, let pair = mergePair(s[...]) { return pair }
                throw fail("merge \(entry.text) is neither \"a b\" nor [a, b]")
            }
            return try BPE(
                vocab: vocab, merges: merges, unkToken: m["unk_token"]?.string,
                ignoreMerges: m["ignore_merges"]?.bool ?? false)
        case let other:
            throw fail("model type \(other) is not supported (WordPiece, BPE and Unigram are)")
        }
    }

    /// A Unigram model: `vocab` is [[piece, score], …] in id order; unknown characters need `unk_id`.
    static func unigram(_ m: JSON, _ fail: (String) -> ToolError) throws -> Unigram {
        guard let entries = m["vocab"]?.array else { throw fail("Unigram without a vocab list") }
        guard entries.count <= maxTokenId + 1 else { throw fail("Unigram with \(entries.count) pieces") }
        if m["byte_fallback"]?.bool == true { throw fail("Unigram with byte_fallback is not supported") }
        guard let unk = m["unk_id"], let unkId = unk.int else {
            throw fail("Unigram without unk_id is not supported (an unknown character would have no id)")
        }
        let pieces = try entries.enumerated().map { index, entry -> (String, Double) in
            guard let pair = entry.array, pair.count == 2, let piece = pair[0].string, let score = pair[1].double else {
                throw fail("Unigram piece \(index) is not [string, score]")
            }
            return (piece, score)
        }
        do { return try Unigram(pieces: pieces, unkId: unkId) } catch let error as TokenizerError {
            throw fail(error.description)
        }
    }

    static func preTokenizerFrom(_ p: JSON?, _ fail: (String) -> ToolError) throws -> PreTokenizer {
        guard let p, !p.isNull else { return BertPreTokenizer() }
        switch p["type"]?.string {
        case "BertPreTokenizer": return BertPreTokenizer()
        case "Metaspace":
            guard let replacement = p["replacement"]?.string?.unicodeScalars, replacement.count == 1 else {
                throw fail("Metaspace replacement must be one character")
            }
            // older files: add_prefix_space; newer: prepend_scheme (always / never; first is not supported)
            let scheme = p["prepend_scheme"]?.string ?? ((p["add_prefix_space"]?.bool ?? true) ? "always" : "never")
            guard scheme == "always" || scheme == "never" else {
                throw fail("Metaspace prepend_scheme \(scheme) is not supported (always and never are)")
            }
            return MetaspacePreTokenizer(
                replacement: replacement.first!, prepend: scheme == "always", split: p["split"]?.bool ?? true)
        case "ByteLevel":
            return ByteLevelPreTokenizer(
                addPrefixSpace: p["add_prefix_space"]?.bool ?? true, useRegex: p["use_regex"]?.bool ?? true)
        case "WhitespaceSplit": return WhitespaceSplitPreTokenizer()
        case "Whitespace": return WhitespacePreTokenizer()
        case "Punctuation":
            let behavior = p["behavior"]?.string ?? "Isolated"
            guard behavior == "Isolated" else {
                throw fail("pre-tokenizer Punctuation with behavior \(behavior) is not supported (Isolated is)")
            }
            return PunctuationPreTokenizer()
        case "Digits": return DigitsPreTokenizer(individual: p["individual_digits"]?.bool ?? false)
        case "Sequence":
            guard let stages = p["pretokenizers"]?.array else { throw fail("pre-tokenizer Sequence without stages") }
            return PreTokenizerSequence(try stages.map { try preTokenizerFrom($0, fail) })
        case let other:
            throw fail(
                "pre-tokenizer \(other ?? "?") is not supported (BertPreTokenizer, ByteLevel, Metaspace, "
                    + "WhitespaceSplit, Whitespace, Punctuation, Digits and Sequence are)")
        }
    }

    /// The token of each role: `tokenizer_config.json`'s `cls_token` … when given, else the
    /// BERT or RoBERTa name that the vocabulary has.
    static func specialRoles(vocab: [String: Int32], config: JSON?) throws -> SpecialTokens {
        func role(_ key: String, _ names: [String]) throws -> Int32? {
            if let v = config?[key], !v.isNull {
                guard let name = v.string ?? v["content"]?.string else { return nil }
                guard let id = vocab[name] else {
                    throw ToolError("tokenizer_config.json: \(key) '\(name)' is not in the vocabulary")
                }
                return id
            }
            return names.lazy.compactMap { vocab[$0] }.first
        }
        return SpecialTokens(
            cls: try role("cls_token", ["[CLS]", "<s>"]), sep: try role("sep_token", ["[SEP]", "</s>"]),
            mask: try role("mask_token", ["[MASK]", "<mask>"]), pad: try role("pad_token", ["[PAD]", "<pad>"]),
            unk: try role("unk_token", ["[UNK]", "<unk>"]))
    }

    /// "a b" → (a, b): a merge as merges.txt and older tokenizer.json files write it.
    static func mergePair(_ s: Substring) -> (String, String)? {
        let parts = s.split(separator: " ", omittingEmptySubsequences: false)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }

    static func readJSON(_ path: String) throws -> JSON {
        do { return try JSON.parse(String(decoding: try readWholeFile(path), as: UTF8.self)) } catch let error
            as JSONParseError
        { throw ToolError.data(path, "not valid JSON: \(error)") } catch let error as ToolError { throw error } catch {
            throw ToolError("\(path): cannot read: \(error)")
        }
    }

    static func optionalJSON(_ path: String) throws -> JSON? {
        FileManager.default.fileExists(atPath: path) ? try readJSON(path) : nil
    }

    /// A normalizer as tokenizer.json writes it (nil for null).
    public static func normalizer(fromJSON n: JSON) throws -> Normalizer? {
        try normalizerFrom(n) { ToolError.data("normalizer", $0) }
    }

    /// A pre-tokenizer as tokenizer.json writes it.
    public static func preTokenizer(fromJSON p: JSON) throws -> PreTokenizer {
        try preTokenizerFrom(p) { ToolError.data("pre_tokenizer", $0) }
    }

    static func normalizerFrom(_ n: JSON, _ fail: (String) -> ToolError) throws -> Normalizer? {
        if n.isNull { return nil }
        switch n["type"]?.string {
        case "BertNormalizer":
            return BertNormalizer(
                cleanText: n["clean_text"]?.bool ?? true,
                handleChineseChars: n["handle_chinese_chars"]?.bool ?? true,
                stripAccents: n["strip_accents"]?.bool,
                lowercase: n["lowercase"]?.bool ?? true)
        case "Lowercase": return LowercaseNormalizer()
        case "Precompiled":
            guard let encoded = n["precompiled_charsmap"]?.string, let bytes = Data(base64Encoded: encoded) else {
                throw fail("Precompiled without a base64 precompiled_charsmap")
            }
            do { return try PrecompiledNormalizer(charsmap: [UInt8](bytes)) } catch let error as TokenizerError {
                throw fail(error.description)
            }
        case "Strip":
            // tokenizers writes strip_left / strip_right (older files: left / right)
            return StripNormalizer(
                left: n["strip_left"]?.bool ?? n["left"]?.bool ?? true,
                right: n["strip_right"]?.bool ?? n["right"]?.bool ?? true)
        case "NFC", "NFD", "NFKC", "NFKD":
            return UnicodeFormNormalizer(UnicodeFormNormalizer.Form(rawValue: n["type"]!.string!)!)
        case "Nmt": return NmtNormalizer()
        case "StripAccents": return StripAccentsNormalizer()
        case "Prepend":
            guard let prefix = n["prepend"]?.string else { throw fail("Prepend without prepend") }
            return PrependNormalizer(prefix)
        case "Replace":
            guard let content = n["content"]?.string else { throw fail("Replace without content") }
            let pattern = n["pattern"]
            guard let text = pattern?["String"]?.string ?? pattern?["Regex"]?.string else {
                throw fail("Replace pattern is neither {String} nor {Regex}")
            }
            do {
                return try ReplaceNormalizer(pattern: text, isRegex: pattern?["Regex"] != nil, content: content)
            } catch let error as TokenizerError { throw fail(error.description) }
        case "Sequence":
            return NormalizerSequence(
                stages: try (n["normalizers"]?.array ?? []).compactMap { try normalizerFrom($0, fail) })
        default: throw fail("normalizer \(n["type"]?.string ?? "?") is not supported")
        }
    }

    static func postProcessorFrom(
        _ p: JSON?, vocab: [String: Int32], special: SpecialTokens, bpe: Bool = false,
        _ fail: (String) -> ToolError
    ) throws -> TemplateProcessor {
        guard let p, !p.isNull else {
            if bpe { return .plain }
            guard let cls = special.cls, let sep = special.sep else {
                throw fail("no post-processor and no [CLS]/[SEP]")
            }
            return .bert(cls: cls, sep: sep)
        }
        switch p["type"]?.string {
        case "TemplateProcessing":
            var ids: [String: Int32] = [:]
            for kv in p["special_tokens"]?.members ?? [] {
                guard let list = kv.value["ids"]?.array, list.count == 1 else {
                    throw fail("special token \(kv.key) of the template must map to one id")
                }
                ids[kv.key] = try tokenId(list[0], "id of template token \(kv.key)", fail)
            }
            func pieces(_ key: String) throws -> [TemplateProcessor.Piece] {
                try (p[key]?.array ?? []).map { piece in
                    if let s = piece["SpecialToken"], let name = s["id"]?.string {
                        guard let id = ids[name] ?? vocab[name] else {
                            throw fail("template names unknown token \(name)")
                        }
                        return .special(id: id, typeId: try typeId(s["type_id"], fail))
                    }
                    if let s = piece["Sequence"] {
                        return .sequence(first: s["id"]?.string != "B", typeId: try typeId(s["type_id"], fail))
                    }
                    throw fail("template piece \(piece.text) is not understood")
                }
            }
            return TemplateProcessor(single: try pieces("single"), pair: try pieces("pair"))
        case "BertProcessing":
            guard let cls = p["cls"]?.array?.last, let sep = p["sep"]?.array?.last else {
                throw fail("BertProcessing without cls/sep")
            }
            return .bert(cls: try tokenId(cls, "cls id", fail), sep: try tokenId(sep, "sep id", fail))
        case "RobertaProcessing":
            guard let cls = p["cls"]?.array?.last, let sep = p["sep"]?.array?.last else {
                throw fail("RobertaProcessing without cls/sep")
            }
            return .roberta(cls: try tokenId(cls, "cls id", fail), sep: try tokenId(sep, "sep id", fail))
        case "ByteLevel":  // offsets only: no special tokens
            return .plain
        default:
            throw fail("post-processor \(p["type"]?.string ?? "?") is not supported")
        }
    }

    /// A BERT `vocab.txt` (one token a line, id = line index) with the options of
    /// `tokenizer_config.json` when present, as `BertTokenizerFast` builds it.
    public static func load(vocabTxt path: String, config: String) throws -> Tokenizer {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ToolError("\(path): cannot read vocabulary")
        }
        var vocab = [String: Int32]()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty
        {
            vocab[String(line.hasSuffix("\r") ? line.dropLast() : line)] = Int32(i)
        }
        var cfg = JSON.object([])
        if let data = FileManager.default.contents(atPath: config) {
            cfg = (try? JSON.parse(String(decoding: data, as: UTF8.self))) ?? cfg
        }
        let lower = cfg["do_lower_case"]?.bool ?? true
        let normalizer = BertNormalizer(
            handleChineseChars: cfg["tokenize_chinese_chars"]?.bool ?? true,
            stripAccents: cfg["strip_accents"]?.bool, lowercase: lower)
        let special = SpecialTokens(
            cls: vocab["[CLS]"], sep: vocab["[SEP]"], mask: vocab["[MASK]"],
            pad: vocab["[PAD]"], unk: vocab["[UNK]"])
        guard let cls = special.cls, let sep = special.sep else {
            throw ToolError.data(path, "no [CLS] or [SEP] token")
        }
        let added = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { t in
            vocab[t].map {
                AddedToken(content: Array(t.unicodeScalars), id: $0, lstrip: false, rstrip: false, singleWord: false)
            }
        }
        return Tokenizer(
            normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: try WordPiece(vocab: vocab),
            post: .bert(cls: cls, sep: sep), added: AddedVocabulary(added), special: special)
    }
}

extension Tokenizer {
    /// GPT-2 / RoBERTa's older files: `vocab.json` (token → id), `merges.txt` (one merge a
    /// line, rank order) and `tokenizer_config.json` (special tokens, `add_prefix_space`),
    /// as `RobertaTokenizerFast` builds them. RoBERTa's pair format when the config names a
    /// RoBERTa tokenizer or, without one, when the vocabulary has `<s>` and `</s>`.
    public static func load(
        vocabJSON path: String, merges mergesPath: String, config configPath: String
    ) throws -> Tokenizer {
        guard let members = try readJSON(path).members else {
            throw ToolError.data(path, "not a JSON object of token ids")
        }
        var vocab = [String: Int32](minimumCapacity: members.count)
        for kv in members {
            vocab[kv.key] = try tokenId(kv.value, "id of '\(kv.key)'") { ToolError.data(path, $0) }
        }
        let text: String
        do { text = try String(contentsOfFile: mergesPath, encoding: .utf8) } catch {
            throw ToolError("\(mergesPath): cannot read merges")
        }
        var merges: [(String, String)] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || (n == 0 && line.hasPrefix("#version")) { continue }
            guard let pair = mergePair(line) else {
                throw ToolError("\(mergesPath):\(n + 1): a merge is two tokens separated by one space")
            }
            merges.append(pair)
        }
        let config = try optionalJSON(configPath)
        let special = try specialRoles(vocab: vocab, config: config)
        // Special tokens are matched in the raw text; lstrip etc. as `added_tokens_decoder` says.
        var flags: [String: JSON] = [:]
        for kv in config?["added_tokens_decoder"]?.members ?? [] {
            if let c = kv.value["content"]?.string { flags[c] = kv.value }
        }
        let names = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]
            .compactMap { key in
                config?[key].flatMap { $0.string ?? $0["content"]?.string }
            }
        let roleNames = names.isEmpty ? ["<s>", "</s>", "<unk>", "<pad>", "<mask>"].filter { vocab[$0] != nil } : names
        let added = Set(roleNames + flags.keys).sorted().compactMap { name -> AddedToken? in
            guard let id = vocab[name] else { return nil }
            let f = flags[name]
            return AddedToken(
                content: Array(name.unicodeScalars), id: id, lstrip: f?["lstrip"]?.bool ?? false,
                rstrip: f?["rstrip"]?.bool ?? false, singleWord: f?["single_word"]?.bool ?? false)
        }
        let cls = config?["tokenizer_class"]?.string
        let roberta =
            cls.map { $0.hasPrefix("Roberta") || $0.hasPrefix("Bart") } ?? (vocab["<s>"] != nil && vocab["</s>"] != nil)
        var post = TemplateProcessor.plain
        if roberta {
            guard let c = special.cls, let s = special.sep else {
                throw ToolError.data(path, "a RoBERTa tokenizer needs <s> and </s>")
            }
            post = .roberta(cls: c, sep: s)
        }
        let pre = ByteLevelPreTokenizer(addPrefixSpace: config?["add_prefix_space"]?.bool ?? false)
        return Tokenizer(
            normalizer: nil, preTokenizer: pre, model: try BPE(vocab: vocab, merges: merges),
            post: post, added: AddedVocabulary(added), special: special)
    }

    /// The largest token id read (16.7 M; real vocabularies have at most a few hundred thousand):
    /// the id-to-token table is sized by the largest id.
    static let maxTokenId = (1 << 24) - 1

    /// A token id from a tokenizer file: an integer in 0...maxTokenId.
    static func tokenId(_ value: JSON?, _ what: String, _ fail: (String) -> ToolError) throws -> Int32 {
        guard let id = value?.int, id >= 0, id <= maxTokenId else {
            throw fail("\(what) is \(value?.text ?? "missing"), not an integer from 0 to \(maxTokenId)")
        }
        return Int32(id)
    }

    /// A token type id of a template (absent: 0).
    static func typeId(_ value: JSON?, _ fail: (String) -> ToolError) throws -> Int32 {
        guard let value else { return 0 }
        guard let id = value.int, (0...255).contains(id) else {
            throw fail("type_id \(value.text) is not from 0 to 255")
        }
        return Int32(id)
    }
}
