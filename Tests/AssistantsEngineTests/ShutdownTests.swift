import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import Logging
import ModelProviders
import Retrieval
import Synchronization
import SQLiteStore
import ServiceLifecycle
import Testing
@testable import AssistantsEngine

/// What a graceful shutdown does with runs: none is started, the executing ones finish or, past the grace
/// period, are left for the next start.
@Suite struct ShutdownTests {
    /// A model endpoint that only records that it was released.
    final class ReleaseRecorder: ModelProvider {
        let released = Mutex(false)

        func streamChat(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
            AsyncThrowingStream { $0.finish() }
        }

        func shutdown() async { released.withLock { $0 = true } }
    }

    /// An engine stopped while it recovers (a server stopped the moment it starts) still releases its model
    /// endpoint, whose HTTP client must be shut down before it goes away.
    @Test func stoppingDuringRecoveryReleasesTheModelEndpoint() async throws {
        let provider = ReleaseRecorder()
        let engine = try RunEngine.testing(store: try SQLiteStore.inMemory(), provider: provider)
        let run = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await engine.run()
        }
        _ = await run.result
        #expect(provider.released.withLock { $0 })
    }

    /// Three queued runs on three threads; one worker.
    func queuedRuns(in store: SQLiteStore) async throws -> [Run] {
        var runs: [Run] = []
        for _ in 0..<3 {
            let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
            try await store.createThread(thread, messages: [
                Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: "Hi"))]),
            ])
            let run = Run(id: ObjectKind.run.newID(), createdAt: SystemClock().now(), threadID: thread.id, assistantID: "asst_1",
                          expiresAt: SystemClock().now() + 600, model: "m", instructions: "")
            try await store.createRun(run, additionalMessages: [])
            runs.append(run)
        }
        return runs
    }

    func status(_ run: Run, in store: SQLiteStore) async throws -> Run.Status? {
        try await store.run(id: run.id, threadID: run.threadID)?.status
    }

    @Test func queuedRunsStayQueuedWhileTheExecutingOneFinishes() async throws {
        let store = try SQLiteStore.inMemory()
        let fake = try await FakeModelServer.start()
        fake.enqueue(FakeReply(text: "Slow answer.", delayMsBeforeFirst: 300, repeat: 0))
        let runs = try await queuedRuns(in: store)
        let engine = try RunEngine.testing(
            store: store, provider: OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL)), configuration: .init(workers: 1))
        let group = ServiceGroup(configuration: .init(services: [engine], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        _ = try await eventually { try await status(runs[0], in: store) == .inProgress ? true : nil }
        await group.triggerGracefulShutdown()
        try await running.value

        #expect(try await status(runs[0], in: store) == .completed)
        #expect(try await status(runs[1], in: store) == .queued)
        #expect(try await status(runs[2], in: store) == .queued)
        #expect(fake.requests().count == 1)
        await fake.stop()
    }

    @Test func pastTheGracePeriodTheExecutingRunIsLeftForTheNextStart() async throws {
        let store = try SQLiteStore.inMemory()
        let fake = try await FakeModelServer.start()
        fake.enqueue(FakeReply(text: "Never in time.", delayMsBeforeFirst: 10_000))
        let runs = try await queuedRuns(in: store)
        let engine = try RunEngine.testing(
            store: store, provider: OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL)), configuration: .init(workers: 1))
        var configuration = ServiceGroupConfiguration(services: [engine], logger: Logger(label: "test"))
        configuration.maximumGracefulShutdownDuration = .milliseconds(200)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }

        _ = try await eventually { try await status(runs[0], in: store) == .inProgress ? true : nil }
        await group.triggerGracefulShutdown()
        _ = await running.result

        // As a crash leaves it; the queued ones were never started.
        #expect(try await status(runs[0], in: store) == .inProgress)
        #expect(try await status(runs[1], in: store) == .queued)
        #expect(fake.requests().count == 1)
        await fake.stop()

        // The next start fails it with a reason and runs the queued ones.
        let next = try await FakeModelServer.start()
        next.enqueue(FakeReply(text: "Done.", repeat: 0))
        let restarted = try RunEngine.testing(
            store: store, provider: OpenAICompatibleProvider(configuration: .init(baseURL: next.baseURL)), configuration: .init(workers: 1))
        let task = Task { try await restarted.run() }
        _ = try await eventually { try await status(runs[2], in: store) == .completed ? true : nil }
        let recovered = try #require(try await store.run(id: runs[0].id, threadID: runs[0].threadID))
        #expect(recovered.status == .failed)
        #expect(recovered.lastError?.message.contains("server stopped") == true)
        task.cancel()
        _ = await task.result
        await next.stop()
    }

    /// Embeddings that wait, at the first call only, until released: a file caught mid-ingestion.
    final class HeldEmbeddings: EmbeddingProvider {
        let calls = Mutex(0)
        let (reached, reachedContinuation) = AsyncStream<Void>.makeStream()
        let (released, releasedContinuation) = AsyncStream<Void>.makeStream()

        func embed(_ texts: [String], model: String) async throws -> [[Float]] {
            if calls.withLock({ $0 += 1; return $0 }) == 1 {
                reachedContinuation.yield()
                for await _ in released { break }
            }
            return texts.map { _ in [1, 0] }
        }
    }

    @Test func ingestionStartsNoFileOnceShutdownBegins() async throws {
        let store = try SQLiteStore.inMemory()
        let blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
        let embeddings = HeldEmbeddings()
        let vectorStores = VectorStores(store: store, blobs: blobs, index: try SearchIndex(), embeddings: .init(provider: embeddings, model: "e"))
        var files: [FileObject] = []
        for name in ["a", "b", "c"] {
            let file = FileObject(id: ObjectKind.file.newID(), bytes: 5, createdAt: 1, filename: "\(name).txt", purpose: "assistants")
            try await blobs.write(Data("text \(name)".utf8), as: file.id)
            try await store.createFile(file)
            files.append(file)
        }
        let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        try await store.createVectorStore(vectorStore, files: files.map { VectorStoreFile(id: $0.id, createdAt: 1, vectorStoreID: vectorStore.id) })
        let group = ServiceGroup(configuration: .init(services: [VectorStoreIngestion(vectorStores, concurrency: 1)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        for await _ in embeddings.reached { break }  // the first file is being read
        await group.triggerGracefulShutdown()
        embeddings.releasedContinuation.yield()
        try await running.value

        let statuses = try await store.allVectorStoreFiles(storeIDs: [vectorStore.id]).map(\.status)
        #expect(statuses == [.completed, .inProgress, .inProgress])
        #expect(embeddings.calls.withLock { $0 } == 1)
    }
}
