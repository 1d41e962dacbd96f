import Foundation
import Tensors

/// MPNet's relative position bias (T5's bidirectional buckets): a learned value per head and
/// bucket of (key − query) distance, added to every layer's attention scores. As in
/// transformers, the distance counts rows within each sequence (prompt rows and rows without a
/// position embedding count like any other). The bias is frozen: the scores' gradient passes
/// through it unchanged.
public struct RelativePositionBias {
    let table: Tensor  // (buckets, heads)
    let heads: Int
    let maxSequence: Int
    let bucketOfOffset: [Int32]  // bucket of (key − query), indexed by offset + maxSequence

    init(table: Tensor, buckets: Int, maxSequence: Int) {
        self.table = table
        heads = table.shape[1]
        self.maxSequence = maxSequence
        bucketOfOffset = (-maxSequence...maxSequence).map {
            Int32(RelativePositionBias.bucket($0, buckets: buckets))
        }
    }

    /// transformers' `relative_position_bucket(memory − context)`: half the buckets for keys
    /// after the query; exact distances below a quarter of the buckets, logarithmic up to
    /// `maxDistance`, the last bucket beyond.
    public static func bucket(_ relative: Int, buckets: Int = 32, maxDistance: Int = 128) -> Int {
        let half = buckets / 2
        var distance = -relative
        var bucket = distance < 0 ? half : 0
        distance = abs(distance)
        let exact = half / 2
        guard distance >= exact else { return bucket + distance }
        let scaled = log(Double(distance) / Double(exact)) / log(Double(maxDistance) / Double(exact))
        bucket += min(exact + Int(scaled * Double(half - exact)), half - 1)
        return bucket
    }

    /// scores (rows × keys, leading dimension ld) += bias of `head` at (key − query), for the
    /// queries firstQuery..<firstQuery + rows of a sequence of `keys` rows.
    func add(_ scores: UnsafeMutablePointer<Float>, head: Int, firstQuery: Int, rows: Int, keys: Int, ld: Int) {
        let column = table.data + head
        bucketOfOffset.withUnsafeBufferPointer { buckets in
            for row in 0..<rows {
                let query = firstQuery + row
                let out = scores + row * ld
                let base = maxSequence - query
                for key in 0..<keys {
                    out[key] += column[Int(buckets[base + key]) * heads]
                }
            }
        }
    }
}
