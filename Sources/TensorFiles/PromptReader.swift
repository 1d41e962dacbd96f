import Foundation
import Plumbing
import Tensors

/// A prompt tensor [n, hidden] from any of the ecosystems it may come from: this toolkit's
/// safetensors (tensor `prompt`), PyTorch `torch.save` files, NumPy `.npy`, and Hugging Face
/// PEFT prompt-tuning adapters (a folder or its `adapter_model.safetensors`, key
/// `prompt_embeddings`).
public enum PromptReader {
    public struct Loaded {
        public var tensor: Tensor
        public var metadata: [String: String]
        public var name: String
    }

    public static func read(_ path: String) throws -> Loaded {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ToolError("\(path): no such file")
        }
        var file = path
        if isDir.boolValue {
            let st = path + "/adapter_model.safetensors"
            let bin = path + "/adapter_model.bin"
            guard let f = [st, bin].first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ToolError.data(path, "a folder, but not a PEFT adapter (no adapter_model.safetensors or .bin)")
            }
            file = f
        }
        var (t, meta) = try tensor(file)
        if t.shape.count == 3, t.shape[0] == 1 {  // [1, n, d]
            t = Tensor(shape: Array(t.shape.dropFirst()), values: t.array)
        }
        guard t.shape.count == 2 else {
            throw ToolError("\(path): prompt has shape \(t.shape); a prompt is 2-D [n, hidden]", exitCode: 65)
        }
        guard t.shape[0] > 0, t.shape[1] > 0 else {
            throw ToolError.data(path, "prompt has shape \(t.shape): no vectors")
        }
        try Checked.finite(t, name: "prompt", file: path)
        if let cfg = try peftConfig(for: file), cfg["peft_type"]?.string != "PROMPT_TUNING" {
            throw ToolError("\(path): PEFT adapter of type \(cfg["peft_type"]?.string ?? "?"), not PROMPT_TUNING")
        }
        return Loaded(tensor: t, metadata: meta, name: meta["name"] ?? defaultName(path))
    }

    static func tensor(_ file: String) throws -> (Tensor, [String: String]) {
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).readData(ofLength: 8)
        if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return (try NumpyFile.read(file), [:]) }
        if head.starts(with: [0x50, 0x4B]) {  // "PK": a zip, i.e. torch.save
            let ts = try TorchFile.tensors(file)
            let pick =
                ts.first { $0.0 == "" || $0.0 == "prompt" || $0.0 == "prompt_embeddings" }
                ?? (ts.count == 1 ? ts[0] : nil)
            guard let pick else {
                throw ToolError("\(file): several tensors (\(ts.map(\.0).joined(separator: ", "))); none is the prompt")
            }
            return (pick.1, [:])
        }
        let st = try SafetensorsFile(path: file)
        for key in ["prompt", "prompt_embeddings"] where st.entries[key] != nil {
            let t = try st.tensor(key)
            return (Tensor(shape: t.shape, values: t.array), st.metadata)
        }
        throw ToolError.data(file, "no tensor 'prompt' or 'prompt_embeddings'")
    }

    /// The adapter_config.json beside a PEFT adapter's weights (nil for other files); a
    /// config that is not a JSON object is an error, not a silent default.
    static func peftConfig(for file: String) throws -> JSON? {
        let cfg = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("adapter_config.json")
            .path
        guard URL(fileURLWithPath: file).lastPathComponent.hasPrefix("adapter_model"),
            FileManager.default.fileExists(atPath: cfg)
        else { return nil }
        let parsed: JSON
        do {
            parsed = try JSON.parse(String(decoding: try readWholeFile(cfg), as: UTF8.self))
        } catch let error as JSONParseError {
            throw ToolError.data(cfg, "not valid JSON: \(error)")
        }
        guard parsed.members != nil else { throw ToolError.data(cfg, "not a JSON object") }
        return parsed
    }

    /// The file name without extension — or, for the generic names of released prompts and
    /// adapters (`task_prompt`, `adapter_model`), the folder's name.
    public static func defaultName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardized
        let base = url.deletingPathExtension().lastPathComponent
        return ["task_prompt", "adapter_model", "prompt"].contains(base)
            ? url.deletingLastPathComponent().lastPathComponent : base
    }
}
