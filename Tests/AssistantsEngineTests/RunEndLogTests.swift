import AssistantsAPI
import AssistantsStore
import Logging
import SQLiteStore
import Synchronization
import Testing
@testable import AssistantsEngine

/// An operator reads why a run ended from the logs alone.
@Suite struct RunEndLogTests {
    final class Recorded: Sendable {
        struct Entry { var level: Logger.Level; var message: String; var metadata: Logger.Metadata }
        let entries = Mutex<[Entry]>([])
    }

    struct RecordingHandler: LogHandler {
        let recorded: Recorded
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorded.entries.withLock { $0.append(.init(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:])) }
        }
    }

    @Test func aFailedRunsEndIsLoggedWithItsError() async throws {
        let store = try SQLiteStore.inMemory()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        let run = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", status: .inProgress,
                      expiresAt: SystemClock().now() + 600, model: "qwen2.5", instructions: "")
        try await store.createRun(run, additionalMessages: [])
        let recorded = Recorded()
        let finalizer = RunFinalizer(store: store, hub: InProcessEventBus(), clock: .system, logger: Logger(label: "test") { _ in RecordingHandler(recorded: recorded) })

        try await finalizer.end(runID: run.id, threadID: thread.id, as: .failed(RunError(code: "server_error", message: "The model endpoint reported an error: boom")))

        let entry = try #require(recorded.entries.withLock { $0 }.first { $0.message == "run ended" })
        #expect(entry.level == .warning)
        #expect(entry.metadata["run_id"] == "\(run.id)")
        #expect(entry.metadata["status"] == "failed")
        #expect(entry.metadata["model"] == "qwen2.5")
        #expect(entry.metadata["last_error.code"] == "server_error")
        #expect(entry.metadata["last_error.message"] == "The model endpoint reported an error: boom")
    }
}
