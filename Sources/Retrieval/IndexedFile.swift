/// One file's chunks to index, for `SearchIndex.add(storeID:files:)`.
public struct IndexedFile: Sendable {
    public var fileID: String
    public var filename: String
    public var chunks: [Chunk]
    /// One vector per chunk, all of one dimension, when the store has an embedding model.
    public var embeddings: [[Float]]?

    public init(fileID: String, filename: String, chunks: [Chunk], embeddings: [[Float]]? = nil) {
        self.fileID = fileID
        self.filename = filename
        self.chunks = chunks
        self.embeddings = embeddings
    }

    func validate() throws(SearchIndexError) {
        guard let embeddings else { return }
        guard embeddings.count == chunks.count else {
            throw .invalidEmbeddings("\(embeddings.count) embeddings for \(chunks.count) chunks.")
        }
        guard Set(embeddings.map(\.count)).count <= 1, embeddings.first?.isEmpty != true else {
            throw .invalidEmbeddings("Embeddings must all have the same, non-zero dimension.")
        }
    }
}
