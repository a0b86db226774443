/// One chunk found by `SearchIndex.search`.
public struct SearchHit: Sendable, Equatable {
    public var fileID: String
    public var filename: String
    public var text: String
    /// Unicode scalar offsets of the chunk in its file's extracted text.
    public var start: Int
    public var end: Int
    /// Relevance in 0...1, comparable across queries (see `SearchIndex` for how it is normalised).
    public var score: Double
}

public enum SearchIndexError: Error, Equatable, Sendable {
    /// Embeddings that do not fit: wrong count for the chunks, or dimensions that differ.
    case invalidEmbeddings(String)
    /// SQLite failed (disk full, corrupt file, ...).
    case database(String)
}
