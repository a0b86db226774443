import Foundation
import Synchronization

/// The chunks of every vector store, searchable by BM25 and, when embeddings are given, by cosine
/// similarity. The chunks live in a `ChunkStorage` (a SQLite file of their own, or PostgreSQL shared by
/// several nodes), the source of truth; what searches read is derived from it in memory, per store, on a
/// store's first search: a `Lexicon` (kept in step with every write made through this index) and its
/// embeddings (reloaded after a write). Before each search the stores' versions are read from the storage;
/// a store changed since (by another node) is loaded again first, so every search is exact.
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
    let storage: any ChunkStorage
    /// Each store's lexicon, loaded on a store's first search and kept in step with writes.
    private let lexicons = StoreSnapshots<Lexicon>()
    /// Each store's embeddings, loaded on a store's first hybrid search and dropped when it changes.
    private let vectorCache = StoreSnapshots<StoreVectors>()

    static let rrfK = 60.0
    /// How deep each ranking is read before fusing: beyond this, 1/(60 + rank) barely moves.
    static let fusionDepth = 100

    /// An index over `storage`. Two indexes on one storage (two nodes) each search exactly what it holds.
    public init(storage: any ChunkStorage) {
        self.storage = storage
    }

    /// An index in its own SQLite file at `path`, created if needed (`SQLiteChunkStorage`).
    public convenience init(path: String) throws(SearchIndexError) {
        self.init(storage: try Self.wrap { try SQLiteChunkStorage(path: path) })
    }

    /// An index that lives in memory only, for tests.
    public convenience init() throws(SearchIndexError) {
        self.init(storage: try Self.wrap { try SQLiteChunkStorage() })
    }

    /// Indexes a file's chunks in a store, replacing what was indexed for that file before.
    /// `embeddings`, when given, has one vector per chunk, all of one dimension.
    public func add(
        storeID: String, fileID: String, filename: String, chunks: [Chunk], embeddings: [[Float]]? = nil
    ) async throws(SearchIndexError) {
        try await add(storeID: storeID, files: [IndexedFile(fileID: fileID, filename: filename, chunks: chunks, embeddings: embeddings)])
    }

    /// Indexes files in a store in one transaction, each replacing what was indexed for it before;
    /// of files given twice, the last counts. Much faster than one `add` per file: a commit per
    /// file costs more than indexing a typical file.
    public func add(storeID: String, files: [IndexedFile]) async throws(SearchIndexError) {
        for file in files { try file.validate() }
        var seen: Set<String> = []
        let files = Array(files.reversed().filter { seen.insert($0.fileID).inserted }.reversed())
        try await replace(storeID, removing: seen, adding: files)
    }

    /// Removes a file's chunks from a store.
    public func remove(storeID: String, fileID: String) async throws(SearchIndexError) {
        try await replace(storeID, removing: [fileID], adding: [])
    }

    /// Removes every chunk of a store.
    public func removeStore(_ storeID: String) async throws(SearchIndexError) {
        _ = try await Self.wrap { try await storage.removeStore(storeID) }
        lexicons.remove(storeID)
        vectorCache.remove(storeID)
    }

    /// The best chunks for `query` in the given stores, best first. `fileIDs`, when given, limits
    /// results to those files (the caller's attribute filter). With `queryEmbedding` and stored
    /// embeddings the BM25 and dense rankings are fused; otherwise it is BM25 alone.
    public func search(
        storeIDs: [String], query: String, queryEmbedding: [Float]? = nil, fileIDs: Set<String>? = nil, limit: Int
    ) async throws(SearchIndexError) -> [SearchHit] {
        guard !storeIDs.isEmpty, limit > 0, fileIDs?.isEmpty != true else { return [] }
        let storeIDs = Array(Set(storeIDs))
        let versions = try await Self.wrap { try await storage.versions(of: storeIDs) }
        var dense: [(chunkID: Int64, similarity: Float)] = []
        if let queryEmbedding {
            dense = try await nearest(queryEmbedding, storeIDs: storeIDs, versions: versions, fileIDs: fileIDs, limit: max(limit, Self.fusionDepth))
        }
        let terms = try QueryTerms(query).map { words throws(SearchIndexError) in
            try Self.wrap { try Tokenizers.shared.with { try Terms.of(words, using: $0) } }
        } ?? []
        if dense.isEmpty {
            return try await hits(bm25(terms, storeIDs: storeIDs, versions: versions, fileIDs: fileIDs, limit: limit))
        }
        let lexical = try await bm25(terms, storeIDs: storeIDs, versions: versions, fileIDs: fileIDs, limit: max(limit, Self.fusionDepth))
        var fused: [Int64: Double] = [:]
        for (rank, id) in lexical.map(\.id).enumerated() { fused[id, default: 0] += 1 / (Self.rrfK + Double(rank + 1)) }
        for (rank, id) in dense.map(\.chunkID).enumerated() { fused[id, default: 0] += 1 / (Self.rrfK + Double(rank + 1)) }
        let best = fused.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(limit)
        return try await hits(best.map { ($0.key, $0.value / (2 / (Self.rrfK + 1))) })
    }

    // MARK: - Writes

    /// Commits the change, then applies it to the store's lexicon if one is held (or being loaded):
    /// tokenised after the commit, outside any lock, so the store's searches go on meanwhile.
    private func replace(_ storeID: String, removing: Set<String>, adding files: [IndexedFile]) async throws(SearchIndexError) {
        let ended = lexicons.beginWrite(storeID)
        defer { ended() }
        let change = try await Self.wrap { try await storage.replace(storeID: storeID, removing: removing, adding: files) }
        vectorCache.invalidate(storeID)
        guard lexicons.isHeld(storeID) else { return }
        // Should tokenising fail, the lexicon is dropped, to be loaded again by the next search.
        guard let documents = try? Lexicon.documents(change.added) else { return lexicons.invalidate(storeID) }
        lexicons.apply(storeID, version: change.version) { $0.apply(removing: removing, adding: documents) }
    }

    // MARK: - Ranking

    /// Chunk ids by BM25, best first, with the normalised score.
    private func bm25(
        _ terms: [String], storeIDs: [String], versions: [String: Int64], fileIDs: Set<String>?, limit: Int
    ) async throws(SearchIndexError) -> [(id: Int64, score: Double)] {
        guard !terms.isEmpty else { return [] }
        var stores: [Lexicon] = []
        for storeID in storeIDs { stores.append(try await lexicon(storeID, atLeast: versions[storeID] ?? 0)) }
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

    /// A snapshot of a store's lexicon at `version` or later, loaded first if need be.
    private func lexicon(_ storeID: String, atLeast version: Int64) async throws(SearchIndexError) -> Lexicon {
        try await Self.wrap {
            try await lexicons.value(storeID, atLeast: version) { [storage] in
                let built = LexiconBuilder()
                let loaded = try await storage.loadChunks(storeID: storeID) { chunks in
                    let documents = try Lexicon.documents(chunks)
                    built.lexicon.withLock { lexicon in for document in documents { lexicon.add(document) } }
                }
                return (built.lexicon.withLock { $0 }, loaded)
            }
        }
    }

    /// Chunk ids by cosine similarity over the stores' embeddings. Empty when no store has any.
    private func nearest(
        _ embedding: [Float], storeIDs: [String], versions: [String: Int64], fileIDs: Set<String>?, limit: Int
    ) async throws(SearchIndexError) -> [(chunkID: Int64, similarity: Float)] {
        var results: [(chunkID: Int64, similarity: Float)] = []
        for storeID in storeIDs {
            let stored = try await vectors(storeID, atLeast: versions[storeID] ?? 0)
            guard !stored.chunkIDs.isEmpty else { continue }
            guard stored.dimensions == embedding.count else {
                throw .invalidEmbeddings("Query embedding has \(embedding.count) dimensions; store \(storeID) has \(stored.dimensions).")
            }
            results += stored.nearest(embedding, limit: limit) { fileIDs?.contains($0) ?? true }
        }
        return Array(results.sorted { $0.similarity > $1.similarity }.prefix(limit))
    }

    private func vectors(_ storeID: String, atLeast version: Int64) async throws(SearchIndexError) -> StoreVectors {
        try await Self.wrap {
            try await vectorCache.value(storeID, atLeast: version) { [storage] in
                let (loaded, rows) = try await storage.loadEmbeddings(storeID: storeID)
                let dimensions = rows.first?.vector.count ?? 0
                // A store whose files were embedded with different models cannot be compared; use the first.
                let entries = rows.filter { $0.vector.count == dimensions }.map { (chunkID: $0.chunkID, fileID: $0.fileID, vector: $0.vector) }
                return (StoreVectors(rows: entries, dimensions: dimensions), loaded)
            }
        }
    }

    // MARK: - Rows

    /// The hits for ranked chunk ids, in the given order; text is read only for these.
    private func hits(_ ranked: [(id: Int64, score: Double)]) async throws(SearchIndexError) -> [SearchHit] {
        guard !ranked.isEmpty else { return [] }
        let records = try await Self.wrap { try await storage.chunks(ids: ranked.map(\.id)) }
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ranked.compactMap { id, score in
            byID[id].map { record in
                SearchHit(
                    fileID: record.fileID, filename: record.filename, text: record.text, start: record.start, end: record.end,
                    score: min(1, max(0, score)))
            }
        }
    }

    private static func wrap<T>(_ body: () throws -> T) throws(SearchIndexError) -> T {
        do {
            return try body()
        } catch let error as SearchIndexError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    private static func wrap<T>(_ body: () async throws -> T) async throws(SearchIndexError) -> T {
        do {
            return try await body()
        } catch let error as SearchIndexError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }
}

/// A lexicon being loaded, batch by batch (one batch at a time: the lock is never contended).
private final class LexiconBuilder: Sendable {
    let lexicon = Mutex(Lexicon())
}
