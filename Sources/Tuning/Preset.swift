// Tuning settings kept as data: a preset (`data-manifests/presets/NAME.json`, e.g. a model's tested
// starting point) sets TuneSettings' defaults, which the options given on the command line override.
import Foundation
import Plumbing

public struct TunePreset {
    public let name: String
    public let json: JSON
    /// What a preset may set: TuneSettings' recorded names, and a comment.
    public static let keys = [
        "comment", "readout", "prompt_length", "lr", "warmup", "batch_size", "max_text_tokens", "steps", "eval_every",
        "weight_decay", "schedule", "template", "init",
    ]

    public init(name: String, json: JSON, file: String) throws {
        guard let members = json.members else { throw ToolError.data(file, "a preset is a JSON object") }
        for m in members where !Self.keys.contains(m.key) {
            throw ToolError.data(file, "unknown preset key \"\(m.key)\" (known: \(Self.keys.joined(separator: ", ")))")
        }
        self.name = name
        self.json = json
        self.file = file
    }

    let file: String

    /// Sets `s` from the preset; returns its readout, if it names one.
    public func apply(to s: inout TuneSettings) throws -> Readout.Kind? {
        func fail(_ key: String, _ what: String) -> ToolError { .data(file, "\"\(key)\" must be \(what)") }
        func int(_ key: String) throws -> Int? {
            guard let v = json[key] else { return nil }
            guard let i = v.int, i > 0 else { throw fail(key, "a positive integer") }
            return i
        }
        if let v = try int("prompt_length") { s.promptLength = v }
        if let v = try int("batch_size") { s.batchSize = v }
        if let v = try int("max_text_tokens") { s.maxTextTokens = v }
        if let v = try int("steps") { s.steps = v }
        if let v = json["warmup"] {
            guard let i = v.int, i >= 0 else { throw fail("warmup", "an integer ≥ 0") }
            s.warmup = i
        }
        if let v = json["eval_every"] {
            guard let i = v.int, i >= 0 else { throw fail("eval_every", "an integer ≥ 0") }
            s.evalEvery = i
        }
        if let v = json["lr"] {
            guard let d = v.double, d.isFinite, d > 0 else { throw fail("lr", "a positive number") }
            s.learningRate = Float(d)
        }
        if let v = json["weight_decay"] {
            guard let d = v.double, d.isFinite, d >= 0 else { throw fail("weight_decay", "a number ≥ 0") }
            s.weightDecay = Float(d)
        }
        if let v = json["schedule"] {
            guard let t = v.string, ["linear", "constant"].contains(t) else {
                throw fail("schedule", "linear or constant")
            }
            s.decay = t == "linear"
        }
        if let v = json["template"] {
            guard let t = v.string else { throw fail("template", "a string") }
            s.template = t
        }
        if let v = json["init"] {
            guard let t = v.string else { throw fail("init", "a string") }
            s.initMode = try PromptInit(parsing: t)
        }
        s.preset = name
        guard let v = json["readout"] else { return nil }
        guard let t = v.string, let kind = Readout.Kind(rawValue: t) else {
            throw fail("readout", "mlm, tied or decoder")
        }
        return kind
    }
}
