import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresNIO

extension PostgresStore {
    // MARK: Vector stores

    public func createVectorStore(_ vectorStore: VectorStore, files: [VectorStoreFile]) async throws {
        try await write { rows in
            try await rows.lockLists([Rows.list(StoredTable.vectorStore), Rows.list(StoredTable.vectorStoreFile, vectorStore.id)])
            try await rows.insert(StoredTable.vectorStore, id: vectorStore.id, body: vectorStore, numbers: [("expires_at", vectorStore.expiresAt)])
            for file in files { try await rows.saveVectorStoreFile(file, batchID: nil) }
        }
    }

    public func vectorStore(id: String, counted: Bool) async throws -> VectorStore? {
        guard counted else { return try await read { rows in try await rows.body(StoredTable.vectorStore, id: id) } }
        return try await snapshot { rows in
            guard let store: VectorStore = try await rows.body(StoredTable.vectorStore, id: id) else { return nil }
            return try await rows.derived(store)
        }
    }

    public func listVectorStores(_ query: ListQuery) async throws -> ListPage<VectorStore> {
        try await snapshot { rows in
            var page: ListPage<VectorStore> = try await rows.page(StoredTable.vectorStore, query: query)
            var derived: [VectorStore] = []
            for store in page.data { derived.append(try await rows.derived(store)) }
            page.data = derived
            return page
        }
    }

    public func updateVectorStore(id: String, _ change: @escaping @Sendable (inout VectorStore) throws -> Void) async throws -> VectorStore? {
        try await write { rows in
            guard let store: VectorStore = try await rows.update(StoredTable.vectorStore, id: id, change) else { return nil }
            try await rows.execute("UPDATE vector_store SET expires_at = \(store.expiresAt) WHERE id = \(id)")
            return try await rows.derived(store)
        }
    }

    public func deleteVectorStore(id: String) async throws -> Bool {
        try await write { rows in
            guard try await rows.tombstone(StoredTable.vectorStore, id: id) else { return false }
            try await rows.execute("UPDATE vector_store_file SET body = NULL WHERE store_id = \(id)")
            try await rows.execute("UPDATE file_batch SET body = NULL WHERE store_id = \(id)")
            return true
        }
    }

    public func expireVectorStores(now: Int) async throws -> [String] {
        try await write { rows in
            // Under the row locks a second node expiring at once re-reads `expires_at`, finds it cleared and
            // skips the store: each store expires once.
            let ids = try await rows.strings("""
                SELECT id FROM vector_store WHERE expires_at IS NOT NULL AND expires_at <= \(now) AND body IS NOT NULL
                ORDER BY seq FOR UPDATE
                """)
            for id in ids {
                let _: VectorStore? = try await rows.update(StoredTable.vectorStore, id: id) { $0.status = .expired }
                // Expired stays expired: no later activity revives it.
                try await rows.execute("UPDATE vector_store SET expires_at = NULL WHERE id = \(id)")
            }
            return ids
        }
    }

    // MARK: Vector store files

    public func addVectorStoreFiles(_ files: [VectorStoreFile], batch: VectorStoreFileBatch?) async throws {
        try await write { rows in
            let storeIDs = Set(files.map(\.vectorStoreID) + [batch?.vectorStoreID].compactMap { $0 })
            // Locked, so that a store deleted meanwhile cannot end up with live files. (The row lock also
            // queues batches added to one store; the list lock below is what ordering relies on.)
            for storeID in storeIDs.sorted() {
                guard try await rows.exists(StoredTable.vectorStore, id: storeID, forUpdate: true) else {
                    throw StoreError.notFound(.vectorStore, id: storeID)
                }
            }
            try await rows.lockLists(storeIDs.map { Rows.list(StoredTable.vectorStoreFile, $0) })
            if let batch {
                try await rows.insert(StoredTable.fileBatch, id: batch.id, body: batch, columns: [("store_id", batch.vectorStoreID)])
            }
            for file in files { try await rows.saveVectorStoreFile(file, batchID: batch?.id) }
        }
    }

    public func vectorStoreFile(id: String, storeID: String) async throws -> VectorStoreFile? {
        try await read { rows in try await rows.body(StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(storeID, id)) }
    }

