import AssistantsStore
import Foundation
import NIOCore
import PostgresNIO

/// Blobs in PostgreSQL, so that every node reads every file: a `blob` row with the size, and the bytes in
/// `blob_chunk` rows of `chunkSize` bytes numbered from 0 (migration 4). Neither direction ever holds more
/// than a chunk of a blob in memory.
///
/// `commit` streams the staging file into one transaction, a chunk per statement, so a blob is visible
/// completely or not at all: a node dying mid-commit, a cancelled task or a staging file that changes leave
/// nothing behind. Reads fetch one chunk per query, each on a pooled connection only while it runs, so a slow
/// download holds no connection. Deleting the `blob` row deletes its chunks (`ON DELETE CASCADE`).
///
/// Staging and local copies live in this process's own `StagingDirectory` on local disk: they are never
/// shared, and a node starting removes only what ended processes left.
public struct PostgresBlobStore: BlobStore {
    let store: PostgresStore
    private let staging: StagingDirectory
    /// The bytes in one `blob_chunk` row, and so the most a reader or a commit holds at once.
    let chunkSize: Int
    /// Called after each chunk a commit writes, with its number and size, inside the transaction; what
    /// it throws fails the commit. The tests use it to watch and to fail commits midway.
    let afterChunk: (@Sendable (_ seq: Int, _ bytes: Int) async throws -> Void)?

    /// Blobs in `store`'s database, staged under `stagingBase` on this node's disk.
    public init(store: PostgresStore, stagingBase: URL, chunkSize: Int = 512 << 10) throws {
        try self.init(store: store, stagingBase: stagingBase, chunkSize: chunkSize, afterChunk: nil)
    }

    init(
        store: PostgresStore, stagingBase: URL, chunkSize: Int,
        afterChunk: (@Sendable (_ seq: Int, _ bytes: Int) async throws -> Void)?
    ) throws {
        precondition(chunkSize > 0)
        self.store = store
        self.staging = try StagingDirectory(base: stagingBase)
        self.chunkSize = chunkSize
        self.afterChunk = afterChunk
    }

    public func makeStagingFile() throws -> URL {
        try staging.makeFile()
    }

    public func commit(_ staged: URL, as id: String) async throws {
        guard BlobID.isValid(id) else { throw BlobStoreError.invalidID(id) }
        let file = try await BlobFile.open(staged)
        let size = try file.size()
        try await store.write { rows in
            // A second commit of one id fails here, on the primary key.
            try await rows.execute("INSERT INTO blob (id, size) VALUES (\(id), \(size))")
            var offset = 0
            var seq = 0
            while offset < size {
                try Task.checkCancellation()
                let chunk = try await file.read(at: offset, upTo: min(chunkSize, size - offset))
                guard chunk.readableBytes > 0 else { throw BlobStoreError.stagingFileChanged(id) }
                try await rows.execute("INSERT INTO blob_chunk (blob_id, seq, data) VALUES (\(id), \(seq), \(chunk))")
                offset += chunk.readableBytes
                try await afterChunk?(seq, chunk.readableBytes)
                seq += 1
            }
            try Task.checkCancellation()
            // Grown since it was measured: what was stored is not the file.
            guard try file.size() == size else { throw BlobStoreError.stagingFileChanged(id) }
        }
        discard(staged)
    }

    public func discard(_ staged: URL) {
        try? FileManager.default.removeItem(at: staged)
    }

    public func contents(of id: String) async throws -> BlobContents? {
        guard BlobID.isValid(id) else { return nil }
        let size = try await store.read { rows in
            try await rows.execute("SELECT size FROM blob WHERE id = \(id)").first?.decode(Int.self)
        }
        guard let size else { return nil }
        let store = store
        return BlobContents(id: id, size: size) { index, _ in
            try await store.read { rows in
                try await rows.execute("SELECT data FROM blob_chunk WHERE blob_id = \(id) AND seq = \(index)").first?.decode(ByteBuffer.self)
            }
        }
    }

    /// A copy in this process's staging directory, written a chunk at a time and removed afterwards.
    public func withLocalFile<Result: Sendable>(_ id: String, _ body: @Sendable (URL) async throws -> Result) async throws -> Result? {
        guard let contents = try await contents(of: id) else { return nil }
        let copy = staging.url.appendingPathComponent("copy-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: copy) }
        try await contents.write(to: copy)
        return try await body(copy)
    }

    public func delete(id: String) async throws {
        guard BlobID.isValid(id) else { return }
        try await store.write { rows in _ = try await rows.execute("DELETE FROM blob WHERE id = \(id)") }
    }
}
