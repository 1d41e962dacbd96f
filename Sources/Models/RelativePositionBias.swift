import Foundation
import Tensors

/// The relative position bias of MPNet and T5: a learned value per head and bucket of
/// (key − query) distance, added to every layer's attention scores (one table shared by all
/// layers). As in transformers, the distance counts rows within each sequence (prompt rows and
/// rows without a position embedding count like any other). The bias is frozen: the scores'
/// gradient passes through it unchanged.
public struct RelativePositionBias {
    let maxSequence: Int
    /// Each head's bias at every (key − query) offset, -maxSequence...maxSequence: looked up once
    /// from the (buckets, heads) table here, so a score row adds a contiguous stretch of it.
    let biasOfOffset: [Float]  // (heads, 2 · maxSequence + 1)

    init(table: Tensor, buckets: Int, maxSequence: Int, maxDistance: Int = 128, bidirectional: Bool = true) {
        let heads = table.shape[1]
        self.maxSequence = maxSequence
        let bucketOfOffset = (-maxSequence...maxSequence).map {
            RelativePositionBias.bucket(
                $0, buckets: buckets, maxDistance: maxDistance, bidirectional: bidirectional)
        }
        biasOfOffset = (0..<heads).flatMap { head in
            bucketOfOffset.map { table.data[$0 * heads + head] }
        }
    }

    /// transformers' `relative_position_bucket(memory − context)`. Bidirectional (encoders): half
    /// the buckets for keys after the query. Unidirectional (T5's decoder): keys after the query
    /// share bucket 0, all buckets for the distance back. Exact distances below half the
    /// buckets left, logarithmic up to `maxDistance`, the last bucket beyond.
    public static func bucket(
        _ relative: Int, buckets: Int = 32, maxDistance: Int = 128, bidirectional: Bool = true
    ) -> Int {
        var count = buckets
        var bucket = 0
        var distance = -min(relative, 0)
        if bidirectional {
            count /= 2
            bucket = relative > 0 ? count : 0
            distance = abs(relative)
        }
        let exact = count / 2
        guard distance >= exact else { return bucket + distance }
        let scaled = log(Double(distance) / Double(exact)) / log(Double(maxDistance) / Double(exact))
        bucket += min(exact + Int(scaled * Double(count - exact)), count - 1)
        return bucket
    }

    /// scores (rows × keys, leading dimension ld) += bias of `head` at (key − query), for the
    /// queries firstQuery..<firstQuery + rows of a sequence of `keys` rows.
    func add(_ scores: UnsafeMutablePointer<Float>, head: Int, firstQuery: Int, rows: Int, keys: Int, ld: Int) {
        let offsets = 2 * maxSequence + 1
        biasOfOffset.withUnsafeBufferPointer { bias in
            let column = bias.baseAddress! + head * offsets
            for row in 0..<rows {
                let query = firstQuery + row
                residualForward(scores + row * ld, scores + row * ld, column + maxSequence - query, count: keys)
            }
        }
    }
}
