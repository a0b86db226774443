import Foundation
import GRDB
import PostgresTestSupport
import Testing
@testable import Retrieval

/// The in-memory postings that BM25 reads: exact against the formula, and in step with the database.
@Suite(.closesStores) struct LexiconTests {
    static let texts = [
        "Vitamin D deficiency causes rickets; vitamin D supplements prevent rickets.",
        "Cats sleep. Cats play. A cat hunts mice at night.",
        "The treatment of rickets needs vitamin D and calcium.",
        "Dogs and cats can live together peacefully.",
        "Calcium absorption depends on vitamin D levels in the blood of children.",
        "Mice avoid cats.",
    ]
    static let queries = ["vitamin rickets", "cats and mice", "calcium for children's treatment", "unrelated words"]

    /// BM25 from its definition (k1 = 1.2, b = 0.75, IDF floored at 1e-6), by brute force over term lists.
    static func naiveBM25(_ documents: [[String]], _ query: [String]) -> [Double] {
        let n = Double(documents.count), average = Double(documents.map(\.count).reduce(0, +)) / n
        return documents.map { document in
            query.reduce(0) { sum, term in
                let tf = Double(document.filter { $0 == term }.count)
                let df = Double(documents.filter { $0.contains(term) }.count)
                let idf = max(log((n - df + 0.5) / (df + 0.5)), 1e-6)
                return sum + (tf == 0 ? 0 : idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * Double(document.count) / average)))
            }
        }
    }

    /// Runs `body` with a lexicon of `texts` (chunk ids from 1, file "f<index>") and a tokenizer.
    func withLexicon(_ texts: [String], _ body: (Lexicon, [Lexicon.Document], any FTS5Tokenizer) throws -> Void) throws {
        try DatabaseQueue().read { db in
            let tokenizer = try db.makeTokenizer(Terms.tokenizer)
            let documents = try texts.enumerated().map { index, text in
                try Lexicon.document(chunkID: Int64(index + 1), fileID: "f\(index)", text: text, using: tokenizer)
            }
            var lexicon = Lexicon()
            for document in documents { lexicon.add(document) }
            try body(lexicon, documents, tokenizer)
        }
    }

    func best(_ lexicon: Lexicon, _ terms: [String], fileIDs: Set<String>? = nil) -> [(id: Int64, score: Double)] {
        let scoring = BM25(chunkCount: lexicon.chunkCount, totalLength: lexicon.totalLength, documentFrequencies: lexicon.documentFrequencies(terms))
        return lexicon.best(terms, scoring: scoring, fileIDs: fileIDs, limit: 10)
    }

    @Test func agreesWithNaiveBM25() throws {
        try withLexicon(Self.texts) { lexicon, documents, tokenizer in
            for query in Self.queries {
                let terms = try Terms.of(try #require(QueryTerms(query)), using: tokenizer)
                let expected = Self.naiveBM25(documents.map(\.terms), terms).enumerated()
                    .filter { $0.element > 0 }.map { (id: Int64($0.offset + 1), score: $0.element) }
                    .sorted(by: TopK<Double>.before)
                let found = best(lexicon, terms)
                #expect(found.map(\.id) == expected.map(\.id), "\(query)")
                for (a, b) in zip(found, expected) { #expect(abs(a.score - b.score) < 1e-9) }
            }
            #expect(best(lexicon, ["cat"], fileIDs: ["f3", "f5"]).map(\.id) == [6, 4])
        }
    }

    @Test func removingFilesEqualsNeverAddingThem() throws {
        try withLexicon(Self.texts) { lexicon, _, tokenizer in
            var lexicon = lexicon
            lexicon.remove(files: ["f1", "f4", "unknown"])
            let kept = Self.texts.enumerated().filter { ![1, 4].contains($0.offset) }
            try withLexicon(kept.map(\.element)) { fresh, _, _ in
                #expect(lexicon.chunkCount == fresh.chunkCount && lexicon.totalLength == fresh.totalLength)
                for query in Self.queries {
                    let terms = try Terms.of(try #require(QueryTerms(query)), using: tokenizer)
                    // Same scores; ids differ only by numbering (fresh ids count the kept texts from 1).
                    let renumbered = best(fresh, terms).map { (id: Int64(kept[Int($0.id) - 1].offset + 1), score: $0.score) }
                    #expect(best(lexicon, terms).map(\.id) == renumbered.map(\.id), "\(query)")
                    #expect(best(lexicon, terms).map(\.score) == renumbered.map(\.score))
                }
            }
        }
    }

    // MARK: - Through SearchIndex

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString).sqlite").path
    }

    func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func files(_ texts: [String], prefix: String = "f") -> [IndexedFile] {
        texts.enumerated().map { IndexedFile(fileID: "\(prefix)\($0)", filename: "\(prefix)\($0).txt", chunks: Chunker.auto.chunks(of: $1)) }
    }

    /// An index, and a way to open another on its storage that loads every lexicon afresh: a second
    /// SQLite index on the file, or a second node on the PostgreSQL schema.
    /// The SQLite file, if any, is removed by `removeDatabase`.
    func indexAndReopener(_ backend: StorageBackend, path: String) async throws -> (SearchIndex, () async throws -> SearchIndex) {
        switch backend {
        case .sqlite:
            return (try SearchIndex(path: path), { try SearchIndex(path: path) })
        case .postgres:
            let nodes = try await backend.makeNodes(2)
            return (nodes[0], { nodes[1] })
        }
    }

    /// Every kind of write with the lexicons loaded; a second index on the storage loads them afresh.
    @Test(arguments: StorageBackend.allCases)
    func updatedLexiconsAgreeWithReloadedOnes(backend: StorageBackend) async throws {
        let path = temporaryPath()
        defer { removeDatabase(path) }
        let (live, reopen) = try await indexAndReopener(backend, path: path)
        _ = try await live.search(storeIDs: ["a", "b"], query: "anything", limit: 1)  // loads both, empty
        try await live.add(storeID: "a", files: files(Self.texts))
        try await live.add(storeID: "b", files: files(Array(Self.texts.prefix(3)), prefix: "g"))
        try await live.remove(storeID: "a", fileID: "f1")
        try await live.add(storeID: "a", fileID: "f2", filename: "f2.txt", chunks: Chunker.auto.chunks(of: "Cats and rickets, replaced."))
        try await live.removeStore("b")
        try await live.add(storeID: "b", fileID: "g9", filename: "g9.txt", chunks: Chunker.auto.chunks(of: "Vitamin D for cats and mice."))
        let reloaded = try await reopen()
        for query in Self.queries {
            for stores in [["a"], ["b"], ["a", "b"]] {
                let expected = try await reloaded.search(storeIDs: stores, query: query, limit: 10)
                let found = try await live.search(storeIDs: stores, query: query, limit: 10)
                #expect(found == expected, "\(query) in \(stores)")
            }
        }
        let cats = try await live.search(storeIDs: ["a"], query: "cats", limit: 10).map(\.fileID)
        #expect(Set(cats) == ["f2", "f3", "f5"])
    }

    @Test(arguments: StorageBackend.allCases)
    func otherStoresDoNotChangeScores(backend: StorageBackend) async throws {
        let index = try await backend.makeIndex()
        try await index.add(storeID: "a", files: files(Self.texts))
        let before = try await index.search(storeIDs: ["a"], query: "vitamin D deficiency", limit: 10)
        try await index.add(storeID: "b", files: files(Array(repeating: "vitamin D deficiency everywhere", count: 20)))
        let after = try await index.search(storeIDs: ["a"], query: "vitamin D deficiency", limit: 10)
        #expect(!before.isEmpty && before == after)
        let both = try await index.search(storeIDs: ["a", "b"], query: "vitamin D deficiency", limit: 30)
        #expect(Set(both.map(\.fileID)).isSuperset(of: before.map(\.fileID)) && both.count == before.count + 20)
    }

    @Test(arguments: StorageBackend.allCases)
    func batchAddEqualsOneAddPerFile(backend: StorageBackend) async throws {
        let batch = try await backend.makeIndex(), single = try await backend.makeIndex()
        try await batch.add(storeID: "s", files: files(Self.texts))
        for file in files(Self.texts) { try await single.add(storeID: "s", fileID: file.fileID, filename: file.filename, chunks: file.chunks) }
        for query in Self.queries {
            let expected = try await single.search(storeIDs: ["s"], query: query, limit: 10)
            let found = try await batch.search(storeIDs: ["s"], query: query, limit: 10)
            #expect(found == expected)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func batchAddKeepsTheLastOfAFileGivenTwice(backend: StorageBackend) async throws {
        let index = try await backend.makeIndex()
        let twice = [IndexedFile(fileID: "x", filename: "old.txt", chunks: Chunker.auto.chunks(of: "parrots")),
                     IndexedFile(fileID: "x", filename: "new.txt", chunks: Chunker.auto.chunks(of: "cats"))]
        try await index.add(storeID: "s", files: twice)
        #expect(try await index.search(storeIDs: ["s"], query: "parrots", limit: 10).isEmpty)
        let cats = try await index.search(storeIDs: ["s"], query: "cats", limit: 10)
        #expect(cats.map(\.filename) == ["new.txt"])
    }

    @Test(arguments: StorageBackend.allCases)
    func batchWithInvalidEmbeddingsWritesNothing(backend: StorageBackend) async throws {
        let index = try await backend.makeIndex()
        let chunks = Chunker.auto.chunks(of: "cats")
        let batch = [IndexedFile(fileID: "ok", filename: "ok.txt", chunks: chunks, embeddings: [[1, 0]]),
                     IndexedFile(fileID: "bad", filename: "bad.txt", chunks: chunks, embeddings: [[1, 0], [0, 1]])]
        await #expect(throws: SearchIndexError.self) { try await index.add(storeID: "s", files: batch) }
        #expect(try await index.search(storeIDs: ["s"], query: "cats", limit: 10).isEmpty)
    }

    /// A database written before the lexicon (text in an FTS5 table) opens with its chunks searchable.
    @Test func migratesAnFTS5Database() async throws {
        let path = temporaryPath()
        defer { removeDatabase(path) }
        let old = try DatabaseQueue(path: path)
        try SQLiteChunkStorage.migrator.migrate(old, upTo: "v1: chunks and their full-text index")
        try await old.write { db in
            try db.execute(sql: "INSERT INTO chunk (id, store_id, file_id, filename, start, \"end\") VALUES (7, 's', 'f', 'f.txt', 0, 13)")
            try db.execute(sql: "INSERT INTO chunk_text (rowid, text) VALUES (7, 'durable words')")
        }
        try old.close()
        let hits = try await SearchIndex(path: path).search(storeIDs: ["s"], query: "durable", limit: 1)
        #expect(hits.map(\.text) == ["durable words"])
    }
}
