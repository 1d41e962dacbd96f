
/// Sizes and values from untrusted files, checked before any memory is touched: dimensions
/// non-negative, products and offsets without overflow, floats finite.
public enum Checked {
    /// The number of elements of `shape`, or nil when a dimension is negative or the product
    /// overflows (or passes `limit`).
    public static func elementCount(_ shape: [Int], limit: Int = Int.max) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= limit else { return nil }
            count = product
        }
        return count
    }

    /// Bytes of `shape` at `width` bytes an element, or nil as for `elementCount`.
    public static func byteCount(_ shape: [Int], width: Int) -> Int? {
        guard let count = elementCount(shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
        return overflow ? nil : bytes
    }

    /// How many of the `count` values are NaN or ±infinity.
    public static func nonFiniteCount(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var bad = 0
        for i in 0..<count where !values[i].isFinite {
            bad += 1
        }
        return bad
    }
}
