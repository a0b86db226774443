import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders
import Retrieval
import ServiceLifecycle

/// Reads, chunks, embeds and indexes the files waiting in vector stores, a few at a time, apart from
/// any request. Each file ends `completed` or `failed` (with `last_error`); files still in progress when
/// the process stops are taken up again at the next start (or, with several nodes, by another node once
/// this one is gone). A graceful shutdown starts no new file and lets the ones being read finish. Each file
/// is claimed through `dispatch`, so that one node at a time ingests it.
public struct VectorStoreIngestion: Service {
    let vectorStores: VectorStores
    let dispatch: any WorkDispatch
    /// How many files are ingested at once.
    let concurrency: Int
    /// How often the store is checked even when nothing rang: files left by an earlier process.
    var interval: Duration = .seconds(1)

    /// Without `dispatch`, this process is the only one using the store.
    public init(_ vectorStores: VectorStores, dispatch: (any WorkDispatch)? = nil, concurrency: Int = 2) {
        self.vectorStores = vectorStores
        self.dispatch = dispatch ?? LocalWorkDispatch(store: vectorStores.store)
        self.concurrency = max(1, concurrency)
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while (try? await Task.sleep(for: interval)) != nil { vectorStores.pending.ring() }
                }
            }
            vectorStores.pending.ring()
            // Not cancelled on shutdown, so that the files being read are finished rather than failed.
            for await _ in vectorStores.pending.rings.cancelOnGracefulShutdown() { await drain() }
            group.cancelAll()
        }
    }

    /// Ingests pending files, a round at a time, until none is left or shutdown begins. A file is tried
    /// once per drain, so a file whose outcome cannot be saved is not retried in a tight loop.
    func drain() async {
        var tried = Set<String>()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let pending: [VectorStoreFile]
            do {
                pending = try await dispatch.claimPendingFiles(limit: Self.round)
            } catch {
                vectorStores.logger.error("listing files to ingest failed", metadata: ["error": "\(error)"])
                return
            }
            let round = pending.filter { tried.insert("\($0.vectorStoreID)/\($0.id)").inserted }
            guard !round.isEmpty else {
                await release(pending)
                return
            }
            let backlog = vectorStores.metrics.ingestionBacklog
            backlog.increment(by: Double(round.count))
            await vectorStores.ingest(round, concurrency: concurrency)
            backlog.decrement(by: Double(round.count))
            // Files still in progress now (added again meanwhile, or their outcome not saved) wait for a node again.
            await release(pending)
        }
    }

    private func release(_ files: [VectorStoreFile]) async {
        do {
            try await dispatch.releaseFiles(files)
        } catch {
            vectorStores.logger.error("releasing ingested files failed", metadata: ["error": "\(error)"])
        }
    }

    /// Files per round: their chunks are indexed together, one transaction per store.
    static let round = 32
}

extension VectorStores {
    /// A file read and chunked, ready to index, or why it cannot be.
    private struct Prepared: Sendable {
        var file: VectorStoreFile
        var indexed: IndexedFile?
        var bytes = 0
        var failure: VectorStoreFile.LastError?
    }

    /// Ingests files: each is read, chunked and embedded (`concurrency` at a time), then the files of
    /// each store are indexed in one transaction, and each outcome is recorded, unless the file was
    /// cancelled or removed meanwhile, in which case what was indexed is taken out again. Once a graceful
    /// shutdown begins no further file is started; those not started stay `in_progress` for the next start.
    func ingest(_ files: [VectorStoreFile], concurrency: Int = 1) async {
        var prepared = await withTaskGroup(of: (Int, Prepared).self) { group in
            var results = [Prepared?](repeating: nil, count: files.count)
            var next = files.enumerated().makeIterator()
            func startNext() {
                guard !Task.isShuttingDownGracefully, let (position, file) = next.next() else { return }
                group.addTask { (position, await self.prepare(file)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (position, result) = await group.next() {
                results[position] = result
                startNext()
            }
            return results.compactMap { $0 }
        }
        // Cancelled: the process is stopping without waiting. What was cut short is no outcome; the files
        // stay in progress, to be read again at the next start.
        guard !Task.isCancelled else { return }
        for storeID in Set(prepared.map(\.file.vectorStoreID)) {
            let positions = prepared.indices.filter { prepared[$0].file.vectorStoreID == storeID && prepared[$0].indexed != nil }
            let batch = positions.compactMap { prepared[$0].indexed }
            guard !batch.isEmpty else { continue }
            do {
                try await index.add(storeID: storeID, files: batch)
            } catch {
                for position in positions {
                    prepared[position].failure = .init(code: .serverError, message: "Indexing the file failed: \(error)")
                }
            }
        }
        for result in prepared { await record(result) }
    }

    private func prepare(_ file: VectorStoreFile) async -> Prepared {
        var result = Prepared(file: file)
        do {
            let missing = ExtractionError.invalid("The file \(file.id) no longer exists.")
            guard let record = try await store.file(id: file.id) else { throw missing }
            let sizes = file.chunkingStrategy.sizes
            let extracted = try await blobs.withLocalFile(file.id) { path in
                try await offload {
                    let chunker = try Chunker(maxTokens: sizes.maxTokens, overlapTokens: sizes.overlapTokens)
                    return try TextExtractor.chunks(ofContentsOf: path, filename: record.filename, chunker: chunker)
                }
            }
            guard let extracted else { throw missing }
            let (chunks, bytes) = extracted
            guard !chunks.isEmpty else { throw ExtractionError.invalid("\(record.filename) contains no text to search.") }
            var vectors: [[Float]]?
            if let embeddings { vectors = try await embeddings.provider.embed(chunks.map(\.text), model: embeddings.model) }
            result.indexed = IndexedFile(fileID: file.id, filename: record.filename, chunks: chunks, embeddings: vectors)
            result.bytes = bytes
        } catch let error as ExtractionError {
            result.failure = .init(code: error.code == "unsupported_file" ? .unsupportedFile : .invalidFile, message: error.message)
        } catch let error as ProviderError {
            result.failure = .init(code: .serverError, message: "Embedding the file's chunks failed: \(error.message)")
        } catch {
            result.failure = .init(code: .serverError, message: "Reading the file failed: \(error)")
        }
        return result
    }

    /// Saves a file's outcome; a file no longer in progress (cancelled, removed) loses its chunks instead.
    private func record(_ result: Prepared) async {
        let file = result.file
        let saved: VectorStoreFile?
        do {
            saved = try await store.updateVectorStoreFile(id: file.id, storeID: file.vectorStoreID) { current in
                guard current.status == .inProgress else { throw Superseded() }
                current.status = result.failure == nil ? .completed : .failed
                current.lastError = result.failure
                current.usageBytes = result.failure == nil ? result.bytes : 0
            }
        } catch {
            saved = nil
            if !(error is Superseded) {
                logger.error("saving an ingested file failed", metadata: ["file_id": "\(file.id)", "error": "\(error)"])
            }
        }
        if saved?.status == .completed { metrics.indexed(bytes: result.bytes) }
        if saved?.status != .completed && result.indexed != nil {
            try? await index.remove(storeID: file.vectorStoreID, fileID: file.id)
        }
    }
}
