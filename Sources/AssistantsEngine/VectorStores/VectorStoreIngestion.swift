import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders
import Retrieval
import ServiceLifecycle

/// Reads, chunks, embeds and indexes the files waiting in vector stores, a few at a time, apart from
/// any request. Each file ends `completed` or `failed` (with `last_error`); files still in progress when
/// the process stops are taken up again at the next start.
public struct VectorStoreIngestion: Service {
    let vectorStores: VectorStores
    /// How many files are ingested at once.
    let concurrency: Int
    /// How often the store is checked even when nothing rang: files left by an earlier process.
    var interval: Duration = .seconds(1)

    public init(_ vectorStores: VectorStores, concurrency: Int = 2) {
        self.vectorStores = vectorStores
        self.concurrency = max(1, concurrency)
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { vectorStores.pending.ring() }
                }
                vectorStores.pending.ring()
                for await _ in vectorStores.pending.rings { await drain() }
                group.cancelAll()
            }
        }
    }

    /// Ingests pending files until none is left. A file is tried once per drain, so a file whose
    /// outcome cannot be saved is not retried in a tight loop.
    func drain() async {
        var tried = Set<String>()
        while !Task.isCancelled {
            let pending: [VectorStoreFile]
            do {
                pending = try await vectorStores.store.pendingVectorStoreFiles(limit: 64)
            } catch {
                vectorStores.logger.error("listing files to ingest failed", metadata: ["error": "\(error)"])
                return
            }
            let batch = pending.filter { tried.insert("\($0.vectorStoreID)/\($0.id)").inserted }
            guard !batch.isEmpty else { return }
            await withTaskGroup(of: Void.self) { group in
                var next = batch.makeIterator()
                for _ in 0..<concurrency {
                    guard let file = next.next() else { break }
                    group.addTask { await vectorStores.ingest(file) }
                }
                while await group.next() != nil {
                    if let file = next.next() { group.addTask { await vectorStores.ingest(file) } }
                }
            }
        }
    }
}

extension VectorStores {
    /// Ingests one file and records the outcome, unless the file was cancelled or removed meanwhile, in
    /// which case what was indexed is taken out again.
    func ingest(_ file: VectorStoreFile) async {
        var bytes = 0
        let failure: VectorStoreFile.LastError?
        do {
            bytes = try await index(file)
            failure = nil
        } catch let error as ExtractionError {
            failure = .init(code: error.code == "unsupported_file" ? .unsupportedFile : .invalidFile, message: error.message)
        } catch let error as ProviderError {
            failure = .init(code: .serverError, message: "Embedding the file's chunks failed: \(error.message)")
        } catch {
            failure = .init(code: .serverError, message: "Indexing the file failed: \(error)")
        }
        let saved: VectorStoreFile?
        do {
            saved = try await store.updateVectorStoreFile(id: file.id, storeID: file.vectorStoreID) { [bytes] current in
                guard current.status == .inProgress else { throw Superseded() }
                current.status = failure == nil ? .completed : .failed
                current.lastError = failure
                current.usageBytes = failure == nil ? bytes : 0
            }
        } catch {
            saved = nil
            if !(error is Superseded) {
                logger.error("saving an ingested file failed", metadata: ["file_id": "\(file.id)", "error": "\(error)"])
            }
        }
        if saved?.status != .completed {
            try? await offload { [index] in try index.remove(storeID: file.vectorStoreID, fileID: file.id) }
        }
    }

    /// Extracts, chunks, embeds and indexes the file; returns the bytes of text indexed.
    private func index(_ file: VectorStoreFile) async throws -> Int {
        guard let record = try await store.file(id: file.id), let data = blobs.read(file.id) else {
            throw ExtractionError.invalid("The file \(file.id) no longer exists.")
        }
        let sizes = file.chunkingStrategy.sizes
        let (chunks, bytes) = try await offload {
            let text = try TextExtractor.extract(data, filename: record.filename)
            let chunker = try Chunker(maxTokens: sizes.maxTokens, overlapTokens: sizes.overlapTokens)
            return (chunker.chunks(of: text), text.utf8.count)
        }
        guard !chunks.isEmpty else { throw ExtractionError.invalid("\(record.filename) contains no text to search.") }
        var vectors: [[Float]]?
        if let embeddings { vectors = try await embeddings.provider.embed(chunks.map(\.text), model: embeddings.model) }
        try await offload { [index, vectors] in
            try index.add(storeID: file.vectorStoreID, fileID: file.id, filename: record.filename, chunks: chunks, embeddings: vectors)
        }
        return bytes
    }
}
