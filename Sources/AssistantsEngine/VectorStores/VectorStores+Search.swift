import AssistantsAPI
import AssistantsStore
import Retrieval

/// A chunk of a file that a search found.
public struct Passage: Sendable, Equatable {
    public var fileID: String
    public var filename: String
    public var text: String
    public var score: Double
    public var attributes: FileAttributes?
}

extension VectorStores {
    /// `POST /vector_stores/{id}/search`.
    public func search(_ storeID: String, _ request: VectorStoreSearchRequest) async throws -> VectorStoreSearchResults {
        // Uncounted: counting the store's files would cost more than the search itself.
        let vectorStore = try await usable(storeID, counted: false)
        let passages = try await search(
            in: [vectorStore], queries: request.queries, limit: request.maxNumResults, scoreThreshold: request.scoreThreshold,
            filter: request.filters)
        return VectorStoreSearchResults(
            searchQuery: request.queries,
            data: passages.map {
                .init(fileID: $0.fileID, filename: $0.filename, score: $0.score, attributes: $0.attributes, content: [TextContent(text: $0.text)])
            })
    }

    /// The best passages for any of `queries` in the completed files of the stores (as the caller just read
    /// them) that pass `filter`, best first. With embeddings configured each query is also embedded and the
    /// rankings fused; if the embeddings endpoint fails, the search goes on with keywords alone. Using a
    /// store counts as activity.
    ///
    /// The index holds the chunks of completed files only (a file's chunks go in just before it is marked
    /// completed and come out when it fails, is cancelled or removed), so only a filter needs the files'
    /// records up front; after the ranking, the attributes of the files found are read in one query.
    func search(
        in stores: [VectorStore], queries: [String], limit: Int, scoreThreshold: Double = 0, filter: SearchFilter? = nil
    ) async throws -> [Passage] {
        let storeIDs = stores.map(\.id)
        try await touch(stores)
        var fileIDs: Set<String>?
        if let filter {
            let files = try await store.allVectorStoreFiles(storeIDs: storeIDs)
            fileIDs = Set(files.filter { $0.status == .completed && filter.matches($0.attributes) }.map(\.id))
            if fileIDs?.isEmpty == true { return [] }
        }
        // A chunk found by several queries (or in two stores) is kept once, with its best score.
        var best: [String: SearchHit] = [:]
        for query in queries {
            let embedding = await queryEmbedding(query)
            let hits = try await index.search(storeIDs: storeIDs, query: query, queryEmbedding: embedding, fileIDs: fileIDs, limit: limit)
            for hit in hits where hit.score >= scoreThreshold {
                let key = "\(hit.fileID)#\(hit.start)"
                if hit.score > best[key]?.score ?? -1 { best[key] = hit }
            }
        }
        let ranked = best.values
            .sorted { $0.score > $1.score || ($0.score == $1.score && ($0.fileID, $0.start) < ($1.fileID, $1.start)) }
            .prefix(limit)
        // A file in several of the stores takes its attributes from the first.
        var attributes: [String: FileAttributes] = [:]
        let found = try await store.vectorStoreFiles(ids: Array(Set(ranked.map(\.fileID))), storeIDs: storeIDs)
        for storeID in storeIDs.reversed() {
            for file in found where file.vectorStoreID == storeID { attributes[file.id] = file.attributes }
        }
        return ranked.map {
            Passage(fileID: $0.fileID, filename: $0.filename, text: $0.text, score: $0.score, attributes: attributes[$0.fileID])
        }
    }

    /// Records the stores' use. Kept to the minute, so that searches do not each cost a write.
    private func touch(_ stores: [VectorStore]) async throws {
        let now = clock.now()
        for vectorStore in stores where now - (vectorStore.lastActiveAt ?? 0) >= 60 {
            _ = try await store.updateVectorStore(id: vectorStore.id) { $0.touch(at: now) }
        }
    }

    private func queryEmbedding(_ query: String) async -> [Float]? {
        guard let embeddings else { return nil }
        do {
            return try await embeddings.provider.embed([query], model: embeddings.model).first
        } catch {
            logger.warning("embedding a query failed; searching by keywords only", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
