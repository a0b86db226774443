/// Where a `SearchIndex` keeps the chunks and embeddings of every vector store: the durable source of
/// truth that its in-memory structures (each store's `Lexicon` and vectors) are built from, and, per store,
/// a version that says when those structures are out of date. `SQLiteChunkStorage` is the file a single
/// node keeps; PostgresStore has the one several nodes share.
///
/// The seam lives here rather than in AssistantsStore because what it stores (chunks, embeddings) and its
/// only user (`SearchIndex`) are Retrieval's; the PostgreSQL implementation depends on Retrieval, and
/// Retrieval stays free of any database client but SQLite's (whose FTS5 tokenizers it uses anyway).
///
/// Versions: every store has one, 0 until its chunks first change. Each change to a store's chunks (a
/// `replace`, a `removeStore`) raises it by exactly 1 atomically with the change, whichever node makes it,
/// so changes to one store are totally ordered, and the chunks a reader sees at version v are those left
/// by the first v changes. A version is never reused for a store, not even after `removeStore`.
public protocol ChunkStorage: Sendable {
    /// In one transaction: removes every chunk of `removing` from the store, inserts the chunks of
    /// `files` (each a file of `removing`, in order, ids ascending in that order), and raises the store's
    /// version. Returns the new version and the chunks inserted. Nothing is changed when it throws.
    func replace(storeID: String, removing: Set<String>, adding files: [IndexedFile]) async throws -> ChunkChange

    /// Removes every chunk of the store and raises its version, in one transaction; returns the new version.
    func removeStore(_ storeID: String) async throws -> Int64

    /// The current version of each store given (0 for a store never changed). Called before every search,
    /// so it must be cheap: one small query at most.
    func versions(of storeIDs: [String]) async throws -> [String: Int64]

    /// Reads every chunk of a store as of one version, which it returns; `body` is given them in batches,
    /// one call at a time, in any order (ranking breaks ties by chunk id, never by load order).
    func loadChunks(storeID: String, _ body: @escaping @Sendable ([StoredChunk]) throws -> Void) async throws -> Int64

    /// Every embedding of a store as of one version, which it returns, in ascending chunk id order.
    func loadEmbeddings(storeID: String) async throws -> (version: Int64, rows: [StoredEmbedding])

    /// The chunks with these ids that still exist, in any order: what a search shows for its hits.
    func chunks(ids: [Int64]) async throws -> [ChunkRecord]
}

/// A stored chunk as a lexicon needs it.
public struct StoredChunk: Sendable {
    public var id: Int64
    public var fileID: String
    public var text: String

    public init(id: Int64, fileID: String, text: String) {
        self.id = id
        self.fileID = fileID
        self.text = text
    }
}

/// A stored chunk's embedding.
public struct StoredEmbedding: Sendable {
    public var chunkID: Int64
    public var fileID: String
    public var vector: [Float]

    public init(chunkID: Int64, fileID: String, vector: [Float]) {
        self.chunkID = chunkID
        self.fileID = fileID
        self.vector = vector
    }
}

/// A stored chunk as a search shows it.
public struct ChunkRecord: Sendable {
    public var id: Int64
    public var fileID: String
    public var filename: String
    public var start: Int
    public var end: Int
    public var text: String

    public init(id: Int64, fileID: String, filename: String, start: Int, end: Int, text: String) {
        self.id = id
        self.fileID = fileID
        self.filename = filename
        self.start = start
        self.end = end
        self.text = text
    }
}

/// What one committed `replace` did.
public struct ChunkChange: Sendable {
    /// The store's version after the change; the one before was `version - 1`.
    public var version: Int64
    /// The chunks inserted, ascending by id.
    public var added: [StoredChunk]

    public init(version: Int64, added: [StoredChunk]) {
        self.version = version
        self.added = added
    }
}

/// Hands chunks read one by one to a `loadChunks` body in batches of `size`, so that a store's chunks never
/// have to be in memory at once.
public struct ChunkBatches {
    private let body: @Sendable ([StoredChunk]) throws -> Void
    private let size: Int
    private var batch: [StoredChunk] = []

    public init(size: Int = 1_000, _ body: @escaping @Sendable ([StoredChunk]) throws -> Void) {
        self.body = body
        self.size = size
        batch.reserveCapacity(size)
    }

    public mutating func append(_ chunk: StoredChunk) throws {
        batch.append(chunk)
        if batch.count == size {
            try body(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Hands over what is left.
    public mutating func finish() throws {
        if !batch.isEmpty { try body(batch) }
        batch = []
    }
}
