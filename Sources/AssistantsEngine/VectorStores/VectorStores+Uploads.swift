import AssistantsAPI
import AssistantsStore

/// Deleting uploads. `DELETE /files/{id}` and expiry both go through `deleteUploadedFile`, so an upload
/// that expires leaves its vector stores, their counts and the search index exactly as a deleted one does.
extension VectorStores {
    /// Deletes an uploaded file: its record, its place in every vector store, its chunks in the search
    /// index and its bytes. False when there is no such file.
    public func deleteUploadedFile(_ fileID: String) async throws -> Bool {
        let storeIDs = try await store.vectorStoreIDs(containingFile: fileID)
        guard try await store.deleteFile(id: fileID) else { return false }
        for storeID in storeIDs { try await index.remove(storeID: storeID, fileID: fileID) }
        try await blobs.delete(id: fileID)
        return true
    }

    /// Deletes the uploads whose `expires_at` is at or before `now`, as `deleteUploadedFile` does, and
    /// returns their ids.
    public func deleteExpiredFiles(now: Int) async throws -> [String] {
        var deleted: [String] = []
        for id in try await store.expiredFiles(now: now) {
            if try await deleteUploadedFile(id) { deleted.append(id) }
        }
        return deleted
    }
}
