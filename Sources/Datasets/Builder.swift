import Foundation
import Plumbing

/// Builds a split of a task from its manifest: reads the raw sources, maps their fields,
/// and carves seeded partitions where a split has to be made out of another.
public struct DatasetBuilder {
    public let manifest: Manifest
    public var files: RawFiles
    public var skipBad = false
    public private(set) var skipped = 0

    public init(manifest: Manifest, files: RawFiles) {
        self.manifest = manifest
        self.files = files
    }

    public mutating func build(split name: String) throws -> [Example] {
        let spec = try manifest.split(name)
        if let pool = spec["pool"]?.string {
            let p = try manifest.pool(pool)
            let all = try read(p["from"])
            return try partition(all, p["partition"], part: spec["part"]?.string ?? name)
        }
        return try read(spec["from"])
    }

    private mutating func read(_ sources: JSON?) throws -> [Example] {
        guard let list = sources?.array, !list.isEmpty else {
            throw ToolError.data(manifest.path, "a split needs \"from\": [sources]")
        }
        var out: [Example] = []
        for s in list { out += try readSource(s) }
        return out
    }

    // MARK: sources

    private mutating func readSource(_ s: JSON) throws -> [Example] {
        guard let key = s["file"]?.string, let file = manifest.files[key] else {
            throw ToolError("\(manifest.path): source names unknown file '\(s["file"]?.string ?? "?")'")
        }
        let path = try files.path(file)
        var rows = try SourceFormats.rows(s, path: path)
        if let r = s["rows"]?.array?.compactMap({ $0.int }), r.count == 2 {
            rows = Array(rows[min(r[0], rows.count)..<min(r[1], rows.count)])
        }
        let keep = try idFilter(s["match"])
        var out: [Example] = []
        for result in rows {
            do {
                let row = try result.get()
                if try dropped(row, s["drop_if"]) { continue }
                if let keep,
                    keep.want != keep.ids.contains(keep.columns.map { row.fields[$0] ?? "" }.joined(separator: "\t"))
                {
                    continue
                }
                out.append(try example(row, s, fileKey: key))
            } catch let e as ToolError {
                guard skipBad else { throw e }
                skipped += 1
                Log.info("\(e.description) (skipped)")
            }
        }
        return out
    }

    private func dropped(_ row: Row, _ spec: JSON?) throws -> Bool {
        for m in spec?.members ?? [] {
            let values = m.value.array?.compactMap { $0.string } ?? []
            if let v = row.fields[m.key], values.contains(v) { return true }
        }
        return false
    }

    private func example(_ row: Row, _ s: JSON, fileKey: String) throws -> Example {
        func field(_ name: String) throws -> String {
            guard let v = row.fields[name] else { throw row.fail("missing field \"\(name)\"") }
            return v
        }
        let a = try field(s["text_a"]?.string ?? "text")
        let b = try s["text_b"]?.string.map(field)
        let label: Int
        if let constant = s["label_value"]?.string {
            guard let i = manifest.labels.firstIndex(of: constant) else {
                throw row.fail("unknown label '\(constant)'")
            }
            label = i
        } else {
            let raw = try field(s["label"]?.string ?? "label")
            guard let i = manifest.labelIndex(raw, map: s["label_map"]) else {
                throw row.fail("unknown label '\(raw)'")
            }
            label = i
        }
        let id = "\(manifest.task):\(fileKey):\(row.key)"
        // "group": a field whose value keeps rows together (a sentence id); "group_text": a text field
        // whose normalised text does (a premise), so no text stands on both sides of a partition
        let group =
            s["group"]?.string.flatMap { row.fields[$0] }.map { "\(fileKey):\($0)" }
            ?? s["group_text"]?.string.flatMap { row.fields[$0] }.map { "text:" + TextKey.normalized($0) } ?? id
        return Example(id: id, textA: a, textB: b, label: label, group: group)
    }

    /// `{"file": K, "columns": [..], "keep": true|false}`: keep (or drop) rows whose columns,
    /// joined by tabs, are a row of file K (a header-less TSV) — e.g. MRPC's dev_ids.
    private mutating func idFilter(_ spec: JSON?) throws -> (ids: Set<String>, columns: [String], want: Bool)? {
        guard let spec else { return nil }
        guard let key = spec["file"]?.string, let f = manifest.files[key] else {
            throw ToolError.data(manifest.path, "match names an unknown file")
        }
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: try files.path(f))))
        var ids = Set<String>()
        for (n, line) in try TextDecoding.lines(bytes, encoding: "utf-8", file: f.path) {
            let text = try line.get()
            if text.isEmpty { continue }
            guard text.contains("\t") else { throw ToolError.at(f.path, line: n, "expected tab-separated ids") }
            ids.insert(text)
        }
        return (ids, spec["columns"]?.array?.compactMap { $0.string } ?? [], spec["keep"]?.bool ?? true)
    }

    // MARK: partitions

    /// Seeded partition of a pool by group: groups are shuffled with the seed, the named parts
    /// take their share in order (a count, or a fraction when below 1, of groups; with
    /// `"count": "examples"` a count of examples, whole groups taken until it is reached), the
    /// rest go to `rest`.
    private func partition(_ all: [Example], _ spec: JSON?, part: String) throws -> [Example] {
        guard let spec, let seed = spec["seed"]?.int, let parts = spec["parts"]?.array, let rest = spec["rest"]?.string
        else {
            throw ToolError.data(manifest.path, "a pool needs \"partition\": {\"seed\", \"parts\", \"rest\"}")
        }
        var groups: [String] = []
        var sizes: [String: Int] = [:]
        for e in all {
            if sizes[e.group] == nil { groups.append(e.group) }
            sizes[e.group, default: 0] += 1
        }
        let countExamples = spec["count"]?.string == "examples"
        var rng = SplitMix64(seed: UInt64(seed))
        groups.seededShuffle(&rng)
        var owner: [String: String] = [:]
        var next = 0
        for p in parts {
            guard let pair = p.array, pair.count == 2, let name = pair[0].string, let size = pair[1].double else {
                throw ToolError.data(manifest.path, "partition parts are [name, size] pairs")
            }
            if countExamples, size >= 1 {
                var taken = 0
                while next < groups.count, taken < Int(size) {
                    owner[groups[next]] = name
                    taken += sizes[groups[next]]!
                    next += 1
                }
                continue
            }
            let n = size < 1 ? Int((size * Double(groups.count)).rounded()) : Int(size)
            for g in groups[next..<min(next + n, groups.count)] { owner[g] = name }
            next = min(next + n, groups.count)
        }
        for g in groups[next...] { owner[g] = rest }
        return all.filter { owner[$0.group] == part }
    }
}
