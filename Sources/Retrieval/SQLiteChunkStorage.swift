import Foundation
import GRDB
import Synchronization

/// Chunks in a SQLite file of their own, apart from the object store: the storage of a single node.
/// One process, through one instance, must do all the writing to a file: store versions are kept in
/// memory (the lexicons built from them are too), raised under the database's writer.
public final class SQLiteChunkStorage: ChunkStorage {
    let database: any DatabaseWriter
    /// Each store's version; changed only while holding the writer, so it moves in commit order.
    private let storeVersions = Mutex<[String: Int64]>([:])

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

    /// Opens (creating if needed) the database at `path`.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        try self.init(database: try DatabasePool(path: path, configuration: configuration))
    }

    /// A database in memory only, for tests.
    public convenience init() throws {
        try self.init(database: try DatabaseQueue())
    }

    private init(database: any DatabaseWriter) throws {
        try Self.migrator.migrate(database)
        self.database = database
    }

    public func replace(storeID: String, removing: Set<String>, adding files: [IndexedFile]) async throws -> ChunkChange {
        try await database.writeWithoutTransaction { db in
            var added: [StoredChunk] = []
            try db.inTransaction {
                for fileID in removing {
                    try db.execute(sql: "DELETE FROM chunk WHERE store_id = ? AND file_id = ?", arguments: [storeID, fileID])
                }
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO chunk (store_id, file_id, filename, start, "end", text, embedding) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for file in files {
                    for (index, chunk) in file.chunks.enumerated() {
                        let blob = file.embeddings.map { Vectors.blob($0[index]) }
                        try insert.execute(arguments: [storeID, file.fileID, file.filename, chunk.start, chunk.end, chunk.text, blob])
                        added.append(StoredChunk(id: db.lastInsertedRowID, fileID: file.fileID, text: chunk.text))
                    }
                }
                return .commit
            }
            return ChunkChange(version: self.bump(storeID), added: added)
        }
    }

    public func removeStore(_ storeID: String) async throws -> Int64 {
        try await database.writeWithoutTransaction { db in
            try db.execute(sql: "DELETE FROM chunk WHERE store_id = ?", arguments: [storeID])
            return self.bump(storeID)
        }
    }

    /// No query: versions live in memory.
    public func versions(of storeIDs: [String]) async throws -> [String: Int64] {
        storeVersions.withLock { versions in
            Dictionary(uniqueKeysWithValues: Set(storeIDs).map { ($0, versions[$0] ?? 0) })
        }
    }

    /// Read through the writer, so no write falls between the version and the rows.
    public func loadChunks(storeID: String, _ body: @escaping @Sendable ([StoredChunk]) throws -> Void) async throws -> Int64 {
        try await database.writeWithoutTransaction { db in
            let version = self.storeVersions.withLock { $0[storeID] ?? 0 }
            let rows = try Row.fetchCursor(db, sql: "SELECT id, file_id, text FROM chunk WHERE store_id = ? ORDER BY id", arguments: [storeID])
            var batches = ChunkBatches(body)
            while let row = try rows.next() { try batches.append(StoredChunk(id: row[0], fileID: row[1], text: row[2])) }
            try batches.finish()
            return version
        }
    }

    public func loadEmbeddings(storeID: String) async throws -> (version: Int64, rows: [StoredEmbedding]) {
        try await database.writeWithoutTransaction { db in
            let version = self.storeVersions.withLock { $0[storeID] ?? 0 }
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, file_id, embedding FROM chunk WHERE store_id = ? AND embedding IS NOT NULL ORDER BY id",
                arguments: [storeID])
            return (version, rows.map { StoredEmbedding(chunkID: $0[0], fileID: $0[1], vector: Vectors.vector($0[2])) })
        }
    }

    public func chunks(ids: [Int64]) async throws -> [ChunkRecord] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, file_id, filename, start, "end", text FROM chunk WHERE id IN (\(databaseQuestionMarks(count: ids.count)))
                """, arguments: StatementArguments(ids)
            ).map { ChunkRecord(id: $0[0], fileID: $0[1], filename: $0[2], start: $0[3], end: $0[4], text: $0[5]) }
        }
    }

    private func bump(_ storeID: String) -> Int64 {
        storeVersions.withLock { versions in
            let version = (versions[storeID] ?? 0) + 1
            versions[storeID] = version
            return version
        }
    }
}
