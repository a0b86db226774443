import Foundation
import GRDB

/// Chunk storage whose chunks can be read out, for copying a deployment to another backend: each file's
/// chunks come out as `ChunkStorage.replace` takes them, so the target stores them through its own seam
/// (new chunk ids in the same order, and a store version every node sees change).
public protocol ChunkExport: Sendable {
    /// The stores that have chunks.
    func exportedStores() async throws -> [String]
    /// The files with chunks in the store, in the order their chunks were added.
    func exportedFiles(storeID: String) async throws -> [String]
    /// One file's chunks in the store, in order, with their embeddings when every chunk has one; nil when
    /// it has none.
    func exportedFile(storeID: String, fileID: String) async throws -> IndexedFile?
}

extension SQLiteChunkStorage: ChunkExport {
    public func exportedStores() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT store_id FROM chunk ORDER BY store_id") }
    }

    public func exportedFiles(storeID: String) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(
                db, sql: "SELECT file_id FROM chunk WHERE store_id = ? GROUP BY file_id ORDER BY min(id)", arguments: [storeID])
        }
    }

    public func exportedFile(storeID: String, fileID: String) async throws -> IndexedFile? {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT filename, start, "end", text, embedding FROM chunk WHERE store_id = ? AND file_id = ? ORDER BY id
                """, arguments: [storeID, fileID])
            guard let first = rows.first else { return nil }
            // The token count is not stored: storage and search never read it.
            let chunks = rows.map { Chunk(text: $0["text"], start: $0["start"], end: $0["end"], tokenCount: 0) }
            let blobs = rows.compactMap { $0["embedding"] as Data? }
            let embeddings = blobs.count == rows.count ? blobs.map(Vectors.vector) : nil
            return IndexedFile(fileID: fileID, filename: first["filename"], chunks: chunks, embeddings: embeddings)
        }
    }
}
