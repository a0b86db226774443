import Foundation
import NIOCore

/// Where file contents live: in a directory on one machine (`FileSystemBlobStore`), or in the database that
/// every node shares. Nothing here needs a whole file in memory or a path that exists on one node only.
///
/// Writing: an upload streams into a staging file (`makeStagingFile`), which belongs to this process alone,
/// and `commit` makes it the blob `id`: completely or not at all, so a crash or a failure mid-upload leaves
/// no half-written blob that any node could read. Blob ids are server-generated (`file-` and base62); an id
/// of any other shape (see `BlobID`) names no blob.
///
/// Reading: `contents(of:)` streams a blob in chunks of bounded size, and `withLocalFile` gives a file on
/// this node's disk for the work that needs one (a PDF or DOCX reader).
public protocol BlobStore: Sendable {
    /// A new, empty staging file for an upload, in a directory of this process's own: no other node or
    /// process ever touches it, and a process starting only cleans up after processes that have ended.
    func makeStagingFile() throws -> URL

    /// Makes a finished staging file the contents of `id`, atomically: readers see the whole blob or none.
    /// The staging file is used up on success. Throws `BlobStoreError.invalidID` for an id of the wrong
    /// shape and `.stagingFileChanged` when the file changed size while it was read; after any error no
    /// blob `id` is visible and the staging file is the caller's to `discard`.
    func commit(_ staged: URL, as id: String) async throws

    /// Removes a staging file that will not be committed.
    func discard(_ staged: URL)

    /// The contents of `id`, read a chunk at a time as they are iterated; nil when there is no such blob.
    /// Iterating throws `BlobStoreError.changedWhileReading` if the blob is deleted meanwhile.
    func contents(of id: String) async throws -> BlobContents?

    /// Runs `body` with the contents of `id` as a file on this node's disk, which `body` may read but not
    /// change or keep: it may be the blob itself, or a copy removed when `body` returns. Nil when there is
    /// no such blob.
    func withLocalFile<Result: Sendable>(_ id: String, _ body: @Sendable (URL) async throws -> Result) async throws -> Result?

    /// Deletes the blob `id`; nothing when there is none.
    func delete(id: String) async throws
}

/// Why a blob store call failed.
public enum BlobStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The id is not one the server generates, so it can name no blob.
    case invalidID(String)
    /// A staging file grew or shrank while it was being committed.
    case stagingFileChanged(String)
    /// The blob was deleted (or is damaged) while it was being read.
    case changedWhileReading(String)

    public var description: String {
        switch self {
        case .invalidID(let id): "'\(id)' is not a valid blob id."
        case .stagingFileChanged(let id): "The staging file of blob \(id) changed while it was being committed."
        case .changedWhileReading(let id): "Blob \(id) was deleted or changed while it was being read."
        }
    }
}

/// The shape of the ids blobs are stored under.
public enum BlobID {
    /// Server ids are `file-` and base62; this admits letters, digits, `-` and `_`, at most 128 of them,
    /// so an id can never name a path outside the store (`..`, `/`) or a hidden file (`.staging`).
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}

/// A blob's contents: `size` bytes, read one chunk at a time only as the sequence is iterated, so that
/// memory holds at most a chunk per reader whatever the blob's size. Each iteration starts from the
/// beginning; one that finds fewer or more bytes than `size` throws `BlobStoreError.changedWhileReading`.
public struct BlobContents: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// The blob's length in bytes.
    public let size: Int
    let id: String
    let chunk: @Sendable (_ index: Int, _ offset: Int) async throws -> ByteBuffer?

    /// - Parameter chunk: the chunk at `index` (from 0), which starts at byte `offset`; nil when missing.
    public init(id: String, size: Int, chunk: @escaping @Sendable (_ index: Int, _ offset: Int) async throws -> ByteBuffer?) {
        self.id = id
        self.size = size
        self.chunk = chunk
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(contents: self) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let contents: BlobContents
        var index = 0
        var offset = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard offset < contents.size else { return nil }
            guard let buffer = try await contents.chunk(index, offset), buffer.readableBytes > 0,
                offset + buffer.readableBytes <= contents.size
            else { throw BlobStoreError.changedWhileReading(contents.id) }
            index += 1
            offset += buffer.readableBytes
            return buffer
        }
    }

    /// Writes the contents to a new file at `url`, a chunk at a time.
    public func write(to url: URL) async throws {
        let file = try await BlobFile.create(url)
        for try await chunk in self { try await file.append(chunk) }
    }
}

extension BlobStore {
    /// Stores bytes the server made itself under `id`. Only for data that is small and bounded by its
    /// maker (a tool's output file or image); uploads stream through a staging file instead.
    public func write(_ data: Data, as id: String) async throws {
        let staged = try makeStagingFile()
        do {
            try data.write(to: staged)
            try await commit(staged, as: id)
        } catch {
            discard(staged)
            throw error
        }
    }

    /// Stores `contents` (another blob's, perhaps in another store) under `id`, streamed a chunk at a time
    /// through a staging file: the copy appears whole or not at all.
    public func write(_ contents: BlobContents, as id: String) async throws {
        let staged = try makeStagingFile()
        do {
            // `write(to:)` makes its file, which must not exist yet.
            try FileManager.default.removeItem(at: staged)
            try await contents.write(to: staged)
            try await commit(staged, as: id)
        } catch {
            discard(staged)
            throw error
        }
    }

    /// The whole contents of `id` in memory, if it exists. Only for the few consumers that must hold the
    /// bytes anyway (an image sent to the model as a `data:` URL, a file handed to the code sandbox);
    /// everything else streams `contents(of:)` or uses `withLocalFile`.
    public func read(_ id: String) async throws -> Data? {
        guard let contents = try await contents(of: id) else { return nil }
        var data = Data(capacity: contents.size)
        for try await chunk in contents { data.append(contentsOf: chunk.readableBytesView) }
        return data
    }
}
