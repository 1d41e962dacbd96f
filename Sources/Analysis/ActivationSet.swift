import Foundation
import Plumbing
import TensorFiles
import Tensors

/// Binary activation masks of several prompts, with what produced them; stored as a
/// safetensors file (tensor `activations` [P, bits] of 0/1) so they can be compared again
/// without the model.
public struct ActivationSet {
    public var names: [String] = []
    public var masks: [[UInt8]] = []
    public var layers: [Int] = []  // which layers, in mask order
    public var settings: JSON = .object([])

    public init() {}

    /// Bits of one layer in each mask (positions × intermediate).
    public var bitsPerLayer: Int { layers.isEmpty ? 0 : (masks.first?.count ?? 0) / layers.count }

    public func write(to path: String) throws {
        let bits = masks.first?.count ?? 0
        let t = Tensor(shape: [masks.count, bits], values: masks.flatMap { $0.map(Float.init) })
        try SafetensorsWriter.write(
            [("activations", t)],
            metadata: [
                "format": "prompt-transfer/activations", "names": JSON.array(names.map { .string($0) }).text,
                "layers": JSON.array(layers.map { .number($0) }).text, "settings": settings.text,
                "toolkit_version": toolkitVersion,
            ], to: path)
    }

    public static func read(_ path: String) throws -> ActivationSet {
        let f = try SafetensorsFile(path: path)
        guard f.metadata["format"] == "prompt-transfer/activations",
            let names = try? JSON.parse(f.metadata["names"] ?? ""),
            let layers = try? JSON.parse(f.metadata["layers"] ?? "")
        else {
            throw ToolError.data(path, "not an activations file (write one with `embed --activations`)")
        }
        let t = try f.tensor("activations")
        var s = ActivationSet()
        s.names = names.array?.compactMap { $0.string } ?? []
        s.layers = layers.array?.compactMap { $0.int } ?? []
        s.settings = (try? JSON.parse(f.metadata["settings"] ?? "{}")) ?? .object([])
        guard t.shape.count == 2, t.shape[0] == s.names.count else {
            throw ToolError.data(path, "activations do not match their names")
        }
        s.masks = (0..<t.shape[0]).map { i in (0..<t.shape[1]).map { t.data[i * t.shape[1] + $0] != 0 ? 1 : 0 } }
        return s
    }

    public mutating func append(_ other: ActivationSet, file: String) throws {
        if !masks.isEmpty {
            guard other.layers == layers, other.masks.first?.count == masks.first?.count, other.settings == settings
            else {
                throw ToolError(
                    "\(file): activations made with other settings than the first file's; they cannot be compared")
            }
        } else {
            layers = other.layers
            settings = other.settings
        }
        names += other.names
        masks += other.masks
    }
}
