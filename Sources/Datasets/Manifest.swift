import Foundation
import Plumbing

/// One task's data manifest (`data-manifests/<task>.json`): where its raw files come from,
/// their checksums, how their fields map to `text_a` / `text_b` / `label`, its label words,
/// and how each split is built.
public struct Manifest {
    public struct File {
        public let key: String, path: String, sha256: String
        /// Upstream location; with `urlMember`, the file is that member of the archive at `url`.
        public let url: String?, urlMember: String?
    }

    public let task: String
    public let category: String
    public let labels: [String]
    public let verbalizer: [String]
    /// The task's place among the paper's 13 (1…13), nil for the others.
    public var paperOrder: Int? { json["paper_order"]?.int }
    public let files: [String: File]
    public let json: JSON
    public let path: String

    public static func load(_ path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError.data(path, "cannot read manifest")
        }
        let j: JSON
        do { j = try JSON.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw ToolError.data(path, "invalid JSON: \(error)")
        }
        func need(_ k: String) throws -> JSON {
            guard let v = j[k] else { throw ToolError.data(path, "manifest has no \"\(k)\"") }
            return v
        }
        let labels = try need("labels").array?.compactMap { $0.string } ?? []
        let verbalizer = try need("verbalizer").array?.compactMap { $0.string } ?? []
        guard !labels.isEmpty, labels.count == verbalizer.count else {
            throw ToolError.data(path, "\"labels\" and \"verbalizer\" must be non-empty lists of the same length")
        }
        var files: [String: File] = [:]
        for f in try need("files").members ?? [] {
            guard let p = f.value["path"]?.string, let sum = f.value["sha256"]?.string else {
                throw ToolError.data(path, "file \(f.key) needs \"path\" and \"sha256\"")
            }
            files[f.key] = File(
                key: f.key, path: p, sha256: sum, url: f.value["url"]?.string,
                urlMember: f.value["url_member"]?.string)
        }
        return Manifest(
            task: try need("task").string ?? "", category: try need("category").string ?? "",
            labels: labels, verbalizer: verbalizer, files: files, json: j, path: path)
    }

    public var splitNames: [String] { (json["splits"]?.members ?? []).map { $0.key } }

    /// The spec of a split, or an error saying why it is not available.
    func split(_ name: String) throws -> JSON {
        guard let s = json["splits"]?[name] else {
            throw ToolError.usage("\(task) has no split '\(name)' (it has: \(splitNames.joined(separator: ", ")))")
        }
        if s["available"]?.bool == false {
            throw ToolError.usage("\(task): split '\(name)' is not available: \(s["why"]?.string ?? "no reason given")")
        }
        return s
    }

    public func isAvailable(_ split: String) -> Bool { json["splits"]?[split]?["available"]?.bool != false }

    func pool(_ name: String) throws -> JSON {
        guard let p = json["pools"]?[name] else { throw ToolError.data(path, "no pool '\(name)'") }
        return p
    }

    /// The label index of a raw label value, through the source's `label_map` when it has one.
    func labelIndex(_ raw: String, map: JSON?) -> Int? {
        let name = map?[raw]?.string ?? (map == nil ? raw : nil)
        if let name, let i = labels.firstIndex(of: name) { return i }
        if map == nil, let i = Int(raw), labels.indices.contains(i) { return i }
        if let i = map?[raw]?.int, labels.indices.contains(i) { return i }
        return nil
    }
}

/// A normalised example, as `prepare-data` writes it.
public struct Example: Equatable {
    public var id: String
    public var textA: String
    public var textB: String?
    public var label: Int
    /// Examples with the same group are kept in the same split when a pool is partitioned
    /// (e.g. all aspect terms of one sentence).
    public var group: String

    public func json(task: String) -> JSON {
        var m: [JSON.Member] = [
            .init("id", .string(id)), .init("task", .string(task)), .init("text_a", .string(textA)),
        ]
        if let textB { m.append(.init("text_b", .string(textB))) }
        m.append(.init("label", .number(label)))
        return .object(m)
    }
}

extension Manifest {
    /// The manifests folder: --manifests, $PT_MANIFESTS, ./data-manifests, or the one of the
    /// source tree the executable was built in, or of the installation it belongs to.
    public static func folder(_ given: String?) throws -> String {
        if let given {
            guard FileManager.default.fileExists(atPath: given + "/sst2.json") else {
                throw ToolError.usage("\(given): no data manifests there")
            }
            return given
        }
        let candidates = [ProcessInfo.processInfo.environment["PT_MANIFESTS"], "data-manifests"].compactMap { $0 }
            + Installation.candidates("data-manifests")
        for c in candidates where FileManager.default.fileExists(atPath: c + "/sst2.json") {
            return c
        }
        throw ToolError.usage("cannot find data-manifests/; pass --manifests DIR (or set $PT_MANIFESTS)")
    }

    /// The task names of a manifests folder, sorted.
    public static func tasks(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }.sorted()
    }
}
