import Analysis
import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors
import Tokenizers
import Tuning

/// `embed`: one vector per JSON line — the CLS row, the mean of the tokens, or the `[MASK]` row
/// of the final hidden states — as JSON lines or one safetensors tensor `[N, hidden]`.
public struct EmbedRun {
    public enum Pool: String, CaseIterable { case cls, mean, mask }

    public var model: String
    public var inputs: [String] = []
    public var output: String? = nil
    public var pool = Pool.mean
    public var normalize = false
    public var batchSize = 32
    public var maxLength: Int? = nil
    public var progress = false

    /// The defaults the tool's options show.
    public static let defaults = EmbedRun(model: "")

    public init(model: String) { self.model = model }

    struct Pending {
        var record: JSONLinesReader.Record
        var enc: Encoding
    }

    public func run() throws {
        guard batchSize > 0 else { throw ToolError.usage("--batch-size must be positive") }
        let encoder = try loadModel(folder: model)
        let tokenizer = try Tokenizer.load(folder: model)
        if pool == .mask, tokenizer.special.mask == nil {
            throw ToolError.usage("--pool mask: the tokenizer of \(model) has no mask token")
        }
        if let maxLength, maxLength < 1 { throw ToolError.usage("--max-length must be at least 1") }
        let toTensor = output.map { $0.hasSuffix(".safetensors") } ?? false
        let out = toTensor ? nil : try DataOutput(path: output)
        var reader = JSONLinesReader(paths: inputs)
        let bar = ProgressLine(label: "embed", total: nil, enabled: progress || Log.stderrIsTerminal)
        var rows: [Float] = []
        var ids: [JSON] = []
        var pending: [Pending] = []

        func flush() throws {
            guard !pending.isEmpty else { return }
            let vectors = try embed(pending, encoder, tokenizer)
            for (p, v) in zip(pending, vectors) {
                if let out {
                    var r = p.record.value
                    r.set("embedding", .array(v.map { .number($0) }))
                    out.writeLine(r.text)
                } else {
                    rows += v
                    ids.append(p.record.value["id"] ?? .number(p.record.line))
                }
            }
            bar.advance(pending.count)
            pending.removeAll()
        }

        while let record = try reader.next() {
            pending.append(Pending(record: record, enc: try encode(record, tokenizer, encoder)))
            if pending.count == batchSize { try flush() }
        }
        try flush()
        bar.finish()
        if let out { try out.commit() }
        if toTensor, let output {
            let t = Tensor(shape: [ids.count, encoder.hidden], values: rows)
            let meta = [
                "ids": JSON.array(ids).text, "model": model, "pool": pool.rawValue,
                "normalize": String(normalize), "toolkit_version": toolkitVersion,
                "matrix_backend": JSON.matrixBackend.text,
            ]
            try SafetensorsWriter.write([("embeddings", t)], metadata: meta, to: output)
        }
    }

    func encode(_ r: JSONLinesReader.Record, _ tok: Tokenizer, _ c: FrozenModel) throws -> Encoding {
        var enc: Encoding
        if let given = try r.tokenIds() {
            enc = given
            if let maxLength, enc.ids.count > maxLength {
                throw r.fail("already tokenized to \(enc.ids.count) tokens, over --max-length \(maxLength)")
            }
        } else {
            let text = try TextFields(r)
            do { enc = try tok.encode(text.a, text.b, maxLength: maxLength ?? nil).encoding } catch {
                throw r.fail("\(error)")
            }
        }
        guard !enc.ids.isEmpty else { throw r.fail("no tokens to embed (empty \"input_ids\")") }
        if enc.ids.count > c.maxSequence {
            throw r.fail(
                "\(enc.ids.count) tokens, more than the model's \(c.maxSequence); pass --max-length to truncate")
        }
        if let bad = enc.ids.first(where: { Int($0) >= c.vocabSize }) {
            throw r.fail("token id \(bad) is outside the vocabulary")
        }
        if pool == .mask, let m = tok.special.mask, !enc.ids.contains(m) { throw r.fail("no [MASK] token to pool at") }
        if let bad = enc.typeIds.first(where: { $0 < 0 || Int($0) >= c.typeVocab }) {
            throw r.fail("token type \(bad) is outside the model's \(c.typeVocab) types")
        }
        return enc
    }

    func embed(_ items: [Pending], _ encoder: FrozenModel, _ tok: Tokenizer) throws -> [[Float]] {
        var batch = Batch()
        for p in items {
            batch.append(ids: p.enc.ids, typeIds: p.enc.typeIds, firstPosition: encoder.firstPosition)
        }
        let h = try encoder.encoderStates(batch, prompt: nil, onFFN: nil)
        let C = encoder.hidden
        return (0..<batch.count).map { b in
            let off = batch.offsets[b]
            let len = batch.length(b)
            var v = [Float](repeating: 0, count: C)
            switch pool {
            case .cls: for c in 0..<C { v[c] = h[off * C + c] }
            case .mean:
                for r in 0..<len { for c in 0..<C { v[c] += h[(off + r) * C + c] } }
                for c in 0..<C { v[c] /= Float(len) }
            case .mask:
                let r = items[b].enc.ids.firstIndex(of: tok.special.mask ?? -1) ?? 0  // checked in encode
                for c in 0..<C { v[c] = h[(off + r) * C + c] }
            }
            if normalize {
                let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for c in 0..<C { v[c] /= norm }
            }
            return v
        }
    }

    /// `embed --activations`: the masks of prompt files, stored for later comparison.
    public static func writeActivations(
        prompts: [String], model: String, stimulation: Stimulation, to path: String
    ) throws {
        let files = try LineSource.promptPaths(prompts).map { try PromptFile.read($0) }
        try ActivationSet.measure(files, model: model, stimulation: stimulation).write(to: path)
    }
}
