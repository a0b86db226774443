import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

extension SQLiteStore {
    // MARK: Vector stores

    public func createVectorStore(_ vectorStore: VectorStore, files: [VectorStoreFile]) async throws {
        try await write { db in
            try db.insertRow(StoredTable.vectorStore, id: vectorStore.id, body: vectorStore, columns: ["expires_at": vectorStore.expiresAt])
            for file in files { try db.saveVectorStoreFile(file, batchID: nil) }
        }
    }

    public func vectorStore(id: String, counted: Bool) async throws -> VectorStore? {
        try await read { db in
            let stored: VectorStore? = try db.body(StoredTable.vectorStore, id: id)
            return try counted ? stored.map { try db.derived($0) } : stored
        }
    }

    public func listVectorStores(_ query: ListQuery) async throws -> ListPage<VectorStore> {
        try await read { db in
            var page: ListPage<VectorStore> = try db.page(StoredTable.vectorStore, query: query)
            page.data = try page.data.map { try db.derived($0) }
            return page
        }
    }

    public func updateVectorStore(id: String, _ change: @escaping @Sendable (inout VectorStore) throws -> Void) async throws -> VectorStore? {
        try await write { db in
            guard let store: VectorStore = try db.update(StoredTable.vectorStore, id: id, change) else { return nil }
            try db.execute(sql: "UPDATE vector_store SET expires_at = ? WHERE id = ?", arguments: [store.expiresAt, id])
            return try db.derived(store)
        }
    }

    public func deleteVectorStore(id: String) async throws -> Bool {
        try await write { db in
            guard try db.tombstone(StoredTable.vectorStore, id: id) else { return false }
            try db.execute(sql: "UPDATE vector_store_file SET body = NULL WHERE store_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE file_batch SET body = NULL WHERE store_id = ?", arguments: [id])
            return true
        }
    }

    public func expireVectorStores(now: Int) async throws -> [String] {
        try await write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM vector_store WHERE expires_at IS NOT NULL AND expires_at <= ? AND body IS NOT NULL",
                arguments: [now])
            for id in ids {
                let _: VectorStore? = try db.update(StoredTable.vectorStore, id: id) { $0.status = .expired }
                // Expired stays expired: no later activity revives it.
                try db.execute(sql: "UPDATE vector_store SET expires_at = NULL WHERE id = ?", arguments: [id])
            }
            return ids
        }
    }

    // MARK: Vector store files

    public func addVectorStoreFiles(_ files: [VectorStoreFile], batch: VectorStoreFileBatch?) async throws {
        try await write { db in
            for storeID in Set(files.map(\.vectorStoreID) + [batch?.vectorStoreID].compactMap { $0 }) {
                guard try db.exists(StoredTable.vectorStore, id: storeID) else { throw StoreError.notFound(.vectorStore, id: storeID) }
            }
            if let batch {
                try db.insertRow(StoredTable.fileBatch, id: batch.id, body: batch, columns: ["store_id": batch.vectorStoreID])
            }
            for file in files { try db.saveVectorStoreFile(file, batchID: batch?.id) }
        }
    }

    public func vectorStoreFile(id: String, storeID: String) async throws -> VectorStoreFile? {
        try await read { db in try db.body(StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(storeID, id)) }
    }

    public func listVectorStoreFiles(
        storeID: String, batchID: String?, status: VectorStoreFile.Status?, _ query: ListQuery
    ) async throws -> ListPage<VectorStoreFile> {
        // Cursors are file ids; rows are keyed by store and file.
        let rowQuery = query.vectorStoreFileRows(of: storeID)
        return try await read { [rowQuery] db in
            var filters: Database.Filters = []
            if let batchID { filters.append(("batch_id", batchID)) }
            if let status { filters.append(("status", status.rawValue)) }
            do {
                return try db.page(StoredTable.vectorStoreFile, scope: [("store_id", storeID)], filters: filters, query: rowQuery)
            } catch StoreError.unknownCursor(let param, _) {
                throw StoreError.unknownCursor(param: param, id: (param == "after" ? query.after : query.before) ?? "")
            }
        }
    }

    public func allVectorStoreFiles(storeIDs: [String]) async throws -> [VectorStoreFile] {
        guard !storeIDs.isEmpty else { return [] }
        return try await read { db in
            try Data.fetchAll(
                db, sql: """
                    SELECT body FROM vector_store_file WHERE body IS NOT NULL
                    AND store_id IN (\(databaseQuestionMarks(count: storeIDs.count))) ORDER BY seq
                    """,
                arguments: StatementArguments(storeIDs)
            ).map { try JSONDecoder().decode(VectorStoreFile.self, from: $0) }
        }
    }

    public func vectorStoreFiles(ids: [String], storeIDs: [String]) async throws -> [VectorStoreFile] {
        let rowIDs = storeIDs.flatMap { storeID in ids.map { StoredTable.vectorStoreFileRow(storeID, $0) } }
        guard !rowIDs.isEmpty else { return [] }
        return try await read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM vector_store_file WHERE body IS NOT NULL AND id IN (\(databaseQuestionMarks(count: rowIDs.count)))",
                arguments: StatementArguments(rowIDs)
            ).map { try JSONDecoder().decode(VectorStoreFile.self, from: $0) }
        }
    }

    public func updateVectorStoreFile(
        id: String, storeID: String, _ change: @escaping @Sendable (inout VectorStoreFile) throws -> Void
    ) async throws -> VectorStoreFile? {
        try await write { db in
            let rowID = StoredTable.vectorStoreFileRow(storeID, id)
            guard let file: VectorStoreFile = try db.update(StoredTable.vectorStoreFile, id: rowID, change) else { return nil }
            try db.execute(
                sql: "UPDATE vector_store_file SET status = ?, usage_bytes = ? WHERE id = ?",
                arguments: [file.status.rawValue, file.usageBytes, rowID])
            return file
        }
    }

    public func deleteVectorStoreFile(id: String, storeID: String) async throws -> Bool {
        try await write { db in try db.tombstone(StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(storeID, id)) }
    }

    public func pendingVectorStoreFiles(limit: Int) async throws -> [VectorStoreFile] {
        try await read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM vector_store_file WHERE status = 'in_progress' AND body IS NOT NULL ORDER BY seq LIMIT ?",
                arguments: [limit]
            ).map { try JSONDecoder().decode(VectorStoreFile.self, from: $0) }
        }
    }

    public func vectorStoreIDs(containingFile fileID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT store_id FROM vector_store_file WHERE file_id = ? AND body IS NOT NULL ORDER BY seq", arguments: [fileID])
        }
    }

    // MARK: File batches

    public func fileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch? {
        try await read { db in
            try db.body(StoredTable.fileBatch, id: id, filters: [("store_id", storeID)]).map { try db.derived($0) }
        }
    }

    public func cancelFileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch? {
        try await write { db in
            guard let stored: VectorStoreFileBatch = try db.body(StoredTable.fileBatch, id: id, filters: [("store_id", storeID)]) else { return nil }
            // Only a batch still at work can be cancelled; a finished one stays as it ended.
            guard try db.derived(stored).status == .inProgress else { return try db.derived(stored) }
            let _: VectorStoreFileBatch? = try db.update(StoredTable.fileBatch, id: id) { $0.status = .cancelled }
            let pending = try Data.fetchAll(
                db, sql: "SELECT body FROM vector_store_file WHERE batch_id = ? AND status = 'in_progress' AND body IS NOT NULL",
                arguments: [id]
            ).map { try JSONDecoder().decode(VectorStoreFile.self, from: $0) }
            for var file in pending {
                file.status = .cancelled
                try db.saveVectorStoreFile(file, batchID: id)
            }
            var cancelled = stored
            cancelled.status = .cancelled
            return try db.derived(cancelled)
        }
    }
}

