import AssistantsAPI
import AssistantsStore
import Foundation
import Testing

/// What a store promises to callers racing each other, as several server nodes do: the thread lock holds,
/// read-modify-write loses nothing, paging sees every item once while others insert, and cursors belong
/// to their list. Run against each backend.
@Suite(.closesStores) struct ConcurrencyContractTests {
    func thread(_ store: any AssistantsStore) async throws -> AssistantThread {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        return thread
    }

    func run(on thread: AssistantThread) -> Run {
        Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", status: .queued, model: "m", instructions: "")
    }

    func message(on thread: AssistantThread, _ text: String = "hi") -> Message {
        Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: text))])
    }

    /// How one racing call ended.
    enum Outcome: Sendable, Equatable {
        case stored(String)
        case refused(StoreError)

        var storedID: String? {
            if case .stored(let id) = self { return id }
            return nil
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentRunsOnOneThreadLeaveExactlyOneActive(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let runs = (0..<20).map { _ in run(on: thread) }
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for run in runs {
                group.addTask { [added = message(on: thread)] in
                    do {
                        try await store.createRun(run, additionalMessages: [added])
                        return .stored(run.id)
                    } catch let error as StoreError {
                        return .refused(error)
                    }
                }
            }
            return try await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        let winners = outcomes.compactMap(\.storedID)
        try #require(winners.count == 1)
        let refusals = outcomes.filter { $0 == .refused(.threadHasActiveRun(threadID: thread.id, runID: winners[0])) }
        #expect(refusals.count == 19)
        #expect(try await store.activeRuns().map(\.id) == winners)
        #expect(try await store.listRuns(threadID: thread.id, ListQuery(limit: 100)).data.map(\.id) == winners)
        // Only the winner's message was added with it.
        #expect(try await store.allMessages(threadID: thread.id).count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func messagesRacingAnActiveRunAreAllRefused(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let active = run(on: thread)
        try await store.createRun(active, additionalMessages: [])
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for index in 0..<20 {
                group.addTask { [added = message(on: thread, "m\(index)")] in
                    do {
                        try await store.appendMessage(added)
                        return .stored(added.id)
                    } catch let error as StoreError {
                        return .refused(error)
                    }
                }
            }
            return try await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: .refused(.threadLocked(threadID: thread.id, runID: active.id)), count: 20))
        #expect(try await store.allMessages(threadID: thread.id).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func messagesRacingRunCreationLandBeforeTheRunOrNotAtAll(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let outcomes = try await withThrowingTaskGroup(of: (isRun: Bool, outcome: Outcome).self) { group in
            for index in 0..<20 {
                if index.isMultiple(of: 2) {
                    group.addTask { [run = run(on: thread)] in
                        do {
                            try await store.createRun(run, additionalMessages: [])
                            return (true, .stored(run.id))
                        } catch let error as StoreError {
                            return (true, .refused(error))
                        }
                    }
                } else {
                    group.addTask { [added = message(on: thread, "m\(index)")] in
                        do {
                            try await store.appendMessage(added)
                            return (false, .stored(added.id))
                        } catch let error as StoreError {
                            return (false, .refused(error))
                        }
                    }
                }
            }
            return try await group.reduce(into: [(isRun: Bool, outcome: Outcome)]()) { $0.append($1) }
        }
        let runIDs = outcomes.filter(\.isRun).compactMap(\.outcome.storedID)
        try #require(runIDs.count == 1)
        let stored = outcomes.filter { !$0.isRun }.compactMap(\.outcome.storedID)
        for (isRun, outcome) in outcomes where outcome != .stored(runIDs[0]) {
            if case .refused(let error) = outcome {
                #expect(error == (isRun ? .threadHasActiveRun(threadID: thread.id, runID: runIDs[0]) : .threadLocked(threadID: thread.id, runID: runIDs[0])))
            }
        }
        #expect(Set(try await store.allMessages(threadID: thread.id).map(\.id)) == Set(stored))
        #expect(try await store.activeRuns().map(\.id) == runIDs)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentUpdatesOfOneObjectLoseNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let original = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "Counter", model: "m", instructions: "")
        try await store.createAssistant(original)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await store.updateAssistant(id: original.id) { assistant in
                        assistant.metadata["k\(index)"] = "v\(index)"
                        assistant.instructions = (assistant.instructions ?? "") + "\(index);"
                    }
                }
            }
            try await group.waitForAll()
        }
        let updated = try #require(try await store.assistant(id: original.id))
        #expect(updated.metadata == Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", "v\($0)") }))
        let appended = (updated.instructions ?? "").split(separator: ";").compactMap { Int($0) }
        #expect(appended.sorted() == Array(0..<50))
    }

    @Test(arguments: StoreBackend.allCases)
    func pagingSeesEveryItemOnceWhileOthersInsert(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var existing: [String] = []
        for index in 0..<30 {
            let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "old \(index)", model: "m")
            try await store.createAssistant(assistant)
            existing.append(assistant.id)
        }
        let inserted = Inserted()
        let inserters = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<10 {
                            let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "new \(writer)-\(index)", model: "m")
                            try await store.createAssistant(assistant)
                            await inserted.add(assistant.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var seen: [String] = []
        var page = try await store.listAssistants(ListQuery(limit: 3, order: .asc))
        var insertedBeforeLastPage: Set<String> = []
        while true {
            seen += page.data.map(\.id)
            guard page.hasMore, let last = page.lastID else { break }
            insertedBeforeLastPage = await inserted.ids
            page = try await store.listAssistants(ListQuery(limit: 3, order: .asc, after: last))
        }
        try await inserters.value

        #expect(Set(seen).count == seen.count, "an item was listed twice")
        #expect(seen.filter(Set(existing).contains) == existing, "items that existed before paging were missed or out of order")
        // Items inserted while paging come after everything committed before them: any insert that had
        // finished when the last page was asked for is on one of the pages.
        #expect(insertedBeforeLastPage.subtracting(seen).isEmpty, "an item committed before the last page was skipped")
        let all = try await store.listAssistants(ListQuery(limit: 200, order: .asc)).data.map(\.id)
        #expect(all.count == 110)
        #expect(Array(all.prefix(seen.count)) == seen, "the pages were not the list's order")
    }

    @Test(arguments: StoreBackend.allCases)
    func aCursorFromAnotherListIsRefused(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = try await thread(store)
        let second = try await thread(store)
        let mine = message(on: first)
        let theirs = message(on: second)
        try await store.appendMessage(mine)
        try await store.appendMessage(theirs)
        await #expect(throws: StoreError.unknownCursor(param: "after", id: theirs.id)) {
            try await store.listMessages(threadID: first.id, runID: nil, ListQuery(after: theirs.id))
        }
        await #expect(throws: StoreError.unknownCursor(param: "before", id: theirs.id)) {
            try await store.listMessages(threadID: first.id, runID: nil, ListQuery(before: theirs.id))
        }
        // A message id is no cursor for a list of runs, and a run of another thread none for this one.
        await #expect(throws: StoreError.unknownCursor(param: "after", id: mine.id)) {
            try await store.listRuns(threadID: first.id, ListQuery(after: mine.id))
        }
        let otherRun = run(on: second)
        try await store.createRun(otherRun, additionalMessages: [])
        await #expect(throws: StoreError.unknownCursor(param: "after", id: otherRun.id)) {
            try await store.listRuns(threadID: first.id, ListQuery(after: otherRun.id))
        }
        let step = RunStep(id: ObjectKind.step.newID(), createdAt: 1, assistantID: "asst_1", threadID: second.id, runID: otherRun.id,
                           details: .toolCalls([]))
        try await store.saveRunProgress(messages: [], steps: [step])
        await #expect(throws: StoreError.unknownCursor(param: "after", id: step.id)) {
            try await store.listSteps(runID: "run_other", ListQuery(after: step.id))
        }
        // A cursor of the list itself still works, deleted or not.
        #expect(try await store.deleteMessage(id: mine.id, threadID: first.id))
        #expect(try await store.listMessages(threadID: first.id, runID: nil, ListQuery(after: mine.id)).data.isEmpty)
    }
}

/// The ids the inserters have committed so far.
private actor Inserted {
    private(set) var ids: Set<String> = []
    func add(_ id: String) { ids.insert(id) }
}
