import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import ModelProviders
import SQLiteStore
import Testing
@testable import AssistantsEngine

/// What an engine does with the runs a killed process left behind.
@Suite struct RecoveryTests {
    @Test func leftoverRunsAreFinishedOrResumed() async throws {
        let store = try SQLiteStore.inMemory()
        let fake = try await FakeModelServer.start()
        let interrupted = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let waiting = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(interrupted, messages: [])
        try await store.createThread(waiting, messages: [
            Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: waiting.id, role: .user, content: [.text(.init(value: "Hi"))]),
        ])
        let now = SystemClock().now()
        let inProgress = Run(id: ObjectKind.run.newID(), createdAt: now, threadID: interrupted.id, assistantID: "asst_1",
                             status: .inProgress, expiresAt: now + 600, model: "m", instructions: "")
        let queued = Run(id: ObjectKind.run.newID(), createdAt: now, threadID: waiting.id, assistantID: "asst_1", expiresAt: now + 600,
                         model: "m", instructions: "")
        try await store.createRun(inProgress, additionalMessages: [])
        try await store.createRun(queued, additionalMessages: [])
        let partial = Message(id: ObjectKind.message.newID(), createdAt: now, threadID: interrupted.id, status: .inProgress,
                              role: .assistant, content: [], runID: inProgress.id)
        let step = RunStep(id: ObjectKind.step.newID(), createdAt: now, assistantID: "asst_1", threadID: interrupted.id,
                           runID: inProgress.id, details: .messageCreation(messageID: partial.id))
        try await store.saveRunProgress(messages: [partial], steps: [step])

        let provider = OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL))
        let engine = try RunEngine.testing(store: store, provider: provider, configuration: .init(workers: 2, sweepInterval: .milliseconds(50)))
        let task = Task { try await engine.run() }
        defer { task.cancel() }

        let resumed = try await eventually { try await store.run(id: queued.id, threadID: waiting.id).flatMap { $0.status.isTerminal ? $0 : nil } }
        #expect(resumed.status == .completed)
        let failed = try await store.run(id: inProgress.id, threadID: interrupted.id)
        #expect(failed?.status == .failed)
        #expect(failed?.lastError?.code == "server_error")
        #expect(failed?.lastError?.message.contains("server stopped") == true)
        let message = try await store.message(id: partial.id, threadID: interrupted.id)
        #expect(message?.status == .incomplete)
        #expect(message?.incompleteDetails?.reason == "run_failed")
        let closedStep = try await store.step(id: step.id, runID: inProgress.id)
        #expect(closedStep?.status == .failed)
        // The thread is usable again.
        let next = Run(id: ObjectKind.run.newID(), createdAt: now, threadID: interrupted.id, assistantID: "asst_1", model: "m", instructions: "")
        try await store.createRun(next, additionalMessages: [])
        task.cancel()
        _ = await task.result
        await fake.stop()
    }

    @Test func overdueRunsExpire() async throws {
        let store = try SQLiteStore.inMemory()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        let run = {
            var run = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", status: .requiresAction,
                          expiresAt: SystemClock().now() - 1, model: "m", instructions: "")
            run.requiredAction = RequiredAction(toolCalls: [RequiredToolCall(id: "call_1", name: "f", arguments: "{}")])
            return run
        }()
        try await store.createRun(run, additionalMessages: [])
        let step = RunStep(id: ObjectKind.step.newID(), createdAt: 1, assistantID: "asst_1", threadID: thread.id, runID: run.id,
                           details: .toolCalls([ToolCall(id: "call_1", kind: .function(name: "f", arguments: "{}", output: nil))]))
        try await store.saveRunProgress(messages: [], steps: [step])

        let engine = try RunEngine.testing(store: store, provider: nil, configuration: .init(workers: 1, sweepInterval: .milliseconds(20)))
        let task = Task { try await engine.run() }
        let expired = try await eventually { try await store.run(id: run.id, threadID: thread.id).flatMap { $0.status == .expired ? $0 : nil } }
        #expect(expired.requiredAction == nil)
        let expiredStep = try await store.step(id: step.id, runID: run.id)
        #expect(expiredStep?.status == .expired)
        #expect(expiredStep?.expiredAt != nil)
        task.cancel()
        _ = await task.result
    }
}

/// Polls `condition` until it gives a value, for at most five seconds.
func eventually<T>(_ condition: () async throws -> T?) async throws -> T {
    for _ in 0..<500 {
        if let value = try await condition() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimeoutError()
}

struct TimeoutError: Error {}

@Suite struct QueuedExpiryTests {
    /// A run that waited in the queue past `expires_at` ends expired instead of running late.
    @Test func overdueQueuedRunsExpireWithoutCallingTheModel() async throws {
        let store = try SQLiteStore.inMemory()
        let fake = try await FakeModelServer.start()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        let run = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1",
                      expiresAt: SystemClock().now() - 1, model: "m", instructions: "")
        try await store.createRun(run, additionalMessages: [])
        let engine = try RunEngine.testing(
            store: store, provider: OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL)),
            configuration: .init(workers: 1, sweepInterval: .milliseconds(10)))
        let task = Task { try await engine.run() }
        let ended = try await eventually { try await store.run(id: run.id, threadID: thread.id).flatMap { $0.status.isTerminal ? $0 : nil } }
        #expect(ended.status == .expired)
        #expect(fake.requests().isEmpty)
        task.cancel()
        _ = await task.result
        await fake.stop()
    }
}