extension Database {
    /// Adds attached files to the thread's `file_search` store, made and named first when the thread names
    /// none; returns the thread as it now is. Part of the caller's transaction.
    @discardableResult
    func attach(_ attachments: ThreadAttachments, toThread threadID: String) throws -> AssistantThread {
        guard var thread: AssistantThread = try body(StoredTable.thread, id: threadID) else { throw StoreError.notFound(.thread, id: threadID) }
        let storeID: String
        if let named = thread.toolResources.fileSearch?.vectorStoreIDs.first {
            guard try exists(StoredTable.vectorStore, id: named) else { throw StoreError.notFound(.vectorStore, id: named) }
            storeID = named
        } else {
            let created = attachments.newStore
            try insertRow(StoredTable.vectorStore, id: created.id, body: created, columns: ["expires_at": created.expiresAt])
            thread = try update(StoredTable.thread, id: threadID) {
                $0.toolResources.fileSearch = ToolResources.FileSearch(vectorStoreIDs: [created.id])
            } ?? thread
            storeID = created.id
        }
        for fileID in attachments.fileIDs {
            try saveVectorStoreFile(VectorStoreFile(id: fileID, createdAt: attachments.createdAt, vectorStoreID: storeID), batchID: nil)
        }
        return thread
    }

    /// Inserts the file row, or replaces it (and its place in its batch) when the file is added again.
    fileprivate func saveVectorStoreFile(_ file: VectorStoreFile, batchID: String?) throws {
        try upsertRow(
            StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(file.vectorStoreID, file.id), body: file,
            columns: [
                "store_id": file.vectorStoreID, "file_id": file.id, "batch_id": batchID, "status": file.status.rawValue,
                "usage_bytes": file.usageBytes,
            ])
    }

    /// The counts and total usage of the live files where `column` is `value`.
    private func fileCounts(where column: String, is value: String) throws -> (counts: FileCounts, usageBytes: Int) {
        let rows = try Row.fetchAll(
            self,
            sql: "SELECT status, COUNT(*), COALESCE(SUM(usage_bytes), 0) FROM vector_store_file WHERE \(column) = ? AND body IS NOT NULL GROUP BY status",
            arguments: [value])
        var counts = [VectorStoreFile.Status: Int]()
        var usage = 0
        for row in rows {
            guard let status = VectorStoreFile.Status(rawValue: row[0]) else { continue }
            counts[status] = row[1]
            usage += row[2] as Int
        }
        return (FileCounts(counts), usage)
    }

    /// The store as stored, with its counts, usage and status from its files.
    fileprivate func derived(_ store: VectorStore) throws -> VectorStore {
        var store = store
        (store.fileCounts, store.usageBytes) = try fileCounts(where: "store_id", is: store.id)
        if store.status != .expired { store.status = store.fileCounts.inProgress > 0 ? .inProgress : .completed }
        return store
    }

    /// The batch with the counts of the files it added; done once none is in progress.
    fileprivate func derived(_ batch: VectorStoreFileBatch) throws -> VectorStoreFileBatch {
        var batch = batch
        batch.fileCounts = try fileCounts(where: "batch_id", is: batch.id).counts
        if batch.status != .cancelled {
            let counts = batch.fileCounts
            batch.status = counts.inProgress > 0 ? .inProgress : counts.total > 0 && counts.failed == counts.total ? .failed : .completed
        }
        return batch
    }
}
