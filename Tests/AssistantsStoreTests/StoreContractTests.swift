import AssistantsAPI
import AssistantsStore
import PostgresTestSupport
import Testing

/// The behaviour every store must have, run against each backend.
@Suite(.closesStores) struct StoreContractTests {
    func assistant(_ name: String, createdAt: Int = 1_700_000_000) -> Assistant {
        Assistant(id: ObjectKind.assistant.newID(), createdAt: createdAt, name: name, model: "gpt-4o")
    }

    func message(_ text: String, thread: String, run: String? = nil) -> Message {
        Message(
            id: ObjectKind.message.newID(), createdAt: 1_700_000_000, threadID: thread, role: .user,
            content: [.text(.init(value: text))], runID: run)
    }

    @Test(arguments: StoreBackend.allCases)
    func assistantLifecycle(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var tutor = assistant("Tutor")
        tutor.tools = [.codeInterpreter, .function(.init(name: "lookup", parameters: .object(["type": .string("object")])))]
        tutor.metadata = ["team": "math"]
        let original = tutor
        try await store.createAssistant(original)
        #expect(try await store.assistant(id: original.id) == original)

        let updated = try await store.updateAssistant(id: original.id) { $0.name = "Renamed" }
        #expect(updated?.name == "Renamed")
        #expect(try await store.assistant(id: original.id)?.name == "Renamed")
        #expect(try await store.updateAssistant(id: "asst_missing") { $0.name = "x" } == nil)

        #expect(try await store.deleteAssistant(id: original.id))
        #expect(try await store.assistant(id: original.id) == nil)
        #expect(try await store.deleteAssistant(id: original.id) == false)
    }

