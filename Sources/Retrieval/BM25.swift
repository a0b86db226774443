import Foundation

/// BM25 as FTS5's `bm25()` computes it (k1 = 1.2, b = 0.75, IDF floored at 1e-6), with the
/// statistics of the collection searched: every store of one search together, and no other.
struct BM25 {
    static let k1 = 1.2
    static let b = 0.75

    /// Per query term.
    let idf: [Double]
    let averageLength: Double

    init(chunkCount: Int, totalLength: Int, documentFrequencies: [Int]) {
        let n = Double(chunkCount)
        idf = documentFrequencies.map { df in
            let idf = log((n - Double(df) + 0.5) / (Double(df) + 0.5))
            return idf > 0 ? idf : 1e-6
        }
        averageLength = chunkCount > 0 ? Double(totalLength) / n : 1
    }

    /// One term's contribution to one chunk's score.
    func score(idf: Double, frequency: Double, length: Double) -> Double {
        idf * frequency * (Self.k1 + 1) / (frequency + Self.k1 * (1 - Self.b + Self.b * length / averageLength))
    }
}
