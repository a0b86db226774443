import AssistantsAPI
import AssistantsStore
import Foundation
import NIOCore
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Synchronization
import Testing

/// What only the PostgreSQL blob store has: blobs shared by nodes, commits that are one transaction,
/// chunks of bounded size on the way in and out.
@Suite(.closesStores) struct PostgresBlobStoreTests {
    static let chunkSize = 64 << 10

    func blobStore(
        on store: PostgresStore, afterChunk: (@Sendable (_ seq: Int, _ bytes: Int) async throws -> Void)? = nil
    ) throws -> PostgresBlobStore {
        try PostgresBlobStore(store: store, stagingBase: temporaryDirectory(), chunkSize: Self.chunkSize, afterChunk: afterChunk)
    }

    /// The `blob` and `blob_chunk` rows of `id`, as any node would find them.
    func rows(of id: String, in store: PostgresStore) async throws -> (blobs: Int, chunks: Int) {
        let blobs = try await store.client.query("SELECT count(*) FROM blob WHERE id = \(id)").collect().first!.decode(Int.self)
        let chunks = try await store.client.query("SELECT count(*) FROM blob_chunk WHERE blob_id = \(id)").collect().first!.decode(Int.self)
        return (blobs, chunks)
    }

    @Test func anotherNodeReadsWhatOneCommitted() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let nodeA = try blobStore(on: try await PostgresTestDatabase.makeStore(configuration: configuration))
        let nodeB = try blobStore(on: try await PostgresTestDatabase.makeStore(configuration: configuration))
        let id = ObjectKind.file.newID()
        let data = testBytes(3 * (1 << 20) + 5)
        try await nodeA.commitUpload(data, as: id)

        #expect(try await nodeB.read(id) == data)
        #expect(try await nodeB.withLocalFile(id) { FileManager.default.contents(atPath: $0.path) } == data)
        try await nodeB.delete(id: id)
        #expect(try await nodeA.contents(of: id) == nil)
        #expect(try await rows(of: id, in: nodeA.store) == (0, 0), "the chunks go with the blob")
    }

    @Test func chunksStayBoundedBothWays() async throws {
        let written = Locked<[Int]>([])
        let store = try await PostgresTestDatabase.makeStore()
        let blobs = try blobStore(on: store) { _, bytes in written.withLock { $0.append(bytes) } }
        let id = ObjectKind.file.newID()
        let data = testBytes(2 * (1 << 20) + 1)
        try await blobs.commitUpload(data, as: id)

        let expectedChunks = data.count / Self.chunkSize + 1
        #expect(written.withLock { $0 } == Array(repeating: Self.chunkSize, count: expectedChunks - 1) + [1], "the commit read a chunk per step")
        let stored = try await store.client.query("SELECT count(*), max(octet_length(data)) FROM blob_chunk WHERE blob_id = \(id)")
            .collect().first!.decode((Int, Int).self)
        #expect(stored == (expectedChunks, Self.chunkSize))
        let read = try #require(try await blobs.chunks(of: id))
        #expect(read.map(\.readableBytes) == written.withLock { $0 }, "a reader gets a chunk per step")
    }

    /// A commit that fails after writing some chunks, however it fails, leaves no blob and no chunk, and
    /// the id stays free for a commit that succeeds.
    @Test(arguments: ["truncated", "cancelled", "failed"])
    func aCommitFailingMidwayLeavesNothing(_ failure: String) async throws {
        struct LostConnection: Error {}
        let store = try await PostgresTestDatabase.makeStore()
        let staging = Locked<URL?>(nil)
        let failing = try blobStore(on: store) { seq, _ in
            guard seq == 1 else { return }
            switch failure {
            case "truncated":
                // The staging file shrinks under the commit.
                let handle = try FileHandle(forWritingTo: staging.withLock { $0! })
                try handle.truncate(atOffset: UInt64(Self.chunkSize + 10))
                try handle.close()
            case "cancelled": withUnsafeCurrentTask { $0?.cancel() }
            default: throw LostConnection()
            }
        }
        let id = ObjectKind.file.newID()
        let data = testBytes(6 * Self.chunkSize)
        let staged = try failing.makeStagingFile()
        try data.write(to: staged)
        staging.withLock { $0 = staged }

        let commit = Task { try await failing.commit(staged, as: id) }
        await #expect(throws: (any Error).self) { try await commit.value }
        #expect(try await failing.contents(of: id) == nil)
        #expect(try await rows(of: id, in: store) == (0, 0))

        let working = try blobStore(on: store)
        try await working.commitUpload(data, as: id)
        #expect(try await working.read(id) == data)
    }

    @Test func aBlobDeletedWhileReadEndsTheReadWithAnError() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        let blobs = try blobStore(on: store)
        let id = ObjectKind.file.newID()
        try await blobs.commitUpload(testBytes(3 * Self.chunkSize), as: id)
        let contents = try #require(try await blobs.contents(of: id))
        var iterator = contents.makeAsyncIterator()
        #expect(try await iterator.next()?.readableBytes == Self.chunkSize)
        try await blobs.delete(id: id)
        do {
            _ = try await iterator.next()
            Issue.record("the read went on after the blob was deleted")
        } catch {
            #expect(error as? BlobStoreError == .changedWhileReading(id))
        }
    }
}

/// A value shared with closures that run on other tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
