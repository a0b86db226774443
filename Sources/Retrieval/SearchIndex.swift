import Foundation
import GRDB
import Synchronization

/// The chunks of every vector store, searchable by BM25 and, when embeddings are given, by cosine
/// similarity. It lives in its own database file, apart from the object store. The database is the
/// source of truth; what searches read is derived from it in memory, per store, on a store's first
/// search: a `Lexicon` (kept in step with every write) and its embeddings (reloaded after a write).
/// So one process, through one `SearchIndex`, must do all the writing to a file.
///
/// Scores are normalised to 0...1 so `score_threshold` means the same thing for every query:
/// - BM25 only: with `x` the chunk's BM25 divided by the number of query terms (BM25 is a sum over
///   terms, so this is the mean evidence per term), `score = x / (x + 1)`. A chunk matching each
///   term about as well as one moderately rare word scores 0.5; the score rises towards 1 only with
///   strong matches on every term. IDF and the average chunk length are computed over the stores
///   searched, so one store's files never change the scores in another.
/// - Hybrid (a query embedding and stored embeddings): reciprocal rank fusion, `Σ 1 / (60 + rank)`
///   over the BM25 and dense rankings, divided by its maximum `2 / 61`, so a chunk ranked first by
///   both scores 1 and one found by a single ranking at most 0.5.
public final class SearchIndex: Sendable {
    let database: any DatabaseWriter
    /// Each store's lexicon; an entry is created on a store's first search or write.
    private let lexicons = Mutex<[String: StoreLexicon]>([:])
    /// Each store's embeddings, loaded on a store's first hybrid search and dropped when it changes.
    private let vectorCache = Mutex<[String: StoreVectors]>([:])

    static let rrfK = 60.0
    /// How deep each ranking is read before fusing: beyond this, 1/(60 + rank) barely moves.
    static let fusionDepth = 100

