import Foundation

/// Embeddings as stored and searched: little-endian float32 blobs in SQLite, and in memory one
/// flat, L2-normalised matrix per store, so cosine similarity is a SIMD dot product.
enum Vectors {
    static func blob(_ vector: [Float]) -> Data {
        vector.withUnsafeBytes { Data($0) }
    }

    static func vector(_ blob: Data) -> [Float] {
        var vector = [Float](repeating: 0, count: blob.count / MemoryLayout<Float>.size)
        _ = vector.withUnsafeMutableBytes { blob.copyBytes(to: $0) }
        return vector
    }

    /// The vector scaled to unit length (a zero vector stays zero and scores 0 against everything).
    static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}

/// One store's embeddings, normalised, rows padded to a multiple of 16 floats for `SIMD16`.
final class StoreVectors: Sendable {
    let chunkIDs: [Int64]
    let fileIDs: [String]
    let dimensions: Int
    let stride: Int
    let matrix: [Float]

    init(rows: [(chunkID: Int64, fileID: String, vector: [Float])], dimensions: Int) {
        self.dimensions = dimensions
        stride = (dimensions + 15) / 16 * 16
        chunkIDs = rows.map(\.chunkID)
        fileIDs = rows.map(\.fileID)
        var matrix = [Float](repeating: 0, count: rows.count * stride)
        for (row, entry) in rows.enumerated() {
            for (column, value) in Vectors.normalized(entry.vector).enumerated() { matrix[row * stride + column] = value }
        }
        self.matrix = matrix
    }

    /// The `limit` rows most similar to `query` (cosine), best first, among rows `allowed` accepts.
    func nearest(_ query: [Float], limit: Int, allowed: (String) -> Bool) -> [(chunkID: Int64, similarity: Float)] {
        var padded = [Float](repeating: 0, count: stride)
        for (column, value) in Vectors.normalized(query).enumerated() { padded[column] = value }
        var top = TopK<Float>(limit: limit)
        matrix.withUnsafeBufferPointer { rows in
            padded.withUnsafeBufferPointer { q in
                let qBase = UnsafeRawPointer(q.baseAddress!)
                let lanes = stride / 16
                for row in 0..<chunkIDs.count {
                    let rowBase = UnsafeRawPointer(rows.baseAddress! + row * stride)
                    var sum = SIMD16<Float>()
                    for lane in 0..<lanes {
                        let offset = lane * 64
                        sum += rowBase.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                            * qBase.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    }
                    let similarity = sum.sum()
                    // Most rows fail this first comparison, before the file filter is consulted.
                    guard top.admits(chunkIDs[row], similarity), allowed(fileIDs[row]) else { continue }
                    top.insert(chunkIDs[row], similarity)
                }
            }
        }
        return top.best.map { ($0.id, $0.score) }
    }
}
