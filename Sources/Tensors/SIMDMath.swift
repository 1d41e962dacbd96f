// Vectorised transcendental functions for the elementwise kernels. The C library's scalar
// expf/erff would cost more than the matrix products at BERT shapes (one erf per FFN unit).

/// Sixteen floats processed together (one AVX-512 register, two AVX2 registers).
public typealias FloatLanes = SIMD16<Float>

@inline(__always) func load(_ p: UnsafePointer<Float>) -> FloatLanes {
    UnsafeRawPointer(p).loadUnaligned(as: FloatLanes.self)
}
@inline(__always) func store(_ v: FloatLanes, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatLanes.self)
}

/// e^x, relative error < 2e-7 on [-87, 88] (Cephes expf polynomial, range reduction by ln 2).
/// Rounding and the float→int step use the 1.5·2²³ trick: the generic SIMD conversions of
/// the standard library are not vectorised and cost 10× the polynomial.
@inline(__always) public func lanesExp(_ x: FloatLanes) -> FloatLanes {
    var x = x.replacing(with: FloatLanes(repeating: -87.3), where: x .< -87.3)
    x = x.replacing(with: FloatLanes(repeating: 88.7), where: x .> 88.7)
    let magic = FloatLanes(repeating: 12582912)  // 1.5·2²³: adding it rounds to an integer
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    var r = x - n * 0.693359375
    r = r + n * 2.12194440e-4
    var p = FloatLanes(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000  // n as an integer
    return y * unsafeBitCast((ni &+ 127) &<< 23, to: FloatLanes.self)
}

/// erf(x), absolute error < 6e-7 (Abramowitz & Stegun 7.1.26, odd extension).
@inline(__always) public func lanesErf(_ x: FloatLanes) -> FloatLanes {
    let negative = x .< FloatLanes()
    let a = x.replacing(with: -x, where: negative)
    let t = 1 / (1 + 0.3275911 * a)
    var p = FloatLanes(repeating: 1.061405429)
    p = p * t - 1.453152027
    p = p * t + 1.421413741
    p = p * t - 0.284496736
    p = p * t + 0.254829592
    let y = 1 - p * t * lanesExp(-a * a)
    return y.replacing(with: -y, where: negative)
}

/// Scalar versions through the same code, for tails shorter than a vector.
@inline(__always) public func scalarExp(_ x: Float) -> Float { lanesExp(FloatLanes(repeating: x))[0] }
@inline(__always) public func scalarErf(_ x: Float) -> Float { lanesErf(FloatLanes(repeating: x))[0] }