    public func listVectorStoreFiles(
        storeID: String, batchID: String?, status: VectorStoreFile.Status?, _ query: ListQuery
    ) async throws -> ListPage<VectorStoreFile> {
        // Cursors are file ids; rows are keyed by store and file.
        let rowQuery = query.vectorStoreFileRows(of: storeID)
        return try await read { [rowQuery] rows in
            var filters: Filters = []
            if let batchID { filters.append(("batch_id", batchID)) }
            if let status { filters.append(("status", status.rawValue)) }
            do {
                return try await rows.page(StoredTable.vectorStoreFile, scope: [("store_id", storeID)], filters: filters, query: rowQuery)
            } catch StoreError.unknownCursor(let param, _) {
                throw StoreError.unknownCursor(param: param, id: (param == "after" ? query.after : query.before) ?? "")
            }
        }
    }

    public func allVectorStoreFiles(storeIDs: [String]) async throws -> [VectorStoreFile] {
        guard !storeIDs.isEmpty else { return [] }
        return try await read { rows in
            try await rows.bodies("""
                SELECT body::text FROM vector_store_file WHERE body IS NOT NULL AND store_id = ANY(\(storeIDs)) ORDER BY seq
                """)
        }
    }

    public func vectorStoreFiles(ids: [String], storeIDs: [String]) async throws -> [VectorStoreFile] {
        let rowIDs = storeIDs.flatMap { storeID in ids.map { StoredTable.vectorStoreFileRow(storeID, $0) } }
        guard !rowIDs.isEmpty else { return [] }
        return try await read { rows in
            try await rows.bodies("SELECT body::text FROM vector_store_file WHERE body IS NOT NULL AND id = ANY(\(rowIDs))")
        }
    }

    public func updateVectorStoreFile(
        id: String, storeID: String, _ change: @escaping @Sendable (inout VectorStoreFile) throws -> Void
    ) async throws -> VectorStoreFile? {
        try await write { rows in
            let rowID = StoredTable.vectorStoreFileRow(storeID, id)
            return try await rows.update(
                StoredTable.vectorStoreFile, id: rowID, columns: { [("status", $0.status.rawValue), ("usage_bytes", $0.usageBytes)] }, change)
        }
    }

    public func deleteVectorStoreFile(id: String, storeID: String) async throws -> Bool {
        try await write { rows in try await rows.tombstone(StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(storeID, id)) }
    }

    public func pendingVectorStoreFiles(limit: Int) async throws -> [VectorStoreFile] {
        try await read { rows in
            try await rows.bodies("""
                SELECT body::text FROM vector_store_file WHERE status = 'in_progress' AND body IS NOT NULL ORDER BY seq LIMIT \(limit)
                """)
        }
    }

    public func vectorStoreIDs(containingFile fileID: String) async throws -> [String] {
        try await read { rows in
            try await rows.strings("SELECT store_id FROM vector_store_file WHERE file_id = \(fileID) AND body IS NOT NULL ORDER BY seq")
        }
    }

    // MARK: File batches

    public func fileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch? {
        try await snapshot { rows in
            guard let batch: VectorStoreFileBatch = try await rows.body(StoredTable.fileBatch, id: id, filters: [("store_id", storeID)]) else {
                return nil
            }
            return try await rows.derived(batch)
        }
    }

    public func cancelFileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch? {
        try await write { rows in
            guard let stored: VectorStoreFileBatch = try await rows.body(StoredTable.fileBatch, id: id, filters: [("store_id", storeID)], forUpdate: true)
            else { return nil }
            // Only a batch still at work can be cancelled; a finished one stays as it ended.
            guard try await rows.derived(stored).status == .inProgress else { return try await rows.derived(stored) }
            let _: VectorStoreFileBatch? = try await rows.update(StoredTable.fileBatch, id: id) { $0.status = .cancelled }
            let pending: [VectorStoreFile] = try await rows.bodies("""
                SELECT body::text FROM vector_store_file WHERE batch_id = \(id) AND status = 'in_progress' AND body IS NOT NULL
                ORDER BY seq FOR UPDATE
                """)
            for var file in pending {
                file.status = .cancelled
                try await rows.saveVectorStoreFile(file, batchID: id)
            }
            var cancelled = stored
            cancelled.status = .cancelled
            return try await rows.derived(cancelled)
        }
    }
}

