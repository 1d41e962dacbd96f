import Analysis
import Foundation
import Models
import Plumbing
import Tensors
import Tokenizers
import Tuning

/// `score-similarity`: transferability indicators for every ordered pair of prompts —
/// embedding similarity, and with a model (or stored masks) the overlap of activated neurons.
public struct ScoreRun {
    public var prompts: [String] = []
    public var names: [String] = []
    public var model: String? = nil
    public var activationFiles: [String] = []
    public var stimulation = Stimulation()
    public var output: String? = nil

    public init() {}

    public func run() throws {
        let files = activationFiles.isEmpty || !prompts.isEmpty ? try LineSource.paths(prompts) : []
        guard !files.isEmpty || !activationFiles.isEmpty else {
            throw ToolError.usage("no prompts: name prompt files, or give their paths one per line on stdin")
        }
        var loaded = try files.map { try PromptFile.read($0) }
        if !names.isEmpty {
            guard names.count == loaded.count else {
                throw ToolError.usage("--name given \(names.count) times for \(loaded.count) prompts")
            }
            for i in loaded.indices { loaded[i].metadata["name"] = names[i] }
        }
        var acts: ActivationSet? = nil
        if let model {
            acts = try ActivationSet.measure(loaded, model: model, stimulation: stimulation)
        } else if !activationFiles.isEmpty {
            var set = ActivationSet()
            for f in activationFiles { try set.append(try ActivationSet.read(f), file: f) }
            acts = set
        }
        let out = try DataOutput(path: output)
        if !loaded.isEmpty {
            let shape = loaded[0].prompt.shape
            if let bad = loaded.first(where: { $0.prompt.shape != shape }) {
                throw ToolError.data(
                    bad.path, "shape \(bad.prompt.shape) differs from \(loaded[0].path)'s \(shape); embedding "
                    + "similarity needs prompts of one shape (project them first)"
                )
            }
        }
        let geometry = loaded.map { PromptGeometry($0.prompt) }
        let labels = ScoreRun.unique(loaded.isEmpty ? acts?.names ?? [] : loaded.map { $0.name })
        for i in labels.indices {
            for j in labels.indices {
                var m: [JSON.Member] = [.init("source", .string(labels[i])), .init("target", .string(labels[j]))]
                if !geometry.isEmpty {
                    for (k, v) in PromptGeometry.metrics(geometry[i], geometry[j]) { m.append(.init(k, .number(v))) }
                }
                if let a = acts { m += ScoreRun.overlap(a, i, j) }
                out.writeLine(JSON.object(m).text)
            }
        }
        try out.commit()
    }

    /// Names made unique: a repeated name gets "#2", "#3", … and a warning on stderr, so no two
    /// rows of the output share a (source, target) pair.
    static func unique(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        var out: [String] = []
        for name in names {
            let count = (seen[name] ?? 0) + 1
            seen[name] = count
            guard count > 1 else {
                out.append(name)
                continue
            }
            var renamed = "\(name)#\(count)"
            while names.contains(renamed) || out.contains(renamed) {
                renamed += "'"
            }
            Log.info(
                "warning: two prompts are named \"\(name)\": the prompt \(out.count + 1) is \"\(renamed)\" "
                    + "(name them with --name)")
            out.append(renamed)
        }
        return out
    }

    static func overlap(_ a: ActivationSet, _ i: Int, _ j: Int) -> [JSON.Member] {
        let all = activationOverlap(a.masks[i], a.masks[j], range: 0..<a.masks[i].count)
        var m: [JSON.Member] = [.init("on_cosine", .number(all.cosine)), .init("on_jaccard", .number(all.jaccard))]
        let w = a.bitsPerLayer
        for (k, layer) in a.layers.enumerated() {
            m.append(
                .init(
                    "on_cosine_layer_\(layer)",
                    .number(activationOverlap(a.masks[i], a.masks[j], range: (k * w)..<((k + 1) * w)).cosine)))
        }
        m.append(.init("on", a.settings))
        return m
    }
}
