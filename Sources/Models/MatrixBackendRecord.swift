// The matrix backend as every tool records it in its outputs (`"matrix_backend"`).
import Plumbing
import Tensors

extension JSON {
    /// The matrix kernels in use, as every tool records them (`"matrix_backend"`): a different
    /// backend or CPU sums in another order, so a seed reproduces bit-for-bit only on the same.
    public static var matrixBackend: JSON {
        .object(
            BLAS.backend.description.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .string($0.value)) })
    }
}
