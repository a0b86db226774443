import AssistantsAPI
import AssistantsStore
import Foundation
import NIOCore
@testable import PostgresStore
import PostgresTestSupport
import Testing

/// Every blob store implementation the contract suite runs against.
enum BlobBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case fileSystem
    /// A fresh schema in the test database (see `PostgresTestDatabase`).
    case postgres

    var testDescription: String { rawValue }

    static var allCases: [BlobBackend] {
        PostgresTestDatabase.isListed ? [.fileSystem, .postgres] : [.fileSystem]
    }

    /// Small, so that a file of a few MiB spans many chunks.
    static let chunkSize = 64 << 10

    /// A new, empty store. `local` is the node's own directory (the blob directory, or where PostgreSQL's
    /// staging lives); two stores given one `local` behave as two processes on one machine and data dir.
    func make(local: URL = temporaryDirectory()) async throws -> any BlobStore {
        switch self {
        case .fileSystem:
            return try FileSystemBlobStore(root: local, chunkSize: Self.chunkSize)
        case .postgres:
            return try PostgresBlobStore(store: try await PostgresTestDatabase.makeStore(), stagingBase: local, chunkSize: Self.chunkSize)
        }
    }

    /// Where a store made on `local` keeps its staging directories.
    func stagingBase(_ local: URL) -> URL {
        self == .fileSystem ? local.appendingPathComponent(".staging") : local
    }
}

func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)", isDirectory: true)
}

/// Bytes that differ from chunk to chunk, so that a chunk out of place shows.
func testBytes(_ count: Int, seed: UInt64 = 42) -> Data {
    var state = seed
    return Data((0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    })
}

extension BlobStore {
    /// Stages `data` as an upload would, and commits it under `id`.
    func commitUpload(_ data: Data, as id: String) async throws {
        let staged = try makeStagingFile()
        try data.write(to: staged)
        try await commit(staged, as: id)
        #expect(!FileManager.default.fileExists(atPath: staged.path), "the staging file is used up")
    }

    /// The chunks of `id` as a reader receives them.
    func chunks(of id: String) async throws -> [ByteBuffer]? {
        guard let contents = try await contents(of: id) else { return nil }
        var chunks: [ByteBuffer] = []
        for try await chunk in contents { chunks.append(chunk) }
        return chunks
    }
}

/// The behaviour every blob store must have, run against each backend.
@Suite(.closesStores) struct BlobStoreContractTests {
    @Test(arguments: BlobBackend.allCases)
    func committedBlobsReadBackByteExactInBoundedChunks(_ backend: BlobBackend) async throws {
        let blobs = try await backend.make()
        let size = BlobBackend.chunkSize
        for count in [0, 1, size - 1, size, size + 1, 5 * (1 << 20) + 123] {
            let id = ObjectKind.file.newID()
            let data = testBytes(count, seed: UInt64(count))
            try await blobs.commitUpload(data, as: id)

            let contents = try #require(try await blobs.contents(of: id))
            #expect(contents.size == count)
            let chunks = try #require(try await blobs.chunks(of: id))
            #expect(chunks.count == (count + size - 1) / size, "\(count) bytes come in as few chunks as fit")
            #expect(chunks.allSatisfy { $0.readableBytes <= size && $0.readableBytes > 0 })
            #expect(Data(chunks.flatMap { $0.readableBytesView }) == data, "\(count) bytes read back in order")
            // Iterating again starts again from the beginning.
            var again = Data()
            for try await chunk in contents { again.append(contentsOf: chunk.readableBytesView) }
            #expect(again == data)
            #expect(try await blobs.read(id) == data)
        }
    }

    @Test(arguments: BlobBackend.allCases)
    func localFileHoldsTheContents(_ backend: BlobBackend) async throws {
        let blobs = try await backend.make()
        let id = ObjectKind.file.newID()
        let data = testBytes(3 * BlobBackend.chunkSize + 7)
        try await blobs.commitUpload(data, as: id)
        let path = try await blobs.withLocalFile(id) { file in
            #expect(FileManager.default.contents(atPath: file.path) == data)
            return file.path
        }
        let given = try #require(path)
        #expect(FileManager.default.fileExists(atPath: given) == (backend == .fileSystem), "a local copy is removed afterwards")
        let empty = ObjectKind.file.newID()
        try await blobs.commitUpload(Data(), as: empty)
        #expect(try await blobs.withLocalFile(empty) { FileManager.default.contents(atPath: $0.path) } == Data())
    }

