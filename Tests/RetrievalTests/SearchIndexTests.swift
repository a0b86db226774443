import Foundation
import Testing
@testable import Retrieval

@Suite struct SearchIndexTests {
    static let corpus: [(id: String, text: String)] = [
        ("f_cats", "Cats are small domesticated carnivorous mammals. A cat sleeps most of the day."),
        ("f_dogs", "Dogs are loyal companions. A dog needs daily walks and training."),
        ("f_vitd", "Vitamin D deficiency causes rickets in children and osteomalacia in adults."),
        ("f_rust", "Rust prevents data races at compile time through ownership and borrowing."),
        ("f_cafe", "The café served crème brûlée and espresso."),
    ]

    func index(store: String = "vs_1") throws -> SearchIndex {
        let index = try SearchIndex()
        for (id, text) in Self.corpus {
            try index.add(storeID: store, fileID: id, filename: id + ".txt", chunks: Chunker.auto.chunks(of: text))
        }
        return index
    }

    func top(_ index: SearchIndex, _ query: String, stores: [String] = ["vs_1"]) throws -> String? {
        try index.search(storeIDs: stores, query: query, limit: 3).first?.fileID
    }

    @Test func bm25FindsTheKnownAnswers() throws {
        let index = try index()
        #expect(try top(index, "vitamin D deficiency in children") == "f_vitd")
        #expect(try top(index, "what do dogs need?") == "f_dogs")
        #expect(try top(index, "sleeping cats") == "f_cats")  // stemming: sleeping ~ sleeps, cats ~ cat
        #expect(try top(index, "cafe creme brulee") == "f_cafe")  // diacritics removed
        #expect(try top(index, "ownership borrowing RACES") == "f_rust")
        let hits = try index.search(storeIDs: ["vs_1"], query: "the dog and the cat", limit: 10)
        #expect(Set(hits.map(\.fileID)) == ["f_cats", "f_dogs"])
        let hit = try #require(hits.first)
        #expect(hit.filename == hit.fileID + ".txt")
        #expect(Self.corpus.contains { $0.text == hit.text })
        #expect(hit.start == 0 && hit.end == hit.text.unicodeScalars.count)
    }

