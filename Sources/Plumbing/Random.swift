/// A small, fast, seedable generator (SplitMix64), the same on every platform.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension Array {
    /// Fisher–Yates shuffle driven by SplitMix64: the same order for the same seed everywhere
    /// (the standard library's shuffle makes no such promise).
    public mutating func seededShuffle(_ rng: inout SplitMix64) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
    }
}
