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

    public init(fileID: String, filename: String, text: String, start: Int, end: Int, score: Double) {
        self.fileID = fileID
        self.filename = filename
        self.text = text
        self.start = start
        self.end = end
        self.score = score
    }
}

public enum SearchIndexError: Error, Equatable, Sendable {
    /// Embeddings that do not fit: wrong count for the chunks, or dimensions that differ.
    case invalidEmbeddings(String)
    /// SQLite failed (disk full, corrupt file, ...).
    case database(String)
}
