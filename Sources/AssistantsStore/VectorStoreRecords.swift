import AssistantsAPI

/// The vector store part of `AssistantsStore`: stores, their files and file batches. Counts, usage
/// and status are derived from the files whenever a store or batch is read, so they are always exact.
public protocol VectorStoreRecords: Sendable {
    // MARK: Vector stores
    /// Creates the store together with its first files, in one transaction.
    func createVectorStore(_ vectorStore: VectorStore, files: [VectorStoreFile]) async throws
    /// The store; `counted: false` skips counting its files, leaving `file_counts` and `usage_bytes` at zero
    /// and `status` as stored (`expired` or not): a check that must not cost a read of every file.
    func vectorStore(id: String, counted: Bool) async throws -> VectorStore?
    func listVectorStores(_ query: ListQuery) async throws -> ListPage<VectorStore>
    func updateVectorStore(id: String, _ change: @escaping @Sendable (inout VectorStore) throws -> Void) async throws -> VectorStore?
    /// Deletes the store with its files and batches.
    func deleteVectorStore(id: String) async throws -> Bool
    /// Marks the stores whose `expires_at` is at or before `now` as expired, and returns their ids.
    func expireVectorStores(now: Int) async throws -> [String]

    // MARK: Vector store files
    /// Adds files to their store (a file added again starts over), with the batch adding them, in one
    /// transaction; throws `StoreError.notFound` when the store does not exist.
    func addVectorStoreFiles(_ files: [VectorStoreFile], batch: VectorStoreFileBatch?) async throws
    func vectorStoreFile(id: String, storeID: String) async throws -> VectorStoreFile?
    func listVectorStoreFiles(
        storeID: String, batchID: String?, status: VectorStoreFile.Status?, _ query: ListQuery
    ) async throws -> ListPage<VectorStoreFile>
    /// Every file of the given stores, oldest first.
    func allVectorStoreFiles(storeIDs: [String]) async throws -> [VectorStoreFile]
    /// The files with these ids in any of the given stores (a file in two stores comes twice), in one read.
    func vectorStoreFiles(ids: [String], storeIDs: [String]) async throws -> [VectorStoreFile]
    func updateVectorStoreFile(
        id: String, storeID: String, _ change: @escaping @Sendable (inout VectorStoreFile) throws -> Void
    ) async throws -> VectorStoreFile?
    func deleteVectorStoreFile(id: String, storeID: String) async throws -> Bool
    /// Files waiting to be ingested, oldest first.
    func pendingVectorStoreFiles(limit: Int) async throws -> [VectorStoreFile]
    /// The stores a file is in.
    func vectorStoreIDs(containingFile fileID: String) async throws -> [String]

    // MARK: File batches
    func fileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch?
    /// Marks the batch cancelled and its files still in progress cancelled; nil when there is no such batch.
    func cancelFileBatch(id: String, storeID: String) async throws -> VectorStoreFileBatch?
}

extension VectorStoreRecords {
    public func vectorStore(id: String) async throws -> VectorStore? {
        try await vectorStore(id: id, counted: true)
    }
}

extension VectorStore: Identifiable {}
extension VectorStoreFile: Identifiable {}
