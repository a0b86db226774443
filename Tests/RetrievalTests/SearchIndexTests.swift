import Foundation
import PostgresTestSupport
import Testing
@testable import Retrieval

/// Every case that touches storage runs on each `StorageBackend`.
@Suite(.closesStores) struct SearchIndexTests {
    static let corpus: [(id: String, text: String)] = [
        ("f_cats", "Cats are small domesticated carnivorous mammals. A cat sleeps most of the day."),
        ("f_dogs", "Dogs are loyal companions. A dog needs daily walks and training."),
        ("f_vitd", "Vitamin D deficiency causes rickets in children and osteomalacia in adults."),
        ("f_rust", "Rust prevents data races at compile time through ownership and borrowing."),
        ("f_cafe", "The café served crème brûlée and espresso."),
    ]

    func index(_ backend: StorageBackend, store: String = "vs_1") async throws -> SearchIndex {
        let index = try await backend.makeIndex()
        for (id, text) in Self.corpus {
            try await index.add(storeID: store, fileID: id, filename: id + ".txt", chunks: Chunker.auto.chunks(of: text))
        }
        return index
    }

    func top(_ index: SearchIndex, _ query: String, stores: [String] = ["vs_1"]) async throws -> String? {
        try await index.search(storeIDs: stores, query: query, limit: 3).first?.fileID
    }

    @Test(arguments: StorageBackend.allCases)
    func bm25FindsTheKnownAnswers(backend: StorageBackend) async throws {
        let index = try await index(backend)
        #expect(try await top(index, "vitamin D deficiency in children") == "f_vitd")
        #expect(try await top(index, "what do dogs need?") == "f_dogs")
        #expect(try await top(index, "sleeping cats") == "f_cats")  // stemming: sleeping ~ sleeps, cats ~ cat
        #expect(try await top(index, "cafe creme brulee") == "f_cafe")  // diacritics removed
        #expect(try await top(index, "ownership borrowing RACES") == "f_rust")
        let hits = try await index.search(storeIDs: ["vs_1"], query: "the dog and the cat", limit: 10)
        #expect(Set(hits.map(\.fileID)) == ["f_cats", "f_dogs"])
        let hit = try #require(hits.first)
        #expect(hit.filename == hit.fileID + ".txt")
        #expect(Self.corpus.contains { $0.text == hit.text })
        #expect(hit.start == 0 && hit.end == hit.text.unicodeScalars.count)
    }

