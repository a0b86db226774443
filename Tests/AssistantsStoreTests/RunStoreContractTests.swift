import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
import Testing

/// Runs and steps, run against each backend: the thread lock, transactional progress, recovery queries.
@Suite(.closesStores) struct RunStoreContractTests {
    func thread(_ store: any AssistantsStore) async throws -> AssistantThread {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        return thread
    }

    func run(on thread: AssistantThread, status: Run.Status = .queued) -> Run {
        Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", status: status, model: "m", instructions: "")
    }

    func userMessage(on thread: AssistantThread) -> Message {
        Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: "hi"))])
    }

    @Test(arguments: StoreBackend.allCases)
    func anActiveRunLocksItsThread(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let first = run(on: thread)
        try await store.createRun(first, additionalMessages: [userMessage(on: thread)])
        await #expect(throws: StoreError.threadHasActiveRun(threadID: thread.id, runID: first.id)) {
            try await store.createRun(run(on: thread), additionalMessages: [])
        }
        let blocked = userMessage(on: thread)
        await #expect(throws: StoreError.threadLocked(threadID: thread.id, runID: first.id)) {
            try await store.appendMessage(blocked)
        }
        // Nothing of the refused calls was written.
        #expect(try await store.allMessages(threadID: thread.id).count == 1)
        #expect(try await store.listRuns(threadID: thread.id, ListQuery()).data.map(\.id) == [first.id])

        _ = try await store.updateRun(id: first.id, threadID: thread.id) { $0.status = .completed }
        try await store.appendMessage(blocked)
        try await store.createRun(run(on: thread), additionalMessages: [])
    }

    @Test(arguments: StoreBackend.allCases)
    func progressIsSavedWithTheRunOrNotAtAll(_ backend: StoreBackend) async throws {
        struct Refused: Error {}
        let store = try await backend.make()
        let thread = try await thread(store)
        let queued = run(on: thread)
        try await store.createRun(queued, additionalMessages: [])
        let message = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, status: .inProgress,
                              role: .assistant, content: [], runID: queued.id)
        let step = RunStep(id: ObjectKind.step.newID(), createdAt: 1, assistantID: "asst_1", threadID: thread.id, runID: queued.id,
                           details: .messageCreation(messageID: message.id))
        await #expect(throws: Refused.self) {
            try await store.updateRun(id: queued.id, threadID: thread.id, saving: [message], [step]) { _ in throw Refused() }
        }
        #expect(try await store.allSteps(runID: queued.id).isEmpty)
        #expect(try await store.message(id: message.id, threadID: thread.id) == nil)

        let updated = try await store.updateRun(id: queued.id, threadID: thread.id, saving: [message], [step]) { $0.status = .inProgress }
        #expect(updated?.status == .inProgress)
        #expect(try await store.allSteps(runID: queued.id) == [step])
        #expect(try await store.message(id: message.id, threadID: thread.id) == message)

        // Saving again replaces, keeping the step's place.
        var finished = step
        finished.status = .completed
        let second = RunStep(id: ObjectKind.step.newID(), createdAt: 2, assistantID: "asst_1", threadID: thread.id, runID: queued.id,
                             details: .toolCalls([]))
        try await store.saveRunProgress(messages: [], steps: [second, finished])
        #expect(try await store.allSteps(runID: queued.id).map(\.id) == [step.id, second.id])
        #expect(try await store.step(id: step.id, runID: queued.id)?.status == .completed)
        #expect(try await store.listSteps(runID: queued.id, ListQuery(limit: 1)).hasMore)
    }

    @Test(arguments: StoreBackend.allCases)
    func openMessagesAreTheRunsOwnInProgressOnes(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let other = try await self.thread(store)
        let earlier = run(on: thread, status: .incomplete)
        try await store.createRun(earlier, additionalMessages: [userMessage(on: thread)])
        let current = run(on: thread)
        try await store.createRun(current, additionalMessages: [])
        func answer(_ run: Run, on thread: AssistantThread, _ status: Message.Status, at time: Int) -> Message {
            Message(id: ObjectKind.message.newID(), createdAt: time, threadID: thread.id, status: status, role: .assistant, content: [],
                    runID: run.id)
        }
        let first = answer(current, on: thread, .inProgress, at: 2), second = answer(current, on: thread, .inProgress, at: 3)
        let others = [
            answer(earlier, on: thread, .inProgress, at: 1),   // another run's, on the same thread
            answer(current, on: thread, .completed, at: 2),     // the run's, but done
            answer(current, on: other, .inProgress, at: 2),     // the run's id, but another thread
        ]
        try await store.saveRunProgress(messages: [others[0], first, others[1], others[2], second], steps: [])

        #expect(try await store.openMessages(runID: current.id, threadID: thread.id) == [first, second])
        #expect(try await store.openMessages(runID: earlier.id, threadID: thread.id) == [others[0]])
        #expect(try await store.openMessages(runID: "run_none", threadID: thread.id).isEmpty)
        #expect(try await store.runMessages(runID: current.id, threadID: thread.id) == [first, others[1], second])
        #expect(try await store.deleteMessage(id: first.id, threadID: thread.id))
        #expect(try await store.openMessages(runID: current.id, threadID: thread.id) == [second])
    }

    @Test(arguments: StoreBackend.allCases)
    func activeRunsAreThoseNotYetEnded(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var ids: [String] = []
        for status in [Run.Status.queued, .inProgress, .requiresAction, .cancelling, .completed, .failed, .cancelled, .expired, .incomplete] {
            let thread = try await thread(store)
            let created = run(on: thread, status: status)
            try await store.createRun(created, additionalMessages: [])
            ids.append(created.id)
        }
        #expect(try await store.activeRuns().map(\.id) == Array(ids.prefix(4)))
    }

    @Test(arguments: StoreBackend.allCases)
    func storageFieldsSurviveButStayOffTheWire(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let created = run(on: thread)
        try await store.createRun(created, additionalMessages: [])
        let usage = Usage(promptTokens: 7, completionTokens: 3)
        _ = try await store.updateRun(id: created.id, threadID: thread.id) { $0.usageSoFar = usage }
        let stored = try await store.run(id: created.id, threadID: thread.id)
        #expect(stored?.usageSoFar == usage)
        #expect(stored?.usage == nil)
        let wire = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        #expect(!wire.contains("_usage_so_far"))
        #expect(wire.contains("\"usage\":null"))
    }

    @Test(arguments: StoreBackend.allCases)
    func deletingAThreadDeletesItsRunsAndSteps(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let created = run(on: thread, status: .completed)
        try await store.createRun(created, additionalMessages: [])
        let step = RunStep(id: ObjectKind.step.newID(), createdAt: 1, assistantID: "asst_1", threadID: thread.id, runID: created.id,
                           details: .toolCalls([]))
        try await store.saveRunProgress(messages: [], steps: [step])
        #expect(try await store.deleteThread(id: thread.id))
        #expect(try await store.run(id: created.id, threadID: thread.id) == nil)
        #expect(try await store.allSteps(runID: created.id).isEmpty)
    }
}
