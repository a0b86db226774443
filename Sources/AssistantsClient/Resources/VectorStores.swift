import AssistantsAPI

extension AssistantsClient {
    /// `/vector_stores`: stores, their files, file batches and search.
    public struct VectorStores: Sendable {
        let transport: Transport
        private var endpoints: ObjectEndpoints<VectorStore> { ObjectEndpoints(transport, "/vector_stores") }

        /// `/vector_stores/{vector_store_id}/files`.
        public var files: VectorStoreFiles { VectorStoreFiles(transport: transport) }
        /// `/vector_stores/{vector_store_id}/file_batches`.
        public var fileBatches: VectorStoreFileBatches { VectorStoreFileBatches(transport: transport) }

        /// Creates a store; the files in `request.fileIDs` are ingested in the background.
        public func create(_ request: CreateVectorStoreRequest = .init()) async throws -> VectorStore { try await endpoints.create(request) }

        public func retrieve(_ id: String) async throws -> VectorStore { try await endpoints.retrieve(id) }

        public func update(_ id: String, _ request: UpdateVectorStoreRequest) async throws -> VectorStore { try await endpoints.update(id, request) }

        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        public func list(_ query: ListQuery = .init()) -> PagedSequence<VectorStore> { endpoints.list(query) }

        /// The passages of the store's files that best match the query, best first.
        public func search(_ id: String, _ request: VectorStoreSearchRequest) async throws -> VectorStoreSearchResults {
            try await transport.json(APIRequest(.POST, "/vector_stores/\(id)/search", json: request))
        }
    }

    /// `/vector_stores/{vector_store_id}/files`.
    public struct VectorStoreFiles: Sendable {
        let transport: Transport

        private func endpoints(_ storeID: String) -> ObjectEndpoints<VectorStoreFile> {
            ObjectEndpoints(transport, "/vector_stores/\(storeID)/files")
        }

        /// Attaches an uploaded file; it is `in_progress` until ingested.
        public func create(vectorStoreID: String, _ request: CreateVectorStoreFileRequest) async throws -> VectorStoreFile {
            try await endpoints(vectorStoreID).create(request)
        }

        /// Attaches a file and polls it until it is ingested, has failed or was cancelled.
        public func createAndPoll(vectorStoreID: String, _ request: CreateVectorStoreFileRequest) async throws -> VectorStoreFile {
            try await endpoints(vectorStoreID).createAndPoll(request, id: \.id, until: Self.isSettled)
        }

        /// Uploads the file at `path`, attaches it and polls it until it is ingested.
        public func uploadAndPoll(
            vectorStoreID: String, path: String, chunkingStrategy: ChunkingStrategy? = nil, attributes: FileAttributes? = nil
        ) async throws -> VectorStoreFile {
            let file = try await Files(transport: transport).upload(path: path)
            return try await createAndPoll(
                vectorStoreID: vectorStoreID, CreateVectorStoreFileRequest(fileID: file.id, chunkingStrategy: chunkingStrategy, attributes: attributes))
        }

        public func retrieve(_ fileID: String, vectorStoreID: String) async throws -> VectorStoreFile {
            try await endpoints(vectorStoreID).retrieve(fileID)
        }

        /// Replaces the file's attributes; nil clears them.
        public func update(_ fileID: String, vectorStoreID: String, attributes: FileAttributes?) async throws -> VectorStoreFile {
            try await endpoints(vectorStoreID).update(fileID, UpdateVectorStoreFileRequest(attributes: attributes))
        }

        /// Detaches the file from the store; the file itself stays.
        public func delete(_ fileID: String, vectorStoreID: String) async throws -> DeletionStatus {
            try await endpoints(vectorStoreID).delete(fileID)
        }

        /// The store's files, optionally only those in one status.
        public func list(vectorStoreID: String, _ query: ListQuery = .init(), status: VectorStoreFile.Status? = nil) -> PagedSequence<VectorStoreFile> {
            endpoints(vectorStoreID).list(query, extra: status.filter)
        }

        /// The text extracted from the file.
        public func content(_ fileID: String, vectorStoreID: String) async throws -> VectorStoreFileContent {
            try await transport.json(APIRequest(.GET, "/vector_stores/\(vectorStoreID)/files/\(fileID)/content"))
        }

        /// Asks for the file until it is no longer `in_progress`.
        public func poll(_ fileID: String, vectorStoreID: String) async throws -> VectorStoreFile {
            try await endpoints(vectorStoreID).poll(fileID, until: Self.isSettled)
        }

        private static func isSettled(_ file: VectorStoreFile) -> Bool { file.status != .inProgress }
    }

    /// `/vector_stores/{vector_store_id}/file_batches`.
    public struct VectorStoreFileBatches: Sendable {
        let transport: Transport

        private func endpoints(_ storeID: String) -> ObjectEndpoints<VectorStoreFileBatch> {
            ObjectEndpoints(transport, "/vector_stores/\(storeID)/file_batches")
        }

        public func create(vectorStoreID: String, _ request: CreateFileBatchRequest) async throws -> VectorStoreFileBatch {
            try await endpoints(vectorStoreID).create(request)
        }

        /// Adds the files as a batch and polls it until none of them is in progress.
        public func createAndPoll(vectorStoreID: String, _ request: CreateFileBatchRequest) async throws -> VectorStoreFileBatch {
            try await endpoints(vectorStoreID).createAndPoll(request, id: \.id, until: Self.isSettled)
        }

        /// Uploads the files at `paths`, one after another, then adds them as one batch and polls it.
        public func uploadAndPoll(vectorStoreID: String, paths: [String]) async throws -> VectorStoreFileBatch {
            var files: [CreateVectorStoreFileRequest] = []
            for path in paths {
                files.append(CreateVectorStoreFileRequest(fileID: try await Files(transport: transport).upload(path: path).id))
            }
            return try await createAndPoll(vectorStoreID: vectorStoreID, CreateFileBatchRequest(files: files))
        }

        public func retrieve(_ batchID: String, vectorStoreID: String) async throws -> VectorStoreFileBatch {
            try await endpoints(vectorStoreID).retrieve(batchID)
        }

        /// Stops ingesting the batch's files that have not finished.
        public func cancel(_ batchID: String, vectorStoreID: String) async throws -> VectorStoreFileBatch {
            try await endpoints(vectorStoreID).action(batchID, "cancel")
        }

        /// The batch's files, optionally only those in one status.
        public func listFiles(
            _ batchID: String, vectorStoreID: String, _ query: ListQuery = .init(), status: VectorStoreFile.Status? = nil
        ) -> PagedSequence<VectorStoreFile> {
            transport.list("/vector_stores/\(vectorStoreID)/file_batches/\(batchID)/files", query, extra: status.filter)
        }

        /// Asks for the batch until none of its files is in progress, as OpenAI's SDKs decide.
        public func poll(_ batchID: String, vectorStoreID: String) async throws -> VectorStoreFileBatch {
            try await endpoints(vectorStoreID).poll(batchID, until: Self.isSettled)
        }

        private static func isSettled(_ batch: VectorStoreFileBatch) -> Bool { batch.fileCounts.inProgress == 0 }
    }
}

extension VectorStoreFile.Status? {
    /// The `filter` query parameter of file lists.
    var filter: [(name: String, value: String)] {
        map { [(name: "filter", value: $0.rawValue)] } ?? []
    }
}
