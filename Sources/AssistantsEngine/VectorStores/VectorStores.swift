import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import ModelProviders
import NIOPosix
import Retrieval

/// Vector stores as the API sees them: stores, their files and batches, and search across them. Every
/// call returns at once; files are read, chunked and indexed by `VectorStoreIngestion` in the background.
/// Records live in the `AssistantsStore`; chunks in the `SearchIndex`. A file's chunks are searched only
/// while its record says `completed`, so the two never disagree in what a search returns.
public final class VectorStores: Sendable {
    /// Where embeddings come from, when hybrid search is on.
    public struct Embeddings: Sendable {
        public var provider: any EmbeddingProvider
        public var model: String

        public init(provider: any EmbeddingProvider, model: String) {
            self.provider = provider
            self.model = model
        }
    }

    let store: any AssistantsStore
    let blobs: any BlobStore
    let index: SearchIndex
    let embeddings: Embeddings?
    let logger: Logger
    /// Where ingestion's backlog and bytes indexed are counted.
    let metrics: EngineMetrics
    /// The time every object here is stamped with; the run engine working on these stores keeps it too.
    public let clock: any WallClock
    /// Rung whenever files wait to be ingested.
    let pending = Signal()

    public init(
        store: any AssistantsStore, blobs: any BlobStore, index: SearchIndex, embeddings: Embeddings? = nil,
        clock: any WallClock = .system, logger: Logger = Logger(label: "vector-stores"), metrics: EngineMetrics = .none
    ) {
        self.metrics = metrics
        self.clock = clock
        self.store = store
        self.blobs = blobs
        self.index = index
        self.embeddings = embeddings
        self.logger = logger
    }

    // MARK: Stores

    public func create(_ request: CreateVectorStoreRequest) async throws -> VectorStore {
        try await requireFiles(request.fileIDs) { _ in "file_ids" }
        return try await create(
            name: request.name, fileIDs: request.fileIDs, chunking: request.chunkingStrategy, expiresAfter: request.expiresAfter,
            metadata: request.metadata ?? [:])
    }

    func create(
        name: String?, fileIDs: [String], chunking: ChunkingStrategy?, expiresAfter: VectorStoreExpiration?, metadata: Metadata
    ) async throws -> VectorStore {
        let now = clock.now()
        let vectorStore = VectorStore(
            id: ObjectKind.vectorStore.newID(), createdAt: now, name: name, expiresAfter: expiresAfter, lastActiveAt: now,
            metadata: metadata)
        let files = Self.unique(fileIDs).map {
            VectorStoreFile(id: $0, createdAt: now, vectorStoreID: vectorStore.id, chunkingStrategy: chunking ?? .auto)
        }
        try await store.createVectorStore(vectorStore, files: files)
        pending.ring()
        return try await retrieve(vectorStore.id)
    }

    public func retrieve(_ id: String) async throws -> VectorStore {
        guard let vectorStore = try await store.vectorStore(id: id) else { throw APIError.notFound(.vectorStore, id: id) }
        return vectorStore
    }

    public func list(_ query: ListQuery) async throws -> ListPage<VectorStore> {
        try await store.listVectorStores(query)
    }

    public func update(_ id: String, _ request: UpdateVectorStoreRequest) async throws -> VectorStore {
        let now = clock.now()
        guard let updated = try await store.updateVectorStore(id: id, { request.apply(to: &$0, now: now) }) else {
            throw APIError.notFound(.vectorStore, id: id)
        }
        return updated
    }

    public func delete(_ id: String) async throws {
        guard try await store.deleteVectorStore(id: id) else { throw APIError.notFound(.vectorStore, id: id) }
        try await index.removeStore(id)
    }

    /// Ends the stores whose expiry has passed; their chunks are dropped, their records stay `expired`.
    public func expire(now: Int) async throws -> [String] {
        let expired = try await store.expireVectorStores(now: now)
        for id in expired { try await index.removeStore(id) }
        return expired
    }

    /// The store, if it may still be used; expired stores are refused. `counted: false` leaves its file
    /// counts out, for callers that do not show them.
    func usable(_ id: String, param: String? = nil, counted: Bool = true) async throws -> VectorStore {
        guard let vectorStore = try await store.vectorStore(id: id, counted: counted) else {
            guard let param else { throw APIError.notFound(.vectorStore, id: id) }
            throw APIError.invalidRequest("No vector store found with id '\(id)'.", param: param, code: "invalid_value")
        }
        guard vectorStore.status != .expired else {
            throw APIError.invalidRequest(
                "Vector store '\(id)' has expired and can no longer be used. Create a new vector store.", param: param, code: "vector_store_expired")
        }
        return vectorStore
    }

    // MARK: Files

    public func addFile(to storeID: String, _ request: CreateVectorStoreFileRequest) async throws -> VectorStoreFile {
        _ = try await usable(storeID)
        try await requireFiles([request.fileID]) { _ in "file_id" }
        let file = VectorStoreFile(
            id: request.fileID, createdAt: clock.now(), vectorStoreID: storeID, chunkingStrategy: request.chunkingStrategy ?? .auto,
            attributes: request.attributes)
        try await store.addVectorStoreFiles([file], batch: nil)
        pending.ring()
        return file
    }