    @Test func scoresAreNormalisedAndOrdered() throws {
        let index = try index()
        for query in ["vitamin", "vitamin D deficiency rickets osteomalacia children adults", "dog cat rust café"] {
            let hits = try index.search(storeIDs: ["vs_1"], query: query, limit: 10)
            #expect(!hits.isEmpty)
            for hit in hits { #expect(hit.score > 0 && hit.score < 1) }
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        }
    }

    @Test(arguments: [
        "\"", "\"unbalanced", "a AND", "NEAR(cat dog, 2)", "cat*", "text:cat", "^cat", "-cat", "(((", "OR OR OR",
        "cat\" OR \"dog", "'; DROP TABLE chunk; --", "{text}: cat", "", "   ", "***", "cat + dog", "\u{0}cat", "😺 cat",
    ])
    func hostileQueriesNeverFail(query: String) throws {
        let index = try index()
        let hits = try index.search(storeIDs: ["vs_1"], query: query, limit: 5)
        let words = Set(query.lowercased().split { !$0.isLetter })
        if words.contains("cat") { #expect(hits.first.map { ["f_cats", "f_dogs"].contains($0.fileID) } ?? false) }
        if words.contains("cat"), !words.contains("dog") { #expect(hits.first?.fileID == "f_cats") }
    }

    @Test func longQueriesAreBounded() throws {
        let query = (0..<500).map { "word\($0)" }.joined(separator: " ") + " vitamin"
        #expect(try index().search(storeIDs: ["vs_1"], query: query, limit: 5).isEmpty)
        #expect(QueryTerms(query)?.words.count == QueryTerms.maxTerms)
    }

    @Test func aTokenWithNoEndIsIndexedByItsStart() throws {
        let index = try SearchIndex()
        let hash = String(repeating: "0123456789abcdef", count: 20)  // 320 letters and digits, no break
        try index.add(storeID: "vs_1", fileID: "f_hash", filename: "h.txt", chunks: Chunker.auto.chunks(of: "checksum \(hash) ok"))
        try index.add(storeID: "vs_1", fileID: "f_cats", filename: "c.txt", chunks: Chunker.auto.chunks(of: Self.corpus[0].text))
        #expect(try top(index, hash) == "f_hash")
        #expect(try top(index, "cats") == "f_cats")
    }

    @Test func storesAreIsolatedAndFilesFiltered() throws {
        let index = try index()
        try index.add(storeID: "vs_2", fileID: "f_other", filename: "other.txt", chunks: Chunker.auto.chunks(of: "A cat in another store."))
        let first = try index.search(storeIDs: ["vs_1"], query: "cat", limit: 10)
        #expect(first.map(\.fileID) == ["f_cats"])
        #expect(try index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).map(\.fileID) == ["f_other"])
        #expect(try index.search(storeIDs: ["vs_1", "vs_2"], query: "cat", limit: 10).count == 2)
        #expect(try index.search(storeIDs: ["vs_3"], query: "cat", limit: 10).isEmpty)
        #expect(try index.search(storeIDs: ["vs_1"], query: "cat dog", fileIDs: ["f_dogs"], limit: 10).map(\.fileID) == ["f_dogs"])
        #expect(try index.search(storeIDs: ["vs_1"], query: "cat", fileIDs: [], limit: 10).isEmpty)
    }

    @Test func removeAndRemoveStore() throws {
        let index = try index()
        try index.add(storeID: "vs_2", fileID: "f_cats", filename: "cats.txt", chunks: Chunker.auto.chunks(of: "cat"))
        try index.remove(storeID: "vs_1", fileID: "f_cats")
        #expect(try index.search(storeIDs: ["vs_1"], query: "cat", limit: 10).isEmpty)
        #expect(try index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).count == 1)  // same file id, other store
        try index.removeStore("vs_1")
        #expect(try index.search(storeIDs: ["vs_1"], query: "dog vitamin rust", limit: 10).isEmpty)
        #expect(try index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).count == 1)
    }

    @Test func addingAgainReplacesTheFile() throws {
        let index = try index()
        try index.add(storeID: "vs_1", fileID: "f_cats", filename: "cats.txt", chunks: Chunker.auto.chunks(of: "Now about parrots."))
        #expect(try index.search(storeIDs: ["vs_1"], query: "cat", limit: 10).isEmpty)
        #expect(try index.search(storeIDs: ["vs_1"], query: "parrots", limit: 10).map(\.filename) == ["cats.txt"])
    }

    @Test func persistsInAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SearchIndex(path: path).add(storeID: "s", fileID: "f", filename: "f.txt", chunks: Chunker.auto.chunks(of: "durable words"))
        #expect(try SearchIndex(path: path).search(storeIDs: ["s"], query: "durable", limit: 1).first?.fileID == "f")
    }

    // MARK: - Dense vectors

    /// Two files equally good for BM25; the embeddings say the second is the one meant.
    func hybridIndex() throws -> SearchIndex {
        let index = try SearchIndex()
        try index.add(storeID: "s", fileID: "bank_river", filename: "a.txt",
                      chunks: Chunker.auto.chunks(of: "The bank of the river was muddy."), embeddings: [[1, 0, 0]])
        try index.add(storeID: "s", fileID: "bank_money", filename: "b.txt",
                      chunks: Chunker.auto.chunks(of: "The bank approved the loan quickly, the bank said."), embeddings: [[0, 1, 0]])
        try index.add(storeID: "s", fileID: "finance", filename: "c.txt",
                      chunks: Chunker.auto.chunks(of: "Interest rates and mortgages."), embeddings: [[0.1, 0.9, 0.1]])
        return index
    }

    @Test func hybridRankingFollowsTheEmbeddings() throws {
        let index = try hybridIndex()
        let lexical = try index.search(storeIDs: ["s"], query: "bank", limit: 3)
        #expect(lexical.map(\.fileID) == ["bank_money", "bank_river"])  // more "bank"s: BM25 prefers it
        let river = try index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0.05, 0], limit: 3)
        #expect(river.map(\.fileID) == ["bank_river", "bank_money", "finance"])
        for hit in river { #expect(hit.score > 0 && hit.score <= 1) }
        #expect(river[0].score > 0.98)  // first in the dense ranking, second in BM25
        // Found by the embedding alone, with no shared word.
        let money = try index.search(storeIDs: ["s"], query: "lending", queryEmbedding: [0, 1, 0.1], limit: 3)
        #expect(money.first?.fileID == "bank_money")
        #expect(money.allSatisfy { $0.score <= 0.5 })
    }

    @Test func hybridRespectsFiltersAndChanges() throws {
        let index = try hybridIndex()
        let filtered = try index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0, 0], fileIDs: ["finance"], limit: 3)
        #expect(filtered.map(\.fileID) == ["finance"])
        #expect(try index.search(storeIDs: ["other"], query: "bank", queryEmbedding: [1, 0, 0], limit: 3).isEmpty)
        try index.remove(storeID: "s", fileID: "bank_river")  // must drop the cached vectors
        let after = try index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0, 0], limit: 3)
        #expect(!after.map(\.fileID).contains("bank_river"))
    }

    @Test func embeddingErrors() throws {
        let index = try hybridIndex()
        let chunks = Chunker.auto.chunks(of: "x y")
        #expect(throws: SearchIndexError.self) { try index.add(storeID: "s", fileID: "x", filename: "x", chunks: chunks, embeddings: []) }
        #expect(throws: SearchIndexError.self) {
            try index.add(storeID: "s", fileID: "x", filename: "x", chunks: chunks + chunks, embeddings: [[1], [1, 2]])
        }
        #expect(throws: SearchIndexError.self) { try index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0], limit: 3) }
    }

    @Test func simdCosineMatchesScalar() {
        let dims = 37  // not a multiple of 16: exercises the padding
        let rows = (0..<50).map { r in (chunkID: Int64(r), fileID: "f\(r)", vector: (0..<dims).map { Float(sin(Double(r * dims + $0))) }) }
        let vectors = StoreVectors(rows: rows, dimensions: dims)
        let query = (0..<dims).map { Float(cos(Double($0))) }
        func cosine(_ a: [Float], _ b: [Float]) -> Float {
            zip(a, b).map(*).reduce(0, +) / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        let expected = rows.map { ($0.chunkID, cosine($0.vector, query)) }.sorted { $0.1 > $1.1 }.prefix(5)
        let found = vectors.nearest(query, limit: 5) { _ in true }
        #expect(found.map(\.chunkID) == expected.map(\.0))
        for (a, b) in zip(found, expected) { #expect(abs(a.similarity - b.1) < 1e-5) }
    }

    @Test func topKBreaksTiesByLowerIDWhateverTheOrder() {
        let candidates: [(Int64, Double)] = [(5, 1), (3, 2), (9, 2), (1, 1), (7, 3), (2, 1)]
        for order in [candidates, candidates.reversed(), candidates.sorted { $0.0 < $1.0 }] {
            var top = TopK<Double>(limit: 4)
            for (id, score) in order { top.insert(id, score) }
            #expect(top.best.map(\.id) == [7, 3, 9, 1])
        }
    }
}
