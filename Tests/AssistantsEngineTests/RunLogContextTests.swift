import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import Logging
import ModelProviders
import Retrieval
import SQLiteStore
import Synchronization
import Testing
@testable import AssistantsEngine

/// An operator finds every line a run's execution logged, by whichever part, from its run id or from the
/// `x-request-id` of the request that created it.
@Suite struct RunLogContextTests {
    /// Records each line with the metadata a log handler of the server writes: the context's, the
    /// logger's own, then the line's.
    struct ContextRecordingHandler: LogHandler {
        let recorded: RunEndLogTests.Recorded
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider? = LogContext.provider
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = (metadataProvider?.get() ?? [:]).merging(metadata, uniquingKeysWith: { $1 })
                .merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
            recorded.entries.withLock { $0.append(.init(level: event.level, message: "\(event.message)", metadata: merged)) }
        }
    }

    @Test func linesLoggedWhileARunExecutesCarryItsRunAndRequestIDs() async throws {
        let recorded = RunEndLogTests.Recorded()
        let logger = Logger(label: "test") { _ in ContextRecordingHandler(recorded: recorded) }
        let fake = try await FakeModelServer.start()
        // One retryable failure: the provider, which knows nothing of runs, logs the retry.
        fake.enqueue(FakeReply(error: .init(status: 503, message: "loading")), FakeReply(text: "Hello."))
        let provider = OpenAICompatibleProvider(
            configuration: .init(baseURL: fake.baseURL, maxRetries: 1, initialBackoff: .milliseconds(1)), logger: logger)
        let store = try SQLiteStore.inMemory()
        let blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
        let engine = RunEngine(
            store: store, blobs: blobs, vectorStores: VectorStores(store: store, blobs: blobs, index: try SearchIndex()),
            provider: provider, configuration: .init(workers: 1), logger: logger)
        let task = Task { try await engine.run() }
        try await store.createAssistant(Assistant(id: "asst_1", createdAt: 1, model: "m"))
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])

        // As the server handles a request: its id is the context.
        let run = try await LogContext.with(["request_id": "req_test"]) {
            try await engine.createRun(threadID: thread.id, CreateRunRequest(assistantID: "asst_1")).run
        }
        let ended = try await eventually { try await store.run(id: run.id, threadID: thread.id).flatMap { $0.status.isTerminal ? $0 : nil } }
        #expect(ended.status == .completed)
        task.cancel()
        _ = await task.result
        await fake.stop()

        let lines = recorded.entries.withLock { $0 }
        let retry = try #require(lines.first { $0.message == "model endpoint call failed, retrying" })
        #expect(retry.metadata["run_id"] == "\(run.id)")
        #expect(retry.metadata["thread_id"] == "\(thread.id)")
        #expect(retry.metadata["request_id"] == "req_test")
        let end = try #require(lines.first { $0.message == "run ended" })
        #expect(end.metadata["request_id"] == "req_test")
        // The engine's own lines outside any run or request carry neither.
        let started = try #require(lines.first { $0.message == "run engine started" })
        #expect(started.metadata["run_id"] == nil && started.metadata["request_id"] == nil)
    }
}