    /// Versioned schema changes; add a migration for each, never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: chunks and their full-text index") { db in
            try db.execute(sql: """
                CREATE TABLE chunk (
                    id INTEGER PRIMARY KEY,
                    store_id TEXT NOT NULL,
                    file_id TEXT NOT NULL,
                    filename TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    embedding BLOB);
                CREATE INDEX chunk_by_file ON chunk(store_id, file_id);
                CREATE VIRTUAL TABLE chunk_text USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                """)
        }
        // Search reads postings from each store's `Lexicon` now; the FTS5 index only cost writes.
        migrator.registerMigration("v2: chunk text in the chunk table, no full-text index") { db in
            try db.execute(sql: """
                ALTER TABLE chunk ADD COLUMN text TEXT NOT NULL DEFAULT '';
                UPDATE chunk SET text = coalesce((SELECT text FROM chunk_text WHERE chunk_text.rowid = chunk.id), '');
                DROP TABLE chunk_text;
                """)
        }
        return migrator
    }

    /// Opens (creating if needed) the index database at `path`.
    public convenience init(path: String) throws(SearchIndexError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        try self.init(wrapping: { try DatabasePool(path: path, configuration: configuration) })
    }

    /// An index that lives in memory only, for tests.
    public convenience init() throws(SearchIndexError) {
        try self.init(wrapping: { try DatabaseQueue() })
    }

    private init(wrapping open: () throws -> any DatabaseWriter) throws(SearchIndexError) {
        database = try Self.wrap {
            let database = try open()
            try Self.migrator.migrate(database)
            return database
        }
    }

    /// Indexes a file's chunks in a store, replacing what was indexed for that file before.
    /// `embeddings`, when given, has one vector per chunk, all of one dimension.
    public func add(storeID: String, fileID: String, filename: String, chunks: [Chunk], embeddings: [[Float]]? = nil) throws(SearchIndexError) {
        try add(storeID: storeID, files: [IndexedFile(fileID: fileID, filename: filename, chunks: chunks, embeddings: embeddings)])
    }

    /// Indexes files in a store in one transaction, each replacing what was indexed for it before;
    /// of files given twice, the last counts. Much faster than one `add` per file: a commit per
    /// file costs more than indexing a typical file.
    public func add(storeID: String, files: [IndexedFile]) throws(SearchIndexError) {
        for file in files { try file.validate() }
        var seen: Set<String> = []
        let files = Array(files.reversed().filter { seen.insert($0.fileID).inserted }.reversed())
        try write(storeID, replacing: seen) { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO chunk (store_id, file_id, filename, start, "end", text, embedding) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            var added: [(chunkID: Int64, fileID: String, text: String)] = []
            for file in files {
                try Self.delete(db, storeID: storeID, fileID: file.fileID)
                for (index, chunk) in file.chunks.enumerated() {
                    let blob = file.embeddings.map { Vectors.blob($0[index]) }
                    try insert.execute(arguments: [storeID, file.fileID, file.filename, chunk.start, chunk.end, chunk.text, blob])
                    added.append((db.lastInsertedRowID, file.fileID, chunk.text))
                }
            }
            return added
        }
    }

    /// Removes a file's chunks from a store.
    public func remove(storeID: String, fileID: String) throws(SearchIndexError) {
        try write(storeID, replacing: [fileID]) { db in
            try Self.delete(db, storeID: storeID, fileID: fileID)
            return []
        }
    }

    /// Removes every chunk of a store.
    public func removeStore(_ storeID: String) throws(SearchIndexError) {
        try Self.wrap {
            try database.write { db in
                try db.execute(sql: "DELETE FROM chunk WHERE store_id = ?", arguments: [storeID])
                // Under the writer, like every lexicon change; should the commit fail, the next search reloads.
                _ = lexicons.withLock { $0.removeValue(forKey: storeID) }
            }
        }
        invalidate(storeID)
    }

    /// The best chunks for `query` in the given stores, best first. `fileIDs`, when given, limits
    /// results to those files (the caller's attribute filter). With `queryEmbedding` and stored
    /// embeddings the BM25 and dense rankings are fused; otherwise it is BM25 alone.
    public func search(
        storeIDs: [String], query: String, queryEmbedding: [Float]? = nil, fileIDs: Set<String>? = nil, limit: Int
    ) throws(SearchIndexError) -> [SearchHit] {
        guard !storeIDs.isEmpty, limit > 0, fileIDs?.isEmpty != true else { return [] }
        let storeIDs = Array(Set(storeIDs))
        let dense = try queryEmbedding.map { embedding throws(SearchIndexError) in
            try nearest(embedding, storeIDs: storeIDs, fileIDs: fileIDs, limit: max(limit, Self.fusionDepth))
        } ?? []
        let terms = try QueryTerms(query).map { words throws(SearchIndexError) in
            try Self.wrap { try database.read { db in try Terms.of(words, using: db.makeTokenizer(Terms.tokenizer)) } }
        } ?? []
        if dense.isEmpty {
            return try hits(bm25(terms, storeIDs: storeIDs, fileIDs: fileIDs, limit: limit))
        }
        let lexical = try bm25(terms, storeIDs: storeIDs, fileIDs: fileIDs, limit: max(limit, Self.fusionDepth))
        var fused: [Int64: Double] = [:]
        for (rank, id) in lexical.map(\.id).enumerated() { fused[id, default: 0] += 1 / (Self.rrfK + Double(rank + 1)) }
        for (rank, id) in dense.map(\.chunkID).enumerated() { fused[id, default: 0] += 1 / (Self.rrfK + Double(rank + 1)) }
        let best = fused.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(limit)
        return try hits(best.map { ($0.key, $0.value / (2 / (Self.rrfK + 1))) })
    }

    // MARK: - Ranking

    /// Chunk ids by BM25, best first, with the normalised score.
    private func bm25(_ terms: [String], storeIDs: [String], fileIDs: Set<String>?, limit: Int) throws(SearchIndexError) -> [(id: Int64, score: Double)] {
        guard !terms.isEmpty else { return [] }
        let stores = try storeIDs.map { storeID throws(SearchIndexError) in try lexicon(storeID) }
        let frequencies = stores.reduce(into: [Int](repeating: 0, count: terms.count)) { sum, store in
            for (index, count) in store.documentFrequencies(terms).enumerated() { sum[index] += count }
        }
        let scoring = BM25(
            chunkCount: stores.map(\.chunkCount).reduce(0, +), totalLength: stores.map(\.totalLength).reduce(0, +),
            documentFrequencies: frequencies)
        let ranked = stores.flatMap { $0.best(terms, scoring: scoring, fileIDs: fileIDs, limit: limit) }
        return ranked.sorted(by: TopK<Double>.before).prefix(limit).map { id, score in
            let perTerm = score / Double(terms.count)
            return (id, perTerm / (perTerm + 1))
        }
    }

    /// A snapshot of a store's lexicon, loaded first if need be. Loading goes through the writer,
    /// so no write can fall between what the load reads and the lexicon's first update.
    private func lexicon(_ storeID: String) throws(SearchIndexError) -> Lexicon {
        let entry = lexicons.withLock { lexicons in
            if let entry = lexicons[storeID] { return entry }
            let entry = StoreLexicon()
            lexicons[storeID] = entry
            return entry
        }
        if let loaded = entry.state.withLock({ $0 }) { return loaded }
        return try Self.wrap {
            try database.writeWithoutTransaction { db in
                try entry.state.withLock { state in
                    let loaded = try state ?? Lexicon.load(storeID: storeID, from: db)
                    state = loaded
                    return loaded
                }
            }
        }
    }

    /// Runs `change` (which returns the chunks it inserted) in one transaction, then, still holding
    /// the writer so lexicons see changes in commit order, applies it to the store's lexicon if loaded.
    private func write(
        _ storeID: String, replacing fileIDs: Set<String>, _ change: (Database) throws -> [(chunkID: Int64, fileID: String, text: String)]
    ) throws(SearchIndexError) {
        try Self.wrap {
            try database.writeWithoutTransaction { db in
                var added: [(chunkID: Int64, fileID: String, text: String)] = []
                try db.inTransaction {
                    added = try change(db)
                    return .commit
                }
                guard let entry = lexicons.withLock({ $0[storeID] }), entry.state.withLock({ $0 != nil }) else { return }
                // Tokenised outside the store's lock, so its searches go on meanwhile. Should that
                // fail, the lexicon is dropped, to be loaded again by the next search.
                let tokenizer = try? db.makeTokenizer(Terms.tokenizer)
                guard let tokenizer, let documents = try? added.map({
                    try Lexicon.document(chunkID: $0.chunkID, fileID: $0.fileID, text: $0.text, using: tokenizer)
                }) else {
                    entry.state.withLock { $0 = nil }
                    return
                }
                entry.state.withLock { state in
                    state?.remove(files: fileIDs)
                    for document in documents { state?.add(document) }
                }
            }
        }
        invalidate(storeID)
    }

    /// Chunk ids by cosine similarity over the stores' embeddings. Empty when no store has any.
    private func nearest(_ embedding: [Float], storeIDs: [String], fileIDs: Set<String>?, limit: Int) throws(SearchIndexError) -> [(chunkID: Int64, similarity: Float)] {
        var results: [(chunkID: Int64, similarity: Float)] = []
        for storeID in storeIDs {
            guard let vectors = try vectors(storeID) else { continue }
            guard vectors.dimensions == embedding.count else {
                throw .invalidEmbeddings("Query embedding has \(embedding.count) dimensions; store \(storeID) has \(vectors.dimensions).")
            }
            results += vectors.nearest(embedding, limit: limit) { fileIDs?.contains($0) ?? true }
        }
        return Array(results.sorted { $0.similarity > $1.similarity }.prefix(limit))
    }

    /// Loads under the lock, so a load racing a write is dropped by that write's `invalidate`.
    private func vectors(_ storeID: String) throws(SearchIndexError) -> StoreVectors? {
        try vectorCache.withLock { cache throws(SearchIndexError) -> StoreVectors? in
            if let cached = cache[storeID] { return cached.chunkIDs.isEmpty ? nil : cached }
            let rows = try Self.wrap {
                try database.read { db in
                    try Row.fetchAll(db, sql: "SELECT id, file_id, embedding FROM chunk WHERE store_id = ? AND embedding IS NOT NULL ORDER BY id", arguments: [storeID])
                }
            }
            let entries = rows.map { (chunkID: $0[0] as Int64, fileID: $0[1] as String, vector: Vectors.vector($0[2])) }
            let dimensions = entries.first?.vector.count ?? 0
            // A store whose files were embedded with different models cannot be compared; use the first.
            let loaded = StoreVectors(rows: entries.filter { $0.vector.count == dimensions }, dimensions: dimensions)
            cache[storeID] = loaded
            return loaded.chunkIDs.isEmpty ? nil : loaded
        }
    }

    private func invalidate(_ storeID: String) {
        _ = vectorCache.withLock { $0.removeValue(forKey: storeID) }
    }

    // MARK: - Rows

    /// The hits for ranked chunk ids, in the given order; text is read only for these.
    private func hits(_ ranked: [(id: Int64, score: Double)]) throws(SearchIndexError) -> [SearchHit] {
        guard !ranked.isEmpty else { return [] }
        let rows = try Self.wrap {
            try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, file_id, filename, start, "end", text FROM chunk WHERE id IN (\(databaseQuestionMarks(count: ranked.count)))
                    """, arguments: StatementArguments(ranked.map(\.id)))
            }
        }
        let byID = Dictionary(rows.map { ($0[0] as Int64, $0) }, uniquingKeysWith: { a, _ in a })
        return ranked.compactMap { id, score in
            byID[id].map { row in
                SearchHit(fileID: row[1], filename: row[2], text: row[5], start: row[3], end: row[4], score: min(1, max(0, score)))
            }
        }
    }

    private static func delete(_ db: Database, storeID: String, fileID: String) throws {
        try db.execute(sql: "DELETE FROM chunk WHERE store_id = ? AND file_id = ?", arguments: [storeID, fileID])
    }

    private static func wrap<T>(_ body: () throws -> T) throws(SearchIndexError) -> T {
        do {
            return try body()
        } catch {
            throw .database(String(describing: error))
        }
    }
}