    public func file(_ fileID: String, in storeID: String) async throws -> VectorStoreFile {
        _ = try await retrieve(storeID)
        guard let file = try await store.vectorStoreFile(id: fileID, storeID: storeID) else {
            throw APIError.notFound(.file, id: fileID, in: storeID)
        }
        return file
    }

    public func listFiles(
        in storeID: String, batchID: String? = nil, status: VectorStoreFile.Status?, _ query: ListQuery
    ) async throws -> ListPage<VectorStoreFile> {
        _ = try await retrieve(storeID)
        if let batchID { _ = try await batch(batchID, in: storeID) }
        return try await store.listVectorStoreFiles(storeID: storeID, batchID: batchID, status: status, query)
    }

    public func updateFile(_ fileID: String, in storeID: String, attributes: FileAttributes?) async throws -> VectorStoreFile {
        _ = try await retrieve(storeID)
        guard let file = try await store.updateVectorStoreFile(id: fileID, storeID: storeID, { $0.attributes = attributes }) else {
            throw APIError.notFound(.file, id: fileID, in: storeID)
        }
        return file
    }

    /// Takes the file out of the store; the uploaded file itself stays.
    public func removeFile(_ fileID: String, from storeID: String) async throws {
        _ = try await retrieve(storeID)
        guard try await store.deleteVectorStoreFile(id: fileID, storeID: storeID) else {
            throw APIError.notFound(.file, id: fileID, in: storeID)
        }
        try await index.remove(storeID: storeID, fileID: fileID)
    }

    /// The file's text as it was extracted for indexing.
    public func content(of fileID: String, in storeID: String) async throws -> VectorStoreFileContent {
        _ = try await file(fileID, in: storeID)
        guard let record = try await store.file(id: fileID) else { throw APIError.notFound(.file, id: fileID) }
        do {
            let text = try await blobs.withLocalFile(fileID) { file in
                try await offload { try TextExtractor.extract(contentsOf: file, filename: record.filename) }
            }
            guard let text else { throw APIError.notFound(.file, id: fileID) }
            return VectorStoreFileContent(data: [TextContent(text: text)])
        } catch let error as ExtractionError {
            throw APIError.invalidRequest(error.message, param: "file_id", code: error.code)
        }
    }

    // MARK: File batches

    public func createBatch(in storeID: String, _ request: CreateFileBatchRequest) async throws -> VectorStoreFileBatch {
        _ = try await usable(storeID)
        try await requireFiles(request.files.map(\.fileID)) { request.param(forFileAt: $0) }
        let now = clock.now()
        let batch = VectorStoreFileBatch(id: ObjectKind.fileBatch.newID(), createdAt: now, vectorStoreID: storeID)
        // A file listed twice is added once, as its last entry says.
        let entries = Dictionary(request.files.map { ($0.fileID, $0) }, uniquingKeysWith: { $1 })
        let files = Self.unique(request.files.map(\.fileID)).compactMap { entries[$0] }.map {
            VectorStoreFile(
                id: $0.fileID, createdAt: now, vectorStoreID: storeID, chunkingStrategy: $0.chunkingStrategy ?? .auto,
                attributes: $0.attributes)
        }
        try await store.addVectorStoreFiles(files, batch: batch)
        pending.ring()
        return try await self.batch(batch.id, in: storeID)
    }

    public func batch(_ batchID: String, in storeID: String) async throws -> VectorStoreFileBatch {
        _ = try await retrieve(storeID)
        guard let batch = try await store.fileBatch(id: batchID, storeID: storeID) else { throw APIError.notFound(.fileBatch, id: batchID) }
        return batch
    }

    public func cancelBatch(_ batchID: String, in storeID: String) async throws -> VectorStoreFileBatch {
        _ = try await retrieve(storeID)
        guard let batch = try await store.cancelFileBatch(id: batchID, storeID: storeID) else { throw APIError.notFound(.fileBatch, id: batchID) }
        return batch
    }

    // MARK: Helpers

    /// Throws a 400 naming the first id that is no stored file.
    func requireFiles(_ ids: [String], param: (Int) -> String) async throws {
        let missing = Set(try await store.missingFiles(among: ids))
        if let index = ids.firstIndex(where: { missing.contains($0) }) {
            throw APIError.noFile(ids[index], param: param(index))
        }
    }

    static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}

extension APIError {
    /// A request names a stored file that does not exist.
    static func noFile(_ id: String, param: String) -> APIError {
        invalidRequest("No file found with id '\(id)'.", param: param, code: "invalid_value")
    }

    /// A file that is not in the vector store.
    static func notFound(_ kind: ObjectKind, id: String, in storeID: String) -> APIError {
        APIError(status: 404, type: "invalid_request_error", message: "No \(kind.displayName) found with id '\(id)' in vector store '\(storeID)'.")
    }
}

/// Wakes one waiter; rings while nobody waits are remembered as one.
final class Signal: Sendable {
    let rings: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (rings, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func ring() {
        continuation.yield()
    }
}

/// Runs blocking text extraction (pdftotext, unzipping, chunking) off the cooperative pool, which has only a
/// thread per core, on a bounded pool of its own: two threads, as many as files are ingested at once by
/// default, so extraction never takes the shared pool's threads from file reads and writes, and a request
/// for a file's text waits its turn rather than adding threads.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await extractionThreads.runIfActive(work)
}

private let extractionThreads: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 2)
    pool.start()
    return pool
}()
