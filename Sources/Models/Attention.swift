// The one attention of every architecture — the encoder's self-attention (BERT, RoBERTa, MPNet)
// and T5's encoder self-attention and decoder cross-attention — forward beside backward: per
// sequence and head, softmax(scale · q kᵀ + relative bias) v over that sequence's keys.
import Foundation
import Tensors

struct Attention {
    let heads: Int
    let headDim: Int
    /// The row stride of q, k, v and the output (the hidden size; T5's inner width).
    let stride: Int
    /// 1/√D for the encoders; T5 does not scale.
    let scale: Float
    /// Sequence s's query rows are queryOffsets[s]..<queryOffsets[s+1], its keys keyOffsets[s]..<…[s+1].
    let queryOffsets: [Int]
    let keyOffsets: [Int]
    /// Each sequence's first query's position among its keys (the relative bias needs it; nil: 0).
    let firstQuery: [Int]?
    let bias: RelativePositionBias?

    var sequences: Int { queryOffsets.count - 1 }

    /// The largest score matrix of one (sequence, head): a backward worker's scratch size.
    var largestScores: Int {
        (0..<sequences).map { (queryOffsets[$0 + 1] - queryOffsets[$0]) * (keyOffsets[$0 + 1] - keyOffsets[$0]) }
            .max() ?? 0
    }

    // out (Nq,stride) = per sequence and head: softmax(scale · q kᵀ + bias) v; probabilities kept
    // in `probs` (at probOffsets[s] + head · n · length) when given, else in a worker's `scores`
    func forward(
        _ out: UnsafeMutablePointer<Float>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
        value: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>?, probOffsets: [Int],
        scores: [UnsafeMutablePointer<Float>]
    ) {
        Parallel.split(sequences * heads, serialProducts: true) { worker, range in
            for job in range {
                let s = job / heads
                let head = job % heads
                let n = queryOffsets[s + 1] - queryOffsets[s]
                let length = keyOffsets[s + 1] - keyOffsets[s]
                let p = probs.map { $0 + probOffsets[s] + head * n * length } ?? scores[worker]
                let queryRows = queryOffsets[s] * stride + head * headDim
                let keyRows = keyOffsets[s] * stride + head * headDim
                BLAS.gemmNT(
                    n, length, headDim, query + queryRows, lda: stride, key + keyRows, ldb: stride, p, ldc: length,
                    alpha: scale)
                bias?.add(p, head: head, firstQuery: firstQuery?[s] ?? 0, rows: n, keys: length, ld: length)
                softmaxRows(p, rows: n, cols: length, ld: length, valid: length)
                BLAS.gemmNN(
                    n, headDim, length, p, lda: length, value + keyRows, ldb: stride, out + queryRows, ldc: stride)
            }
        }
    }

    // dq (Nq,stride), dk, dv (Nk,stride), overwritten, from dOut (Nq,stride) and the kept probabilities;
    // `dScores`: one scratch of `largestScores` floats per worker
    func backward(
        _ dOut: UnsafePointer<Float>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
        value: UnsafePointer<Float>, probs: UnsafePointer<Float>, probOffsets: [Int],
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dScores: [UnsafeMutablePointer<Float>]
    ) {
        Parallel.split(sequences * heads, serialProducts: true) { worker, range in
            let dp = dScores[worker]
            for job in range {
                let s = job / heads
                let head = job % heads
                let n = queryOffsets[s + 1] - queryOffsets[s]
                let length = keyOffsets[s + 1] - keyOffsets[s]
                let p = probs + probOffsets[s] + head * n * length
                let queryRows = queryOffsets[s] * stride + head * headDim
                let keyRows = keyOffsets[s] * stride + head * headDim
                // dP = dO Vᵀ, dV = Pᵀ dO; dS = softmax backward; dQ = scale · dS K, dK = scale · dSᵀ Q
                BLAS.gemmNT(
                    n, length, headDim, dOut + queryRows, lda: stride, value + keyRows, ldb: stride, dp, ldc: length)
                BLAS.gemmTN(
                    length, headDim, n, p, lda: length, dOut + queryRows, ldb: stride, dv + keyRows, ldc: stride)
                softmaxBackwardRows(dp, p, rows: n, cols: length)
                BLAS.gemmNN(
                    n, headDim, length, dp, lda: length, key + keyRows, ldb: stride, dq + queryRows, ldc: stride,
                    alpha: scale)
                BLAS.gemmTN(
                    length, headDim, n, dp, lda: length, query + queryRows, ldb: stride, dk + keyRows, ldc: stride,
                    alpha: scale)
            }
        }
    }

    /// Per-worker scratch of `floats` each from `arenas` (grown to one per worker, reset).
    static func workerScratch(_ arenas: inout [Arena], floats: Int) -> [UnsafeMutablePointer<Float>] {
        while arenas.count < Parallel.workers { arenas.append(Arena()) }
        for arena in arenas {
            arena.reserve(floats)
            arena.reset()
        }
        return arenas.map { $0.take(floats) }
    }
}
