import Foundation
import Models
import Plumbing
import TensorFiles
import Tokenizers
import Tensors

/// A prompt file: safetensors with tensor `prompt` [n, hidden] and `__metadata__` naming the
/// model it was tuned for (a hash of its weights), hidden size, template, readout,
/// verbalizer, task, training settings and result, and the toolkit version.
public struct PromptFile {
    public var prompt: Tensor
    public var metadata: [String: String]
    public var path: String

    public init(prompt: Tensor, metadata: [String: String], path: String) {
        self.prompt = prompt
        self.metadata = metadata
        self.path = path
    }

    public var length: Int { prompt.shape[0] }
    public var hidden: Int { prompt.shape[1] }
    public var name: String {
        [metadata["name"], metadata["task"]].compactMap { $0 }.first { !$0.isEmpty } ?? PromptReader.defaultName(path)
    }

    /// Reads a prompt of any supported format (see `PromptReader`); `name` overrides its name.
    public static func read(_ path: String, name: String? = nil) throws -> PromptFile {
        let p = try PromptReader.read(path)
        var meta = p.metadata
        meta["name"] = name ?? p.name
        return PromptFile(prompt: p.tensor, metadata: meta, path: path)
    }

    public func write(to path: String) throws {
        try SafetensorsWriter.write([("prompt", prompt)], metadata: metadata, to: path)
    }

    /// Refuses a prompt recorded for another model, hidden size or readout — never a silent misuse.
    public func check(model: ModelIdentity, readout: String?) throws {
        guard hidden == model.hidden else {
            throw ToolError.data(
                path, "prompt vectors have \(hidden) dimensions; \(model.name) has hidden size \(model.hidden)")
        }
        if let id = metadata["model_id"], id != model.id {
            throw ToolError.data(
                path,
                "prompt was tuned for model \(metadata["model"] ?? "?") (id \(id)), not \(model.name) (id \(model.id))")
        }
        if let readout, let mine = metadata["readout"], mine != readout {
            throw ToolError.data(path, "prompt was tuned with readout '\(mine)', not '\(readout)'")
        }
    }
}

/// What identifies a model: the sha256 of its weights file (first 16 hex digits).
public struct ModelIdentity {
    public let id: String, name: String, hidden: Int

    public init(_ model: FrozenModel) throws {
        let m = try MappedFile(path: model.folder + "/model.safetensors")
        id = String(sha256Hex(m.bytes).prefix(16))
        name = URL(fileURLWithPath: model.folder).standardized.lastPathComponent
        hidden = model.hidden
    }
}

extension PromptFile {
    /// Every prompt of `paths` (named `names[i]` when names are given, one per prompt), read and
    /// checked against the model before any work.
    public static func readAll(_ paths: [String], names: [String], model: ModelIdentity) throws -> [PromptFile] {
        guard names.isEmpty || names.count == paths.count else {
            throw ToolError.usage("\(names.count) --name for \(paths.count) prompts: give one per prompt, in order")
        }
        let files = try paths.enumerated().map { i, path in
            try PromptFile.read(path, name: names.isEmpty ? nil : names[i])
        }
        for f in files { try f.check(model: model, readout: nil) }
        return files
    }

    /// The text-token limit the prompt was tuned with, if it records its settings.
    public var recordedMaxTextTokens: Int? {
        guard let s = metadata["settings"], let j = try? JSON.parse(s) else { return nil }
        return j["max_text_tokens"]?.int
    }
}

/// A model folder's frozen model, its tokenizer and its identity (what prompts record).
public func loadModelAndTokenizer(folder: String) throws -> (FrozenModel, Tokenizer, ModelIdentity) {
    let frozen = try loadModel(folder: folder)
    return (frozen, try Tokenizer.load(folder: folder), try ModelIdentity(frozen))
}