    @Test(arguments: BlobBackend.allCases)
    func deletedBlobsAreGone(_ backend: BlobBackend) async throws {
        let blobs = try await backend.make()
        let id = ObjectKind.file.newID()
        let kept = ObjectKind.file.newID()
        try await blobs.commitUpload(testBytes(2 * BlobBackend.chunkSize), as: id)
        try await blobs.commitUpload(Data("kept".utf8), as: kept)
        try await blobs.delete(id: id)
        #expect(try await blobs.contents(of: id) == nil)
        #expect(try await blobs.read(id) == nil)
        #expect(try await blobs.withLocalFile(id) { _ in Issue.record("no file for a deleted blob") } == nil)
        try await blobs.delete(id: id)
        #expect(try await blobs.read(kept) == Data("kept".utf8))
    }

    @Test(arguments: BlobBackend.allCases)
    func missingAndForeignIDsNameNoBlob(_ backend: BlobBackend) async throws {
        let local = temporaryDirectory()
        let blobs = try await backend.make(local: local)
        for id in [ObjectKind.file.newID(), "../outside", "", ".staging", "a/b", "file id", String(repeating: "a", count: 129)] {
            #expect(try await blobs.contents(of: id) == nil)
            #expect(try await blobs.read(id) == nil)
            #expect(try await blobs.withLocalFile(id) { _ in Issue.record("no file for \(id)") } == nil)
            try await blobs.delete(id: id)
        }
        for id in ["../outside", "", ".staging", "a/b", "file id", String(repeating: "a", count: 129)] {
            let staged = try blobs.makeStagingFile()
            try Data("x".utf8).write(to: staged)
            await #expect(throws: BlobStoreError.invalidID(id)) { try await blobs.commit(staged, as: id) }
            #expect(FileManager.default.fileExists(atPath: staged.path), "a refused staging file is left to discard")
            blobs.discard(staged)
        }
        #expect(!FileManager.default.fileExists(atPath: local.deletingLastPathComponent().appendingPathComponent("outside").path))
    }

    @Test(arguments: BlobBackend.allCases)
    func aDiscardedUploadLeavesNothing(_ backend: BlobBackend) async throws {
        let local = temporaryDirectory()
        let blobs = try await backend.make(local: local)
        let staged = try blobs.makeStagingFile()
        try testBytes(100_000).write(to: staged)
        blobs.discard(staged)
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: staged.deletingLastPathComponent().path).filter { !$0.hasPrefix(".") } == [])
        if backend == .fileSystem {
            #expect(try FileManager.default.contentsOfDirectory(atPath: local.path) == [".staging"], "no blob appeared")
        }
    }

    @Test(arguments: BlobBackend.allCases)
    func anIDIsCommittedOnce(_ backend: BlobBackend) async throws {
        let blobs = try await backend.make()
        let id = ObjectKind.file.newID()
        try await blobs.commitUpload(Data("first".utf8), as: id)
        let staged = try blobs.makeStagingFile()
        try Data("second".utf8).write(to: staged)
        await #expect(throws: (any Error).self) { try await blobs.commit(staged, as: id) }
        blobs.discard(staged)
        #expect(try await blobs.read(id) == Data("first".utf8))
    }

    /// Two processes on one machine sharing a data directory: the second starting leaves the first's
    /// upload in flight alone, and only clears what an ended process left.
    @Test(arguments: BlobBackend.allCases)
    func aNodeStartingLeavesUploadsInFlightAlone(_ backend: BlobBackend) async throws {
        let local = temporaryDirectory()
        let first = try await backend.make(local: local)
        let inFlight = try first.makeStagingFile()
        try testBytes(10_000).write(to: inFlight)

        // What a crashed process left: its directory, with an unlocked lock file and an upload.
        let abandoned = backend.stagingBase(local).appendingPathComponent("crashed", isDirectory: true)
        try FileManager.default.createDirectory(at: abandoned, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: abandoned.appendingPathComponent(".lock").path, contents: nil)
        FileManager.default.createFile(atPath: abandoned.appendingPathComponent("upload").path, contents: Data("x".utf8))

        let second = try await backend.make(local: local)
        #expect(FileManager.default.fileExists(atPath: inFlight.path), "the live process's upload is untouched")
        #expect(!FileManager.default.fileExists(atPath: abandoned.path), "the ended process's files are removed")
        let id = ObjectKind.file.newID()
        try await first.commit(inFlight, as: id)
        #expect(try await first.read(id) == testBytes(10_000))
        _ = second
    }
}
