import Plumbing
import Tokenizers

/// The text fields of a pipeline record: `text_a`, optional `text_b` (null or absent = none).
struct TextFields {
    let a: String
    let b: String?

    init(_ r: JSONLinesReader.Record) throws {
        guard let a = r.value["text_a"] else { throw r.fail("missing \"text_a\"") }
        guard let s = a.string else { throw r.fail("\"text_a\" must be a string") }
        self.a = s
        switch r.value["text_b"] {
        case nil, .null?: b = nil
        case .string(let t)?: b = t
        default: throw r.fail("\"text_b\" must be a string or null")
        }
    }
}

extension JSONLinesReader.Record {
    /// `input_ids` (and `token_type_ids`) of an already tokenized record, nil when absent.
    func tokenIds() throws -> Encoding? {
        guard let field = value["input_ids"] else { return nil }
        guard let list = field.array else { throw fail("\"input_ids\" must be an array of integers") }
        let ids = try list.map { v -> Int32 in
            guard let i = v.int, i >= 0, i <= Int(Int32.max) else {
                throw fail("\"input_ids\" must hold non-negative integers")
            }
            return Int32(i)
        }
        var types = [Int32](repeating: 0, count: ids.count)
        if let t = value["token_type_ids"] {
            guard let tl = t.array, tl.count == ids.count else {
                throw fail("\"token_type_ids\" must be an array as long as \"input_ids\"")
            }
            types = try tl.map { v in
                guard let i = v.int, i >= 0, i < 1 << 16 else {
                    throw fail("\"token_type_ids\" must hold small non-negative integers")
                }
                return Int32(i)
            }
        }
        return Encoding(ids: ids, typeIds: types)
    }
}

func jsonInts(_ a: [Int32]) -> JSON { .array(a.map { .number(Int($0)) }) }
