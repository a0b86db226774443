import AssistantsStore
import Foundation
import NIOCore
import Retrieval

/// Copies a whole deployment from one backend to another, through the stores' seams only: file contents
/// (`BlobStore`), vector stores' chunks (`ChunkExport` into `ChunkStorage`), then every record
/// (`StoredRowsSource` into `StoredRowsTarget`).
///
/// The target must hold no records. The records go last, in one transaction: until it commits the target
/// has none, so a copy that fails anywhere leaves a target that is plainly not a deployment, and running
/// the copy again starts over, replacing the file contents and chunks the failed one left.
struct DeploymentCopy {
    struct Source {
        var rows: any StoredRowsSource
        var blobs: any BlobStore
        /// Nil when the deployment has no chunk storage (it never started a server).
        var chunks: (any ChunkExport)?
    }

    struct Target {
        var rows: any StoredRowsTarget
        var blobs: any BlobStore
        var chunks: any ChunkStorage
    }

    let source: Source
    let target: Target
    /// Told what is being done, a line at a time.
    let progress: @Sendable (String) -> Void
    /// Rows per page read from the source and per insert into the target.
    var pageSize = 200

    func run() async throws -> MigrationSummary {
        let present = try await target.rows.storedRowCounts()
        guard present.isEmpty else { throw MigrationError.targetNotEmpty(present) }
        var summary = MigrationSummary()
        try await copyBlobs(&summary)
        try await copyChunks(&summary)
        try await copyRecords(&summary)
        return summary
    }

    /// The contents of every file that is not deleted, streamed a chunk at a time.
    private func copyBlobs(_ summary: inout MigrationSummary) async throws {
        progress("Copying file contents")
        var position: Int64?
        while true {
            let page = try await source.rows.rows(of: StoredTable.file, after: position, limit: pageSize)
            guard let last = page.last else { break }
            position = last
            for row in page.rows where row.body != nil {
                guard let contents = try await source.blobs.contents(of: row.id) else {
                    summary.missingBlobs.append(row.id)
                    progress("  \(row.id): no contents in the source; its record is copied without them")
                    continue
                }
                // Left by a copy that failed earlier, into a target that has no records to name it.
                try await target.blobs.delete(id: row.id)
                try await target.blobs.write(contents, as: row.id)
                summary.blobs += 1
                summary.blobBytes += contents.size
            }
        }
        progress("  \(summary.blobs) files, \(summary.blobBytes) bytes")
    }

    /// Each store's chunks, a file at a time in the order they were added. The target's `removeStore`
    /// first clears what a failed copy left and, with each `replace`, raises the store's version, so every
    /// node loads the copied chunks.
    private func copyChunks(_ summary: inout MigrationSummary) async throws {
        guard let chunks = source.chunks else {
            progress("No search index in the source: no vector store chunks to copy")
            return
        }
        progress("Copying vector store chunks")
        for storeID in try await chunks.exportedStores() {
            _ = try await target.chunks.removeStore(storeID)
            for fileID in try await chunks.exportedFiles(storeID: storeID) {
                guard let file = try await chunks.exportedFile(storeID: storeID, fileID: fileID) else { continue }
                _ = try await target.chunks.replace(storeID: storeID, removing: [], adding: [file])
                summary.chunks += file.chunks.count
                if file.embeddings != nil { summary.embeddings += file.chunks.count }
            }
            summary.chunkStores += 1
        }
        progress("  \(summary.chunks) chunks (\(summary.embeddings) with embeddings) of \(summary.chunkStores) vector stores")
    }

    private func copyRecords(_ summary: inout MigrationSummary) async throws {
        progress("Copying records")
        var counts: [(table: String, live: Int, deleted: Int)] = []
        try await target.rows.importRows { writer in
            counts = []  // The target may run the transaction again (after a deadlock).
            let present = try await writer.storedRowCounts()
            guard present.isEmpty else { throw MigrationError.targetNotEmpty(present) }
            for table in StoredTables.copied {
                var (live, deleted) = (0, 0)
                var position: Int64?
                while true {
                    let page = try await source.rows.rows(of: table.name, after: position, limit: pageSize)
                    guard let last = page.last else { break }
                    position = last
                    try await writer.insert(page.rows, into: table.name)
                    live += page.rows.count(where: { $0.body != nil })
                    deleted += page.rows.count(where: { $0.body == nil })
                }
                counts.append((table.name, live, deleted))
                progress("  \(table.name): \(live)" + (deleted > 0 ? " (and \(deleted) deleted, kept as list cursors)" : ""))
            }
            progress("Committing")
        }
        summary.records = counts
    }
}

/// What a copy copied.
public struct MigrationSummary: Sendable, CustomStringConvertible {
    /// Per table, in copy order: objects, and deleted objects whose rows stay as list cursors.
    public var records: [(table: String, live: Int, deleted: Int)] = []
    public var blobs = 0
    public var blobBytes = 0
    /// Files whose record has no contents in the source.
    public var missingBlobs: [String] = []
    public var chunkStores = 0
    public var chunks = 0
    public var embeddings = 0

    /// The objects of `table` copied.
    public func count(_ table: String) -> Int {
        records.first { $0.table == table }?.live ?? 0
    }

    public var description: String {
        var lines = ["Copied:"]
        for (table, live, deleted) in records {
            lines.append("  \(table): \(live)" + (deleted > 0 ? " (+\(deleted) deleted)" : ""))
        }
        lines.append("  file contents: \(blobs) files, \(blobBytes) bytes")
        if !missingBlobs.isEmpty { lines.append("  files without contents in the source: \(missingBlobs.joined(separator: ", "))") }
        lines.append("  chunks: \(chunks) (\(embeddings) with embeddings) in \(chunkStores) vector stores")
        return lines.joined(separator: "\n")
    }
}

/// Why a migration did not start or did not finish, in words for the operator.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func targetNotEmpty(_ counts: [String: Int]) -> MigrationError {
        let held = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return MigrationError(
            "The target database already holds records (\(held)): migrate only into an empty database, "
                + "so that nothing there is overwritten or mixed with the copy.")
    }
}
