import Foundation
import PostgresNIO
import Retrieval

/// The chunks and embeddings of every vector store in PostgreSQL, shared by every node on the database,
/// so that each node's `SearchIndex` builds its in-memory structures from the same rows.
///
/// `chunk_store` holds each store's version. A change takes the store's row first (an upsert that raises
/// the version), so changes to one store commit one at a time in version order, and the version committed
/// with them is the one a reader sees with them. Loads read the version and the rows in one snapshot.
///
/// Embeddings are `bytea`, little-endian float32, as in the SQLite file: loading a store's vectors is a
/// copy rather than a parse of `real[]` text or arrays.
public final class PostgresChunkStorage: ChunkStorage {
    let store: PostgresStore

    /// Chunk storage on `store`'s database and schema, through its connection pool.
    public init(store: PostgresStore) {
        self.store = store
    }

    public func replace(storeID: String, removing: Set<String>, adding files: [IndexedFile]) async throws -> ChunkChange {
        let count = files.reduce(0) { $0 + $1.chunks.count }
        return try await store.write { rows in
            let version = try await rows.execute("""
                INSERT INTO chunk_store (store_id, version) VALUES (\(storeID), 1)
                ON CONFLICT (store_id) DO UPDATE SET version = chunk_store.version + 1 RETURNING version
                """)[0].decode(Int64.self)
            if !removing.isEmpty {
                try await rows.execute("DELETE FROM chunk WHERE store_id = \(storeID) AND file_id = ANY(\(Array(removing)))")
            }
            guard count > 0 else { return ChunkChange(version: version, added: []) }
            // Ids taken first, so each inserted chunk's id is known without relying on RETURNING's order.
            let ids = try await rows.execute("SELECT nextval('chunk_id') FROM generate_series(1, \(count))")
                .map { try $0.decode(Int64.self) }.sorted()
            var fileIDs: [String] = [], filenames: [String] = [], starts: [Int64] = [], ends: [Int64] = [], texts: [String] = []
            var embeddings: [ByteBuffer] = []
            var added: [StoredChunk] = []
            for file in files {
                for (index, chunk) in file.chunks.enumerated() {
                    fileIDs.append(file.fileID)
                    filenames.append(file.filename)
                    starts.append(Int64(chunk.start))
                    ends.append(Int64(chunk.end))
                    texts.append(chunk.text)
                    embeddings.append(file.embeddings.map { Self.blob($0[index]) } ?? ByteBuffer())
                    added.append(StoredChunk(id: ids[added.count], fileID: file.fileID, text: chunk.text))
                }
            }
            // One statement per batch; an empty blob is no embedding (arrays cannot hold NULLs here).
            try await rows.execute("""
                INSERT INTO chunk (id, store_id, file_id, filename, start, "end", text, embedding)
                SELECT u.id, \(storeID), u.file_id, u.filename, u.start, u.end, u.text, NULLIF(u.embedding, ''::bytea)
                FROM unnest(\(ids)::bigint[], \(fileIDs)::text[], \(filenames)::text[], \(starts)::bigint[], \(ends)::bigint[],
                            \(texts)::text[], \(embeddings)::bytea[]) AS u(id, file_id, filename, start, "end", text, embedding)
                """)
            return ChunkChange(version: version, added: added)
        }
    }

    public func removeStore(_ storeID: String) async throws -> Int64 {
        try await store.write { rows in
            let version = try await rows.execute("""
                INSERT INTO chunk_store (store_id, version) VALUES (\(storeID), 1)
                ON CONFLICT (store_id) DO UPDATE SET version = chunk_store.version + 1 RETURNING version
                """)[0].decode(Int64.self)
            try await rows.execute("DELETE FROM chunk WHERE store_id = \(storeID)")
            return version
        }
    }

    public func versions(of storeIDs: [String]) async throws -> [String: Int64] {
        let found = try await store.read { rows in
            try await rows.execute("SELECT store_id, version FROM chunk_store WHERE store_id = ANY(\(storeIDs))")
                .map { try $0.decode((String, Int64).self) }
        }
        var versions = Dictionary(uniqueKeysWithValues: Set(storeIDs).map { ($0, Int64(0)) })
        for (storeID, version) in found { versions[storeID] = version }
        return versions
    }

    /// Streamed, in one read-only snapshot with the version.
    public func loadChunks(storeID: String, _ body: @escaping @Sendable ([StoredChunk]) throws -> Void) async throws -> Int64 {
        try await store.snapshot { rows in
            let version = try await Self.version(storeID, rows)
            var batches = ChunkBatches(body)
            for try await row in try await rows.connection.query(
                "SELECT id, file_id, text FROM chunk WHERE store_id = \(storeID)", logger: rows.logger)
            {
                let (id, fileID, text) = try row.decode((Int64, String, String).self)
                try batches.append(StoredChunk(id: id, fileID: fileID, text: text))
            }
            try batches.finish()
            return version
        }
    }

    public func loadEmbeddings(storeID: String) async throws -> (version: Int64, rows: [StoredEmbedding]) {
        try await store.snapshot { rows in
            let version = try await Self.version(storeID, rows)
            var embeddings: [StoredEmbedding] = []
            for try await row in try await rows.connection.query(
                "SELECT id, file_id, embedding FROM chunk WHERE store_id = \(storeID) AND embedding IS NOT NULL ORDER BY id",
                logger: rows.logger)
            {
                let (id, fileID, blob) = try row.decode((Int64, String, ByteBuffer).self)
                embeddings.append(StoredEmbedding(chunkID: id, fileID: fileID, vector: Self.vector(blob)))
            }
            return (version, embeddings)
        }
    }

    public func chunks(ids: [Int64]) async throws -> [ChunkRecord] {
        guard !ids.isEmpty else { return [] }
        return try await store.read { rows in
            try await rows.execute("""
                SELECT id, file_id, filename, start, "end", text FROM chunk WHERE id = ANY(\(ids))
                """).map { row in
                let (id, fileID, filename, start, end, text) = try row.decode((Int64, String, String, Int64, Int64, String).self)
                return ChunkRecord(id: id, fileID: fileID, filename: filename, start: Int(start), end: Int(end), text: text)
            }
        }
    }

    private static func version(_ storeID: String, _ rows: Rows) async throws -> Int64 {
        try await rows.execute("SELECT version FROM chunk_store WHERE store_id = \(storeID)").first?.decode(Int64.self) ?? 0
    }

    static func blob(_ vector: [Float]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(vector.count * 4)
        for value in vector { buffer.writeInteger(value.bitPattern, endianness: .little) }
        return buffer
    }

    static func vector(_ blob: ByteBuffer) -> [Float] {
        var blob = blob
        var vector: [Float] = []
        vector.reserveCapacity(blob.readableBytes / 4)
        while let bits = blob.readInteger(endianness: .little, as: UInt32.self) { vector.append(Float(bitPattern: bits)) }
        return vector
    }
}

extension PostgresStore {
    /// Where vector stores' chunks live with this store: its database, schema and pool.
    public func makeChunkStorage() -> PostgresChunkStorage {
        PostgresChunkStorage(store: self)
    }
}
