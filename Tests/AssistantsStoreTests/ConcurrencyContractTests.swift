import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
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

    /// The same for a run, whose changes come alone (start, end, cancel) or with the messages and steps it
    /// writes, from several nodes at once: every change lands, and so does everything saved with one.
    @Test(arguments: StoreBackend.allCases)
    func concurrentChangesOfOneRunLoseNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let created = run(on: thread)
        try await store.createRun(created, additionalMessages: [])
        let steps = try await withThrowingTaskGroup(of: RunStep?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    // Every other change saves a step with it.
                    let step = index.isMultiple(of: 2) ? nil : RunStep(
                        id: ObjectKind.step.newID(), createdAt: index, assistantID: "asst_1", threadID: thread.id, runID: created.id,
                        details: .messageCreation(messageID: ObjectKind.message.newID()))
                    _ = try await store.updateRun(id: created.id, threadID: thread.id, saving: [], step.map { [$0] } ?? []) { run in
                        run.metadata["k\(index)"] = "v\(index)"
                    }
                    return step
                }
            }
            var steps: [String] = []
            for try await step in group { if let step { steps.append(step.id) } }
            return steps
        }
        let stored = try #require(try await store.run(id: created.id, threadID: thread.id))
        #expect(stored.metadata == Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", "v\($0)") }))
        #expect(Set(try await store.allSteps(runID: created.id).map(\.id)) == Set(steps))
        // The status column the thread lock reads follows the body.
        _ = try await store.updateRun(id: created.id, threadID: thread.id) { $0.status = .completed }
        try await store.createRun(run(on: thread), additionalMessages: [])
    }

    /// A reader follows the list's tail with `after=<last id>`, as a client polling for new items does,
    /// while writers insert. Rows that commit out of `seq` order would let it step past a row committed a
    /// moment later with a lower `seq`, which it would then never see.
    @Test(arguments: StoreBackend.allCases)
    func pagingSeesEveryItemOnceWhileOthersInsert(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var existing: [String] = []
        for index in 0..<10 {
            let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "old \(index)", model: "m")
            try await store.createAssistant(assistant)
            existing.append(assistant.id)
        }
        try await expectTailFollowing(writers: 8, rounds: 15, existing: existing) { _, _ in
            let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "new", model: "m")
            try await store.createAssistant(assistant)
            return [assistant.id]
        } page: { cursor in
            try await store.listAssistants(ListQuery(limit: 5, order: .asc, after: cursor))
        }
    }

    /// The same with file batches added to one vector store: each batch's transaction inserts many rows,
    /// so a later, smaller batch has every chance to commit first.
    @Test(arguments: StoreBackend.allCases)
    func pagingAStoresFilesStaysExactWhileBatchesAreAdded(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        let existing = (0..<10).map { VectorStoreFile(id: "file-old-\($0)", createdAt: 1, vectorStoreID: vectorStore.id) }
        try await store.createVectorStore(vectorStore, files: existing)
        try await expectTailFollowing(writers: 6, rounds: 5, existing: existing.map(\.id)) { writer, round in
            let size = writer.isMultiple(of: 2) ? 12 : 1
            let files = (0..<size).map { VectorStoreFile(id: "file-\(writer)-\(round)-\($0)", createdAt: 1, vectorStoreID: vectorStore.id) }
            let batch = VectorStoreFileBatch(id: ObjectKind.fileBatch.newID(), createdAt: 1, vectorStoreID: vectorStore.id)
            try await store.addVectorStoreFiles(files, batch: batch)
            return files.map(\.id)
        } page: { cursor in
            try await store.listVectorStoreFiles(storeID: vectorStore.id, batchID: nil, status: nil, ListQuery(limit: 5, order: .asc, after: cursor))
        }
    }

    /// Threads made with their first run, as `POST /threads/runs` makes them: every creation adds to the one
    /// list of all threads, and takes that list's lock in the statement that inserts the thread.
    @Test(arguments: StoreBackend.allCases)
    func pagingThreadsStaysExactWhileThreadsAreMadeWithRuns(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var existing: [String] = []
        for _ in 0..<10 { existing.append(try await thread(store).id) }
        try await expectTailFollowing(writers: 8, rounds: 10, existing: existing) { _, _ in
            let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
            _ = try await store.createThreadAndRun(thread, messages: [self.message(on: thread)], run: self.run(on: thread))
            return [thread.id]
        } page: { cursor in
            try await store.listThreads(ListQuery(limit: 5, order: .asc, after: cursor))
        }
    }

    /// A run's messages saved as its progress, from several writers at once, join the thread's list in the
    /// order they commit: the save takes the list's lock in the statement that writes.
    @Test(arguments: StoreBackend.allCases)
    func pagingAThreadsMessagesStaysExactWhileProgressIsSaved(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let existing = (0..<10).map { message(on: thread, "old \($0)") }
        for message in existing { try await store.appendMessage(message) }
        let active = run(on: thread)
        try await store.createRun(active, additionalMessages: [])
        try await expectTailFollowing(writers: 8, rounds: 10, existing: existing.map(\.id)) { writer, round in
            var written = self.message(on: thread, "\(writer).\(round)")
            written.runID = active.id
            try await store.saveRunProgress(messages: [written], steps: [])
            return [written.id]
        } page: { cursor in
            try await store.listMessages(threadID: thread.id, runID: nil, ListQuery(limit: 5, order: .asc, after: cursor))
        }
    }

    /// Runs `writers` tasks calling `insert` `rounds` times each while following the list's tail page by
    /// page until every insert has committed; then the pages must be exactly the list.
    func expectTailFollowing<Item: Identifiable & Sendable>(
        writers: Int, rounds: Int, existing: [String],
        insert: @escaping @Sendable (_ writer: Int, _ round: Int) async throws -> [String],
        page: (String?) async throws -> ListPage<Item>
    ) async throws where Item.ID == String {
        let inserted = Inserted()
        let inserters = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for round in 0..<rounds { await inserted.add(try await insert(writer, round)) }
                    }
                }
                try await group.waitForAll()
            }
        }
        var seen: [String] = []
        var cursor: String?
        while true {
            // Known before the page is asked for: once every insert has committed, the pages reach the end.
            let insertsDone = await inserted.rounds == writers * rounds
            let current = try await page(cursor)
            seen += current.data.map(\.id)
            cursor = current.lastID ?? cursor
            if !current.hasMore && insertsDone { break }
        }
        try await inserters.value

        var all: [String] = []
        var next: ListPage<Item>? = try await page(nil)
        while let current = next {
            all += current.data.map(\.id)
            next = current.hasMore ? try await page(current.lastID) : nil
        }
        #expect(Set(seen).count == seen.count, "an item was listed twice")
        #expect(Array(seen.prefix(existing.count)) == existing, "items that existed before paging were missed or out of order")
        #expect(all.count == existing.count + (await inserted.ids.count))
        #expect(seen == all, "the pages skipped items or were not in the list's order")
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

/// What the inserters have committed so far.
private actor Inserted {
    private(set) var ids: Set<String> = []
    private(set) var rounds = 0

    func add(_ committed: [String]) {
        ids.formUnion(committed)
        rounds += 1
    }
}
