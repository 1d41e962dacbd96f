import Foundation

/// First stage of the pipeline: rewrites the text before it is split.
public protocol Normalizer {
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar]
}

/// BERT's normalizer, as Hugging Face `tokenizers` runs it, in its order: drop control
/// characters and map whitespace to spaces; space out CJK ideographs; strip accents (NFD,
/// then drop non-spacing marks); lower-case (full, context-free mapping per character).
public struct BertNormalizer: Normalizer {
    public var cleanText = true
    public var handleChineseChars = true
    public var stripAccents: Bool? = nil  // nil: follows `lowercase`
    public var lowercase = true

    public init(
        cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true
    ) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var s = text
        if cleanText {
            s = s.compactMap { c in
                if c.value == 0 || c.value == 0xFFFD || isControl(c) { return nil }
                return isWhitespace(c) ? " " : c
            }
        }
        if handleChineseChars, s.contains(where: isChineseChar) {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count + 8)
            for c in s {
                if isChineseChar(c) {
                    out.append(" ")
                    out.append(c)
                    out.append(" ")
                } else {
                    out.append(c)
                }
            }
            s = out
        }
        if stripAccents ?? lowercase, s.contains(where: { $0.value >= 0x80 }) {
            let decomposed = String(String.UnicodeScalarView(s)).decomposedStringWithCanonicalMapping
            s = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count)
            for c in s {
                if c.isASCII {
                    out.append((0x41...0x5A).contains(c.value) ? Unicode.Scalar(c.value + 32)! : c)
                } else {
                    out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
                }
            }
            s = out
        }
        return s
    }
}

/// Lower-cases only (e.g. `Lowercase` in tokenizer.json).
public struct LowercaseNormalizer: Normalizer {
    public init() {}
    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.flatMap { Array($0.properties.lowercaseMapping.unicodeScalars) }
    }
}

/// A Unicode normalization form (`NFC`, `NFD`, `NFKC`, `NFKD` in tokenizer.json).
public struct UnicodeFormNormalizer: Normalizer {
    public enum Form: String, CaseIterable {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
    }
    public let form: Form

    public init(_ form: Form) { self.form = form }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { !$0.isASCII }) else { return text }  // ASCII is in every form
        let s = String(String.UnicodeScalarView(text))
        let normal: String
        switch form {
        case .nfc: normal = s.precomposedStringWithCanonicalMapping
        case .nfd: normal = s.decomposedStringWithCanonicalMapping
        case .nfkc: normal = s.precomposedStringWithCompatibilityMapping
        case .nfkd: normal = s.decomposedStringWithCompatibilityMapping
        }
        return Array(normal.unicodeScalars)
    }
}

/// SentencePiece's `nmt` rules (`Nmt` in tokenizer.json): control characters other than tab and
/// line ends are dropped; tab, line ends, form feed and other spaces that are not " " become " ".
public struct NmtNormalizer: Normalizer {
    public init() {}

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.compactMap { c in
            switch c.value {
            case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F: return nil
            case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return " "
            default: return c
            }
        }
    }
}

/// Drops combining marks (`StripAccents` in tokenizer.json; accents are marks after NFD).
public struct StripAccentsNormalizer: Normalizer {
    public init() {}

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.filter { c in
            switch c.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return false
            default: return true
            }
        }
    }
}

/// Puts a string before a non-empty text (`Prepend` in tokenizer.json).
public struct PrependNormalizer: Normalizer {
    public let prefix: [Unicode.Scalar]

    public init(_ prefix: String) { self.prefix = Array(prefix.unicodeScalars) }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] { text.isEmpty ? text : prefix + text }
}

/// Runs normalizers in turn (`Sequence` in tokenizer.json).
public struct NormalizerSequence: Normalizer {
    public let stages: [Normalizer]
    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        stages.reduce(text) { $1.normalize($0) }
    }
}

// Character classes, as `tokenizers` defines them (Rust `char` = Unicode scalar).

@inline(__always) func isWhitespace(_ c: Unicode.Scalar) -> Bool {
    c == " " || c == "\t" || c == "\n" || c == "\r" || (c.value >= 0x80 && c.properties.isWhitespace)
        || (c.value >= 0x09 && c.value <= 0x0D) || c.value == 0x85
}

@inline(__always) func isControl(_ c: Unicode.Scalar) -> Bool {
    if c == "\t" || c == "\n" || c == "\r" { return false }
    switch c.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned: return true
    default: return false
    }
}

@inline(__always) func isChineseChar(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
        0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
        return true
    default: return false
    }
}

@inline(__always) func isPunctuation(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII {
        let v = c.value
        return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
            || (0x7B...0x7E).contains(v)
    }
    switch c.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation:
        return true
    default: return false
    }
}