    @Test(arguments: StoreBackend.allCases)
    func failedUpdateChangesNothing(_ backend: StoreBackend) async throws {
        struct Refused: Error {}
        let store = try await backend.make()
        let original = assistant("Kept")
        try await store.createAssistant(original)
        await #expect(throws: Refused.self) {
            try await store.updateAssistant(id: original.id) { assistant in
                assistant.name = "Half"
                throw Refused()
            }
        }
        #expect(try await store.assistant(id: original.id)?.name == "Kept")
    }

    @Test(arguments: StoreBackend.allCases)
    func pagination(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.listAssistants(ListQuery()).data.isEmpty)
        let empty = try await store.listAssistants(ListQuery())
        #expect(empty.firstID == nil && empty.lastID == nil && empty.hasMore == false)

        var ids: [String] = []
        for index in 0..<7 {
            let created = assistant("a\(index)")
            try await store.createAssistant(created)
            ids.append(created.id)
        }
        let newestFirst = Array(ids.reversed())

        let all = try await store.listAssistants(ListQuery(limit: 100))
        #expect(all.data.map(\.id) == newestFirst)
        #expect(all.hasMore == false)

        let one = try await store.listAssistants(ListQuery(limit: 1))
        #expect(one.data.map(\.id) == [newestFirst[0]])
        #expect(one.hasMore && one.firstID == newestFirst[0] && one.lastID == newestFirst[0])

        let ascending = try await store.listAssistants(ListQuery(limit: 3, order: .asc))
        #expect(ascending.data.map(\.id) == Array(ids.prefix(3)))
        #expect(ascending.hasMore)

        let afterPage = try await store.listAssistants(ListQuery(limit: 3, after: newestFirst[2]))
        #expect(afterPage.data.map(\.id) == Array(newestFirst[3...5]))

        let lastPage = try await store.listAssistants(ListQuery(limit: 3, after: newestFirst[3]))
        #expect(lastPage.data.map(\.id) == Array(newestFirst[4...6]))
        #expect(lastPage.hasMore == false)

        // `before` alone gives the items nearest the cursor, still in the requested order.
        let beforePage = try await store.listAssistants(ListQuery(limit: 2, before: newestFirst[4]))
        #expect(beforePage.data.map(\.id) == [newestFirst[2], newestFirst[3]])
        #expect(beforePage.hasMore)

        let between = try await store.listAssistants(ListQuery(limit: 10, after: newestFirst[1], before: newestFirst[5]))
        #expect(between.data.map(\.id) == Array(newestFirst[2...4]))

        let betweenAscending = try await store.listAssistants(ListQuery(limit: 10, order: .asc, after: ids[1], before: ids[4]))
        #expect(betweenAscending.data.map(\.id) == [ids[2], ids[3]])

        await #expect(throws: StoreError.unknownCursor(param: "after", id: "asst_unknown")) {
            try await store.listAssistants(ListQuery(after: "asst_unknown"))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func deletedObjectsRemainCursors(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var ids: [String] = []
        for index in 0..<5 {
            let created = assistant("a\(index)")
            try await store.createAssistant(created)
            ids.append(created.id)
        }
        // The cleanup loop: take a page, delete it, ask for the page after the last deleted item.
        let first = try await store.listAssistants(ListQuery(limit: 2, order: .asc))
        for item in first.data { _ = try await store.deleteAssistant(id: item.id) }
        let second = try await store.listAssistants(ListQuery(limit: 2, order: .asc, after: first.lastID))
        #expect(second.data.map(\.id) == [ids[2], ids[3]])
    }

    @Test(arguments: StoreBackend.allCases)
    func threadsAndMessages(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1_700_000_000, metadata: ["k": "v"])
        let first = message("one", thread: thread.id)
        let second = message("two", thread: thread.id)
        try await store.createThread(thread, messages: [first, second])
        #expect(try await store.thread(id: thread.id) == thread)

        let third = message("three", thread: thread.id, run: "run_abc")
        try await store.appendMessage(third)
        let page = try await store.listMessages(threadID: thread.id, runID: nil, ListQuery(order: .asc))
        #expect(page.data.map(\.id) == [first.id, second.id, third.id])
        let byRun = try await store.listMessages(threadID: thread.id, runID: "run_abc", ListQuery())
        #expect(byRun.data.map(\.id) == [third.id])

        #expect(try await store.message(id: first.id, threadID: "thread_other") == nil)
        let updated = try await store.updateMessage(id: first.id, threadID: thread.id) { $0.metadata = ["x": "y"] }
        #expect(updated?.metadata == ["x": "y"])
        #expect(try await store.deleteMessage(id: second.id, threadID: thread.id))
        #expect(try await store.message(id: second.id, threadID: thread.id) == nil)

        let modified = try await store.updateThread(id: thread.id) { $0.metadata = [:] }
        #expect(modified?.metadata == [:])

        #expect(try await store.deleteThread(id: thread.id))
        #expect(try await store.thread(id: thread.id) == nil)
        #expect(try await store.message(id: first.id, threadID: thread.id) == nil)
        await #expect(throws: StoreError.notFound(.thread, id: thread.id)) {
            try await store.appendMessage(message("late", thread: thread.id))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func threadsAreListedNewestFirstWithoutPrivateThreads(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var ids: [String] = []
        for index in 0..<3 {
            let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1_700_000_000 + index)
            try await store.createThread(thread, messages: [])
            ids.append(thread.id)
            if index == 1 {
                // A response's private thread, made between the others: never listed, nor counted by a page.
                let hidden = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1_700_000_000)
                let run = Run(
                    id: ObjectKind.run.newID(), createdAt: 1, threadID: hidden.id, assistantID: "", status: .queued,
                    model: "m", instructions: "")
                let record = ResponseRecord(
                    response: ModelResponse(id: ObjectKind.response.newID(), createdAt: 1, model: "m"), runID: run.id, threadID: hidden.id)
                try await store.createResponse(record, run: run, input: [], privateThread: hidden)
                #expect(try await store.thread(id: hidden.id) != nil)
            }
        }
        let newestFirst = Array(ids.reversed())
        #expect(try await store.listThreads(ListQuery()).data.map(\.id) == newestFirst)
        #expect(try await store.listThreads(ListQuery(order: .asc)).data.map(\.id) == ids)

        let first = try await store.listThreads(ListQuery(limit: 2))
        #expect(first.data.map(\.id) == Array(newestFirst.prefix(2)))
        #expect(first.hasMore && first.lastID == newestFirst[1])
        let rest = try await store.listThreads(ListQuery(limit: 2, after: newestFirst[1]))
        #expect(rest.data.map(\.id) == [newestFirst[2]])
        #expect(rest.hasMore == false)

        #expect(try await store.deleteThread(id: ids[1]))
        #expect(try await store.listThreads(ListQuery()).data.map(\.id) == [ids[2], ids[0]])
        await #expect(throws: StoreError.unknownCursor(param: "after", id: "thread_missing")) {
            try await store.listThreads(ListQuery(after: "thread_missing"))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func messagesStayInTheirThread(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let a = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let b = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(a, messages: [message("in a", thread: a.id)])
        try await store.createThread(b, messages: [message("in b", thread: b.id)])
        let inA = try await store.listMessages(threadID: a.id, runID: nil, ListQuery())
        #expect(inA.data.count == 1 && inA.data[0].threadID == a.id)
        _ = try await store.deleteThread(id: a.id)
        #expect(try await store.listMessages(threadID: b.id, runID: nil, ListQuery()).data.count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func files(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let kept = FileObject(id: ObjectKind.file.newID(), bytes: 10, createdAt: 1, filename: "a.txt", purpose: "assistants")
        let image = FileObject(id: ObjectKind.file.newID(), bytes: 20, createdAt: 1, filename: "b.png", purpose: "vision")
        let expiring = FileObject(id: ObjectKind.file.newID(), bytes: 30, createdAt: 1, expiresAt: 100, filename: "c.jsonl", purpose: "batch")
        for file in [kept, image, expiring] { try await store.createFile(file) }

        #expect(try await store.file(id: kept.id) == kept)
        #expect(try await store.listFiles(purpose: "vision", ListQuery()).data == [image])
        #expect(try await store.listFiles(purpose: nil, ListQuery()).data.map(\.id) == [expiring.id, image.id, kept.id])
        #expect(try await store.missingFiles(among: [kept.id, "file-nope", image.id]) == ["file-nope"])

        #expect(try await store.expiredFiles(now: 99) == [])
        #expect(try await store.expiredFiles(now: 100) == [expiring.id])
        #expect(try await store.deleteFile(id: expiring.id))
        #expect(try await store.file(id: expiring.id) == nil)
        #expect(try await store.expiredFiles(now: 100) == [])
        #expect(try await store.deleteFile(id: kept.id))
        #expect(try await store.missingFiles(among: [kept.id]) == [kept.id])
    }
}
