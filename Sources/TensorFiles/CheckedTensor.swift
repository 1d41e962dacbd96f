// Where Plumbing's checks meet tensors: a tensor with NaN or infinite values is refused.
import Plumbing
import Tensors

extension Checked {
    /// Refuses a tensor with NaN or infinite values: they make every result computed from it
    /// meaningless (`FILE: tensor NAME has N non-finite values`, exit 65).
    public static func finite(_ tensor: Tensor, name: String, file: String) throws {
        let bad = nonFiniteCount(tensor.data, tensor.count)
        guard bad == 0 else {
            throw ToolError(
                "\(file): tensor \(name) has \(bad) non-finite value\(bad == 1 ? "" : "s") (NaN or infinity)",
                exitCode: 65)
        }
    }
}
