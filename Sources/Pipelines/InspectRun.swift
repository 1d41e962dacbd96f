// `inspect-prompt`: per prompt vector its nearest vocabulary tokens (cosine, and dot product with
// the word embeddings), its norm and how far it moved from its recorded initialisation; JSON
// lines, or a table for a reader at a terminal.
import Analysis
import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

public struct InspectRun {
    public var model: String
    public var prompts: [String] = []
    /// Nearest tokens listed per vector.
    public var nearest = 5
    /// The starting values to measure movement from (a prompt file), instead of recomputing the
    /// prompt's recorded init.
    public var initFile: String? = nil
    /// A table instead of JSON lines (default: a table when stdout is a terminal).
    public var table: Bool? = nil
    public var output: String? = nil

    public static let defaults = InspectRun(model: "")

    public init(model: String) { self.model = model }

    public func run() throws {
        let prompts = try LineSource.promptPaths(self.prompts)
        let (frozen, tokenizer, identity) = try loadModelAndTokenizer(folder: model)
        let files = try PromptFile.readAll(prompts, names: [], model: identity)
        let given = try initFile.map { try PromptFile.read($0) }
        let wordNorms = PromptTokens.wordNorms(frozen.wordEmbeddings)
        let vocabularyNorm = wordNorms.reduce(0, +) / Double(max(wordNorms.count, 1))
        let asTable = table ?? (output == nil && Log.stdoutIsTerminal)
        let out = try DataOutput(path: output)
        for f in files {
            let (initial, initName) = try initialValues(f, given: given, frozen, tokenizer, identity)
            let vectors = PromptTokens.inspect(
                prompt: f.prompt, embeddings: frozen.wordEmbeddings, wordNorms: wordNorms, initial: initial, k: nearest)
            func neighbours(_ list: [PromptTokens.Neighbour]) -> JSON {
                .array(
                    list.map { n in
                        .object([
                            .init("token", .string(tokenizer.tokens([Int32(n.id)])[0])), .init("id", .number(n.id)),
                            .init("score", rounded(n.score)),
                        ])
                    })
            }
            if asTable {
                out.writeLine(
                    "\(f.path): \(f.name), \(f.length) × \(f.hidden), init \(initName ?? "unknown"); "
                        + "vocabulary norm mean \(String(format: "%.3f", vocabularyNorm))")
                out.writeLine("  vec    norm   moved  nearest tokens (cosine)")
                for v in vectors {
                    let moved = v.moved.map { String(format: "%7.3f", $0) } ?? "      –"
                    let words = v.nearestCosine.map {
                        "\(tokenizer.tokens([Int32($0.id)])[0]) \(String(format: "%.2f", $0.score))"
                    }
                    out.writeLine(
                        String(format: "  %3d %7.3f ", v.index, v.norm) + moved + "  " + words.joined(separator: ", "))
                }
            } else {
                for v in vectors {
                    out.writeLine(
                        JSON.object([
                            .init("prompt", .string(f.path)), .init("name", .string(f.name)),
                            .init("model", .string(identity.name)), .init("vector", .number(v.index)),
                            .init("norm", rounded(v.norm)),
                            .init("vocabulary_norm_mean", rounded(vocabularyNorm)),
                            .init("init", initName.map { .string($0) } ?? .null),
                            .init("moved", v.moved.map(rounded) ?? .null),
                            .init("moved_relative", v.movedRelative.map(rounded) ?? .null),
                            .init("nearest_cosine", neighbours(v.nearestCosine)),
                            .init("nearest_dot", neighbours(v.nearestDot)),
                        ]).text)
                }
            }
            out.flush()
        }
        try out.commit()
    }

    /// Where tuning started: the --init file, else the prompt's recorded init recomputed with its
    /// recorded seed (nil, said on stderr, when that cannot be done).
    func initialValues(
        _ f: PromptFile, given: PromptFile?, _ frozen: FrozenModel, _ tokenizer: Tokenizer, _ identity: ModelIdentity
    ) throws -> ([Float]?, String?) {
        if let given {
            guard given.length == f.length, given.hidden == f.hidden else {
                throw ToolError.usage(
                    "\(given.path) is \(given.length) × \(given.hidden); \(f.path) is \(f.length) × \(f.hidden)")
            }
            return (given.prompt.array, "from:" + given.path)
        }
        guard let recorded = f.metadata["init"], let mode = try? PromptInit(parsing: recorded) else {
            Log.info("\(f.path): records no init; give --init FILE to measure how far it moved")
            return (nil, nil)
        }
        guard let seed = f.metadata["seed"].flatMap({ UInt64($0) }) else {
            Log.info("\(f.path): records no seed; its init cannot be recomputed (give --init FILE)")
            return (nil, recorded)
        }
        do {
            return (
                try mode.values(n: f.length, model: frozen, tokenizer: tokenizer, identity: identity, seed: seed),
                recorded
            )
        } catch let error as ToolError {
            Log.info("\(f.path): its init \(recorded) cannot be recomputed (\(error.description)); give --init FILE")
            return (nil, recorded)
        }
    }

    /// Scores to 6 significant digits: what a reader compares, without float noise.
    func rounded(_ x: Double) -> JSON { .number(x, significant: 6) }
}