extension Rows {
    /// Adds attached files to the thread's `file_search` store, made and named first when the thread names
    /// none; returns the thread as it now is. Part of the caller's transaction; the thread's row lock makes
    /// concurrent callers agree on one store.
    @discardableResult
    func attach(_ attachments: ThreadAttachments, toThread threadID: String) async throws -> AssistantThread {
        guard var thread: AssistantThread = try await body(StoredTable.thread, id: threadID, forUpdate: true) else {
            throw StoreError.notFound(.thread, id: threadID)
        }
        let storeID: String
        if let named = thread.toolResources.fileSearch?.vectorStoreIDs.first {
            guard try await exists(StoredTable.vectorStore, id: named, forUpdate: true) else { throw StoreError.notFound(.vectorStore, id: named) }
            storeID = named
        } else {
            let created = attachments.newStore
            try await lockLists([Rows.list(StoredTable.vectorStore)])
            try await insert(StoredTable.vectorStore, id: created.id, body: created, numbers: [("expires_at", created.expiresAt)])
            thread = try await update(StoredTable.thread, id: threadID) {
                $0.toolResources.fileSearch = ToolResources.FileSearch(vectorStoreIDs: [created.id])
            } ?? thread
            storeID = created.id
        }
        try await lockLists([Rows.list(StoredTable.vectorStoreFile, storeID)])
        for fileID in attachments.fileIDs {
            try await saveVectorStoreFile(VectorStoreFile(id: fileID, createdAt: attachments.createdAt, vectorStoreID: storeID), batchID: nil)
        }
        return thread
    }

    /// Inserts the file row, or replaces it (and its place in its batch) when the file is added again. The
    /// caller holds the store's file list lock when the row may be new.
    fileprivate func saveVectorStoreFile(_ file: VectorStoreFile, batchID: String?) async throws {
        try await upsert(
            StoredTable.vectorStoreFile, id: StoredTable.vectorStoreFileRow(file.vectorStoreID, file.id), body: file,
            columns: [("store_id", file.vectorStoreID), ("file_id", file.id), ("batch_id", batchID), ("status", file.status.rawValue)],
            numbers: [("usage_bytes", file.usageBytes)])
    }

    /// The counts and total usage of the live files where `column` (a constant) is `value`.
    private func fileCounts(where column: String, is value: String) async throws -> (counts: FileCounts, usageBytes: Int) {
        var sql = SQL("SELECT status, COUNT(*)::bigint, COALESCE(SUM(usage_bytes), 0)::bigint FROM vector_store_file WHERE ")
        sql.appendLive([(column, value)])
        sql.append(" GROUP BY status")
        var counts = [VectorStoreFile.Status: Int]()
        var usage = 0
        for row in try await execute(sql.query) {
            let (status, count, bytes) = try row.decode((String, Int, Int).self)
            guard let status = VectorStoreFile.Status(rawValue: status) else { continue }
            counts[status] = count
            usage += bytes
        }
        return (FileCounts(counts), usage)
    }

    /// The store as stored, with its counts, usage and status from its files.
    fileprivate func derived(_ store: VectorStore) async throws -> VectorStore {
        var store = store
        (store.fileCounts, store.usageBytes) = try await fileCounts(where: "store_id", is: store.id)
        if store.status != .expired { store.status = store.fileCounts.inProgress > 0 ? .inProgress : .completed }
        return store
    }

    /// The batch with the counts of the files it added; done once none is in progress.
    fileprivate func derived(_ batch: VectorStoreFileBatch) async throws -> VectorStoreFileBatch {
        var batch = batch
        batch.fileCounts = try await fileCounts(where: "batch_id", is: batch.id).counts
        if batch.status != .cancelled {
            let counts = batch.fileCounts
            batch.status = counts.inProgress > 0 ? .inProgress : counts.total > 0 && counts.failed == counts.total ? .failed : .completed
        }
        return batch
    }
}
