import AssistantsAPI
import AssistantsEngine
import Hummingbird

/// `/vector_stores`, their files, file batches and search.
struct VectorStoresController<Context: RequestContext> {
    let vectorStores: VectorStores

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(use: list)
            .get(":vector_store_id", use: retrieve)
            .post(":vector_store_id", use: modify)
            .delete(":vector_store_id", use: delete)
            .post(":vector_store_id/search", use: search)
            .post(":vector_store_id/files", use: addFile)
            .get(":vector_store_id/files", use: listFiles)
            .get(":vector_store_id/files/:file_id", use: retrieveFile)
            .post(":vector_store_id/files/:file_id", use: updateFile)
            .delete(":vector_store_id/files/:file_id", use: removeFile)
            .get(":vector_store_id/files/:file_id/content", use: fileContent)
            .post(":vector_store_id/file_batches", use: createBatch)
            .get(":vector_store_id/file_batches/:batch_id", use: retrieveBatch)
            .post(":vector_store_id/file_batches/:batch_id/cancel", use: cancelBatch)
            .get(":vector_store_id/file_batches/:batch_id/files", use: listBatchFiles)
    }

    // MARK: Stores

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        .json(try await vectorStores.create(try await request.decodeJSON(CreateVectorStoreRequest.self)))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        .json(try await vectorStores.list(request.listQuery()))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        .json(try await vectorStores.retrieve(storeID(context)))
    }

    @Sendable func modify(_ request: Request, context: Context) async throws -> Response {
        let id = try storeID(context)
        return .json(try await vectorStores.update(id, try await request.decodeJSON(UpdateVectorStoreRequest.self)))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try storeID(context)
        try await vectorStores.delete(id)
        return .json(DeletionStatus(id: id, object: "vector_store.deleted"))
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let id = try storeID(context)
        return .json(try await vectorStores.search(id, try await request.decodeJSON(VectorStoreSearchRequest.self)))
    }

    // MARK: Files

    @Sendable func addFile(_ request: Request, context: Context) async throws -> Response {
        let id = try storeID(context)
        return .json(try await vectorStores.addFile(to: id, try await request.decodeJSON(CreateVectorStoreFileRequest.self)))
    }

    @Sendable func listFiles(_ request: Request, context: Context) async throws -> Response {
        .json(try await vectorStores.listFiles(in: storeID(context), status: request.statusFilter(), request.listQuery()))
    }

    @Sendable func retrieveFile(_ request: Request, context: Context) async throws -> Response {
        let (storeID, fileID) = try fileIDs(context)
        return .json(try await vectorStores.file(fileID, in: storeID))
    }

    @Sendable func updateFile(_ request: Request, context: Context) async throws -> Response {
        let (storeID, fileID) = try fileIDs(context)
        let body = try await request.decodeJSON(UpdateVectorStoreFileRequest.self)
        return .json(try await vectorStores.updateFile(fileID, in: storeID, attributes: body.attributes))
    }

    @Sendable func removeFile(_ request: Request, context: Context) async throws -> Response {
        let (storeID, fileID) = try fileIDs(context)
        try await vectorStores.removeFile(fileID, from: storeID)
        return .json(DeletionStatus(id: fileID, object: "vector_store.file.deleted"))
    }

    @Sendable func fileContent(_ request: Request, context: Context) async throws -> Response {
        let (storeID, fileID) = try fileIDs(context)
        return .json(try await vectorStores.content(of: fileID, in: storeID))
    }

    // MARK: File batches

    @Sendable func createBatch(_ request: Request, context: Context) async throws -> Response {
        let id = try storeID(context)
        return .json(try await vectorStores.createBatch(in: id, try await request.decodeJSON(CreateFileBatchRequest.self)))
    }

    @Sendable func retrieveBatch(_ request: Request, context: Context) async throws -> Response {
        let (storeID, batchID) = try batchIDs(context)
        return .json(try await vectorStores.batch(batchID, in: storeID))
    }

    @Sendable func cancelBatch(_ request: Request, context: Context) async throws -> Response {
        let (storeID, batchID) = try batchIDs(context)
        return .json(try await vectorStores.cancelBatch(batchID, in: storeID))
    }

    @Sendable func listBatchFiles(_ request: Request, context: Context) async throws -> Response {
        let (storeID, batchID) = try batchIDs(context)
        return .json(try await vectorStores.listFiles(in: storeID, batchID: batchID, status: request.statusFilter(), request.listQuery()))
    }

    // MARK: Parameters

    private func storeID(_ context: Context) throws -> String {
        try context.parameters.id("vector_store_id", of: .vectorStore)
    }

    private func fileIDs(_ context: Context) throws -> (String, String) {
        (try storeID(context), try context.parameters.id("file_id", of: .file))
    }

    private func batchIDs(_ context: Context) throws -> (String, String) {
        (try storeID(context), try context.parameters.id("batch_id", of: .fileBatch))
    }
}

extension Request {
    /// `filter`: only the files in this status.
    func statusFilter() throws -> VectorStoreFile.Status? {
        guard let raw = query("filter") else { return nil }
        guard let status = VectorStoreFile.Status(rawValue: raw) else {
            throw APIError.invalidValue(raw, param: "filter", supported: VectorStoreFile.Status.allCases.map(\.rawValue))
        }
        return status
    }
}
