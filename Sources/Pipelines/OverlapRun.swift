// `overlap`: how many examples of a target split also stand, normalised, in a source split —
// any pair of the tasks, or every task's train split against every evaluation split (`--all`).
import Analysis
import Datasets
import Foundation
import Plumbing
import Tuning

public struct OverlapRun {
    public var inputs = TaskInputs()
    /// `TASK:SPLIT` whose texts are looked up in (e.g. `sst2:train`).
    public var sources: [String] = []
    /// `TASK:SPLIT` whose examples are counted.
    public var targets: [String] = []
    /// Every task's train split against every task's validation and test splits (itself included).
    public var all = false
    /// A markdown table of the pairs that share examples instead of JSON lines.
    public var markdown = false
    public var examples = 3
    /// The table of rows an earlier run wrote (JSON lines) instead of measuring again.
    public var from: String? = nil
    public var output: String? = nil

    public init() {}

    public func run() throws {
        let rows = try from.map(Self.read) ?? measure()
        let out = try DataOutput(path: output)
        if markdown {
            out.writeLine(String(Self.markdown(rows).dropLast()))
        } else {
            for r in rows { out.writeLine(r.text) }
        }
        try out.commit()
    }

    static func read(_ path: String) throws -> [JSON] {
        var reader = JSONLinesReader(paths: [path])
        var rows: [JSON] = []
        while let r = try reader.next() {
            guard r.value["any_text"]?.int != nil, r.value["target_n"]?.int != nil else {
                throw r.fail("not an overlap line (needs \"any_text\", \"target_n\")")
            }
            rows.append(r.value)
        }
        return rows
    }

    func measure() throws -> [JSON] {
        var pairs: [(source: String, target: String)] = []
        if all {
            let folder = try Manifest.folder(inputs.manifests)
            let tasks = try Manifest.tasks(in: folder)
            var evaluation: [String] = []
            for t in tasks {
                let m = try inputs.manifest(t)
                for split in ["validation", "test"] where m.splitNames.contains(split) && m.isAvailable(split) {
                    evaluation.append("\(t):\(split)")
                }
            }
            for s in tasks { for t in evaluation { pairs.append(("\(s):train", t)) } }
        } else {
            guard !sources.isEmpty, !targets.isEmpty else {
                throw ToolError.usage("give --source TASK:SPLIT and --target TASK:SPLIT, --all, or --from FILE")
            }
            for s in sources { for t in targets { pairs.append((s, t)) } }
        }
        var loaded: [String: [LabeledText]] = [:]
        func texts(_ spec: String) throws -> [LabeledText] {
            if let t = loaded[spec] { return t }
            Log.info("reading \(spec)")
            let t = try inputs.examples(spec: spec)
            loaded[spec] = t
            return t
        }
        var indexes: [String: TextOverlap] = [:]
        var rows: [JSON] = []
        for (s, t) in pairs {
            if indexes[s] == nil { indexes[s] = TextOverlap(try texts(s)) }
            let target = try texts(t)
            let m = indexes[s]!.measure(target, examples: examples)
            let (sourceTask, sourceSplit) = split(s)
            let (targetTask, targetSplit) = split(t)
            rows.append(
                .object([
                    .init("source", .string(sourceTask)), .init("source_split", .string(sourceSplit)),
                    .init("target", .string(targetTask)), .init("target_split", .string(targetSplit)),
                    .init("target_n", .number(target.count)), .init("first_text", .number(m.firstText)),
                    .init("pair", .number(m.pair)), .init("any_text", .number(m.anyText)),
                    .init("examples", .array(m.ids.map { .string($0) })),
                ]))
        }
        return rows
    }

    func split(_ spec: String) -> (String, String) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }

    /// The pairs that share at least one example (most shared first), and how many share none.
    static func markdown(_ rows: [JSON]) -> String {
        func int(_ r: JSON, _ k: String) -> Int { r[k]?.int ?? 0 }
        func str(_ r: JSON, _ k: String) -> String { r[k]?.string ?? "" }
        let shared = rows.filter { int($0, "any_text") > 0 }.sorted {
            (str($0, "source"), -int($0, "any_text")) < (str($1, "source"), -int($1, "any_text"))
        }
        var lines = [
            "| source (train) | target split | n | same first text | same pair | any text shared | % |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in shared {
            let n = int(r, "target_n")
            let any = int(r, "any_text")
            let pct = String(format: "%.1f", 100 * Double(any) / Double(max(n, 1)))
            lines.append(
                "| \(str(r, "source")) | \(str(r, "target")) \(str(r, "target_split")) | \(n) | "
                    + "\(int(r, "first_text")) | \(int(r, "pair")) | \(any) | \(pct) |")
        }
        lines.append("")
        lines.append("\(rows.count - shared.count) of \(rows.count) (train, evaluation split) pairs share no text.")
        return lines.joined(separator: "\n") + "\n"
    }
}