    @Test(arguments: StorageBackend.allCases)
    func scoresAreNormalisedAndOrdered(backend: StorageBackend) async throws {
        let index = try await index(backend)
        for query in ["vitamin", "vitamin D deficiency rickets osteomalacia children adults", "dog cat rust café"] {
            let hits = try await index.search(storeIDs: ["vs_1"], query: query, limit: 10)
            #expect(!hits.isEmpty)
            for hit in hits { #expect(hit.score > 0 && hit.score < 1) }
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        }
    }

    @Test(arguments: StorageBackend.allCases, [
        "\"", "\"unbalanced", "a AND", "NEAR(cat dog, 2)", "cat*", "text:cat", "^cat", "-cat", "(((", "OR OR OR",
        "cat\" OR \"dog", "'; DROP TABLE chunk; --", "{text}: cat", "", "   ", "***", "cat + dog", "\u{0}cat", "😺 cat",
    ])
    func hostileQueriesNeverFail(backend: StorageBackend, query: String) async throws {
        let index = try await index(backend)
        let hits = try await index.search(storeIDs: ["vs_1"], query: query, limit: 5)
        let words = Set(query.lowercased().split { !$0.isLetter })
        if words.contains("cat") { #expect(hits.first.map { ["f_cats", "f_dogs"].contains($0.fileID) } ?? false) }
        if words.contains("cat"), !words.contains("dog") { #expect(hits.first?.fileID == "f_cats") }
    }

    @Test(arguments: StorageBackend.allCases)
    func longQueriesAreBounded(backend: StorageBackend) async throws {
        let query = (0..<500).map { "word\($0)" }.joined(separator: " ") + " vitamin"
        #expect(try await index(backend).search(storeIDs: ["vs_1"], query: query, limit: 5).isEmpty)
        #expect(QueryTerms(query)?.words.count == QueryTerms.maxTerms)
    }

    @Test(arguments: StorageBackend.allCases)
    func aTokenWithNoEndIsIndexedByItsStart(backend: StorageBackend) async throws {
        let index = try await backend.makeIndex()
        let hash = String(repeating: "0123456789abcdef", count: 20)  // 320 letters and digits, no break
        try await index.add(storeID: "vs_1", fileID: "f_hash", filename: "h.txt", chunks: Chunker.auto.chunks(of: "checksum \(hash) ok"))
        try await index.add(storeID: "vs_1", fileID: "f_cats", filename: "c.txt", chunks: Chunker.auto.chunks(of: Self.corpus[0].text))
        #expect(try await top(index, hash) == "f_hash")
        #expect(try await top(index, "cats") == "f_cats")
    }

    @Test(arguments: StorageBackend.allCases)
    func storesAreIsolatedAndFilesFiltered(backend: StorageBackend) async throws {
        let index = try await index(backend)
        try await index.add(storeID: "vs_2", fileID: "f_other", filename: "other.txt", chunks: Chunker.auto.chunks(of: "A cat in another store."))
        let first = try await index.search(storeIDs: ["vs_1"], query: "cat", limit: 10)
        #expect(first.map(\.fileID) == ["f_cats"])
        #expect(try await index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).map(\.fileID) == ["f_other"])
        #expect(try await index.search(storeIDs: ["vs_1", "vs_2"], query: "cat", limit: 10).count == 2)
        #expect(try await index.search(storeIDs: ["vs_3"], query: "cat", limit: 10).isEmpty)
        #expect(try await index.search(storeIDs: ["vs_1"], query: "cat dog", fileIDs: ["f_dogs"], limit: 10).map(\.fileID) == ["f_dogs"])
        #expect(try await index.search(storeIDs: ["vs_1"], query: "cat", fileIDs: [], limit: 10).isEmpty)
    }

    @Test(arguments: StorageBackend.allCases)
    func removeAndRemoveStore(backend: StorageBackend) async throws {
        let index = try await index(backend)
        try await index.add(storeID: "vs_2", fileID: "f_cats", filename: "cats.txt", chunks: Chunker.auto.chunks(of: "cat"))
        try await index.remove(storeID: "vs_1", fileID: "f_cats")
        #expect(try await index.search(storeIDs: ["vs_1"], query: "cat", limit: 10).isEmpty)
        #expect(try await index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).count == 1)  // same file id, other store
        try await index.removeStore("vs_1")
        #expect(try await index.search(storeIDs: ["vs_1"], query: "dog vitamin rust", limit: 10).isEmpty)
        #expect(try await index.search(storeIDs: ["vs_2"], query: "cat", limit: 10).count == 1)
    }

    @Test(arguments: StorageBackend.allCases)
    func addingAgainReplacesTheFile(backend: StorageBackend) async throws {
        let index = try await index(backend)
        try await index.add(storeID: "vs_1", fileID: "f_cats", filename: "cats.txt", chunks: Chunker.auto.chunks(of: "Now about parrots."))
        #expect(try await index.search(storeIDs: ["vs_1"], query: "cat", limit: 10).isEmpty)
        #expect(try await index.search(storeIDs: ["vs_1"], query: "parrots", limit: 10).map(\.filename) == ["cats.txt"])
    }

    @Test func persistsInAFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await SearchIndex(path: path).add(storeID: "s", fileID: "f", filename: "f.txt", chunks: Chunker.auto.chunks(of: "durable words"))
        #expect(try await SearchIndex(path: path).search(storeIDs: ["s"], query: "durable", limit: 1).first?.fileID == "f")
    }

    // MARK: - Dense vectors

    /// Two files equally good for BM25; the embeddings say the second is the one meant.
    func hybridIndex(_ backend: StorageBackend) async throws -> SearchIndex {
        let index = try await backend.makeIndex()
        try await index.add(storeID: "s", fileID: "bank_river", filename: "a.txt",
                      chunks: Chunker.auto.chunks(of: "The bank of the river was muddy."), embeddings: [[1, 0, 0]])
        try await index.add(storeID: "s", fileID: "bank_money", filename: "b.txt",
                      chunks: Chunker.auto.chunks(of: "The bank approved the loan quickly, the bank said."), embeddings: [[0, 1, 0]])
        try await index.add(storeID: "s", fileID: "finance", filename: "c.txt",
                      chunks: Chunker.auto.chunks(of: "Interest rates and mortgages."), embeddings: [[0.1, 0.9, 0.1]])
        return index
    }

    @Test(arguments: StorageBackend.allCases)
    func hybridRankingFollowsTheEmbeddings(backend: StorageBackend) async throws {
        let index = try await hybridIndex(backend)
        let lexical = try await index.search(storeIDs: ["s"], query: "bank", limit: 3)
        #expect(lexical.map(\.fileID) == ["bank_money", "bank_river"])  // more "bank"s: BM25 prefers it
        let river = try await index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0.05, 0], limit: 3)
        #expect(river.map(\.fileID) == ["bank_river", "bank_money", "finance"])
        for hit in river { #expect(hit.score > 0 && hit.score <= 1) }
        #expect(river[0].score > 0.98)  // first in the dense ranking, second in BM25
        // Found by the embedding alone, with no shared word.
        let money = try await index.search(storeIDs: ["s"], query: "lending", queryEmbedding: [0, 1, 0.1], limit: 3)
        #expect(money.first?.fileID == "bank_money")
        #expect(money.allSatisfy { $0.score <= 0.5 })
    }

    @Test(arguments: StorageBackend.allCases)
    func hybridRespectsFiltersAndChanges(backend: StorageBackend) async throws {
        let index = try await hybridIndex(backend)
        let filtered = try await index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0, 0], fileIDs: ["finance"], limit: 3)
        #expect(filtered.map(\.fileID) == ["finance"])
        #expect(try await index.search(storeIDs: ["other"], query: "bank", queryEmbedding: [1, 0, 0], limit: 3).isEmpty)
        try await index.remove(storeID: "s", fileID: "bank_river")  // must drop the cached vectors
        let after = try await index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0, 0], limit: 3)
        #expect(!after.map(\.fileID).contains("bank_river"))
    }

    @Test(arguments: StorageBackend.allCases)
    func embeddingErrors(backend: StorageBackend) async throws {
        let index = try await hybridIndex(backend)
        let chunks = Chunker.auto.chunks(of: "x y")
        await #expect(throws: SearchIndexError.self) { try await index.add(storeID: "s", fileID: "x", filename: "x", chunks: chunks, embeddings: []) }
        await #expect(throws: SearchIndexError.self) {
            try await index.add(storeID: "s", fileID: "x", filename: "x", chunks: chunks + chunks, embeddings: [[1], [1, 2]])
        }
        await #expect(throws: SearchIndexError.self) { try await index.search(storeIDs: ["s"], query: "bank", queryEmbedding: [1, 0], limit: 3) }
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
