import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import ModelProviders
import Retrieval
import SQLiteStore
import Testing
@testable import AssistantsEngine

/// Background ingestion on its own: files an earlier process left, embeddings for hybrid search,
/// and files taken out while they were being ingested.
@Suite struct IngestionTests {
    struct Setup {
        let store: SQLiteStore
        let blobs: FileSystemBlobStore
        let index: SearchIndex

        init() throws {
            store = try SQLiteStore.inMemory()
            blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
            index = try SearchIndex()
        }

        func upload(_ text: String, filename: String) async throws -> FileObject {
            let file = FileObject(id: ObjectKind.file.newID(), bytes: text.utf8.count, createdAt: 1, filename: filename, purpose: "assistants")
            try await blobs.write(Data(text.utf8), as: file.id)
            try await store.createFile(file)
            return file
        }

        /// Runs ingestion until `condition` holds.
        func ingesting<T>(_ vectorStores: VectorStores, until condition: () async throws -> T?) async throws -> T {
            let task = Task { try await VectorStoreIngestion(vectorStores).run() }
            defer { task.cancel() }
            return try await eventually(condition)
        }
    }

    @Test func filesLeftInProgressAreIngestedOnStart() async throws {
        let setup = try Setup()
        let file = try await setup.upload("Porridge oats soak overnight in milk.", filename: "oats.txt")
        // As a stopped process leaves it: the store and its file in progress, nobody told to ingest.
        let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        try await setup.store.createVectorStore(vectorStore, files: [VectorStoreFile(id: file.id, createdAt: 1, vectorStoreID: vectorStore.id)])
        let vectorStores = VectorStores(store: setup.store, blobs: setup.blobs, index: setup.index)
        let done = try await setup.ingesting(vectorStores) {
            try await setup.store.vectorStore(id: vectorStore.id).flatMap { $0.fileCounts.completed == 1 ? $0 : nil }
        }
        #expect(done.usageBytes == 37)
        let found = try await vectorStores.search(in: [try #require(try await setup.store.vectorStore(id: vectorStore.id))], queries: ["soak oats"], limit: 5)
        #expect(found.map(\.fileID) == [file.id])
    }

    @Test func chunksAreEmbeddedThroughTheUpstreamWhenConfigured() async throws {
        let setup = try Setup()
        let fake = try await FakeModelServer.start()
        let provider = OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL))
        do {
            try await embedsAndSearches(setup, fake: fake, provider: provider)
        } catch {
            Issue.record(error)
        }
        await provider.shutdown()
        await fake.stop()
    }

    private func embedsAndSearches(_ setup: Setup, fake: FakeModelServer, provider: OpenAICompatibleProvider) async throws {
        let vectorStores = VectorStores(
            store: setup.store, blobs: setup.blobs, index: setup.index, embeddings: .init(provider: provider, model: "embedder"))
        let text = (0..<1000).map { "Sentence \($0) is about rivers and boats." }.joined(separator: " ")
        let file = try await setup.upload(text, filename: "rivers.md")
        let created = try await vectorStores.create(CreateVectorStoreRequest(
            fileIDs: [file.id], chunkingStrategy: .static(maxChunkSizeTokens: 100, chunkOverlapTokens: 0)))
        _ = try await setup.ingesting(vectorStores) {
            try await setup.store.vectorStore(id: created.id).flatMap { $0.fileCounts.completed == 1 ? $0 : nil }
        }
        let requests = fake.embeddingRequests()
        let inputs = requests.flatMap { $0.body["input"]?.arrayValue ?? [] }
        #expect(inputs.count > 64, "enough chunks to need more than one request")
        #expect(requests.count == (inputs.count + 63) / 64)
        #expect(requests.allSatisfy { $0.body["model"]?.stringValue == "embedder" })

        let found = try await vectorStores.search(in: [created], queries: ["boats on rivers"], limit: 3)
        #expect(found.count == 3 && found.allSatisfy { $0.fileID == file.id })
        // The query was embedded too: hybrid ranking.
        #expect(fake.embeddingRequests().count == requests.count + 1)
    }

    @Test func aFileRemovedWhileIngestingLeavesNoChunks() async throws {
        let setup = try Setup()
        let file = try await setup.upload("Kites fly best in steady wind.", filename: "kites.txt")
        let vectorStores = VectorStores(store: setup.store, blobs: setup.blobs, index: setup.index)
        let created = try await vectorStores.create(CreateVectorStoreRequest(fileIDs: [file.id]))
        // Removed after it was picked up but before its outcome is saved.
        let pending = try #require(try await setup.store.pendingVectorStoreFiles(limit: 1).first)
        #expect(try await setup.store.deleteVectorStoreFile(id: file.id, storeID: created.id))
        await vectorStores.ingest([pending])
        let hits = try await setup.index.search(storeIDs: [created.id], query: "kites wind", limit: 5)
        #expect(hits.isEmpty)
    }
}
