import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
import Testing

/// Responses and conversation items, run against each backend: messages index themselves as items, a
/// response is stored with its run and input in one transaction, chains, function outputs, deletion.
@Suite(.closesStores) struct ResponseStoreContractTests {
    func thread(_ store: any AssistantsStore, messages: [String] = []) async throws -> AssistantThread {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: messages.map { userMessage($0, on: thread.id) })
        return thread
    }

    func userMessage(_ text: String, on threadID: String) -> Message {
        Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: threadID, role: .user, content: [.text(.init(value: text))])
    }

    func backingRun(threadID: String, status: Run.Status = .queued) -> Run {
        Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: threadID, assistantID: "", status: status, model: "m", instructions: "")
    }

    /// A response on a private thread of its own, with `input` as its input items.
    func makeResponse(
        _ store: any AssistantsStore, input: [ResponseItem], previous: String? = nil, status: Run.Status = .queued
    ) async throws -> (record: ResponseRecord, run: Run) {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let run = backingRun(threadID: thread.id, status: status)
        let record = ResponseRecord(
            response: ModelResponse(id: ObjectKind.response.newID(), createdAt: 1, model: "m", previousResponseID: previous),
            runID: run.id, threadID: thread.id)
        let items = input.map { StoredItem(item: $0, threadID: thread.id, runID: run.id, direction: .input, createdAt: 1) }
        try await store.createResponse(record, run: run, input: items, privateThread: thread)
        return (record, run)
    }

    func text(_ item: ResponseItem) -> String? {
        guard case .message(let message) = item else { return nil }
        return message.content.map { part in
            switch part {
            case .inputText(let text): text
            case .outputText(let text): text.text
            default: ""
            }
        }.joined()
    }

    @Test(arguments: StoreBackend.allCases)
    func everyMessageOfAThreadIsOneOfItsItems(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store, messages: ["first"])
        try await store.appendMessage(userMessage("second", on: thread.id))
        let run = backingRun(threadID: thread.id)
        let added = userMessage("third", on: thread.id)
        try await store.createRun(run, additionalMessages: [added])
        let answer = Message(
            id: ObjectKind.message.newID(), createdAt: 2, threadID: thread.id, role: .assistant,
            content: [.text(.init(value: "answer"))], assistantID: "asst_1", runID: run.id)
        try await store.saveRunProgress(messages: [answer], steps: [])
        // Saving the message again (as a run does when it completes it) keeps one item in its place.
        try await store.saveRunProgress(messages: [answer], steps: [])

        let items = try await store.allItems(threadID: thread.id)
        #expect(items.map { text($0.item) } == ["first", "second", "third", "answer"])
        #expect(items.map(\.id) == (try await store.allMessages(threadID: thread.id)).map(\.id))
        guard case .message(let reply) = items[3].item else { Issue.record("not a message"); return }
        #expect(reply.role == .assistant && reply.status == .completed)
        #expect(reply.content == [.outputText(OutputText(text: "answer"))])
        #expect(items[3].runID == run.id && items[3].direction == .output)
        guard case .message(let question) = items[0].item else { Issue.record("not a message"); return }
        #expect(question.role == .user && question.content == [.inputText("first")])

        // Deleting a message deletes its item; deleting the thread deletes them all.
        #expect(try await store.deleteMessage(id: items[1].id, threadID: thread.id))
        #expect(try await store.allItems(threadID: thread.id).map { text($0.item) } == ["first", "third", "answer"])
        #expect(try await store.deleteThread(id: thread.id))
        #expect(try await store.allItems(threadID: thread.id).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aResponseIsStoredWithItsRunAndInput(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let input: [ResponseItem] = [
            .message(ResponseMessage(id: ObjectKind.message.newID(), role: .developer, content: [.inputText("Be brief.")], status: .completed)),
            .message(ResponseMessage(id: ObjectKind.message.newID(), role: .user, content: [.inputText("Hello")], status: .completed)),
        ]
        let (record, run) = try await makeResponse(store, input: input)

        #expect(try await store.isPrivateThread(record.threadID))
        let stored = try #require(try await store.response(id: record.id))
        #expect(stored.record == record)
        #expect(stored.run == run)
        #expect(try await store.allItems(threadID: record.threadID).map(\.item) == input)
        // The user message is a thread message too; the developer message has no place in the Assistants view.
        #expect(try await store.allMessages(threadID: record.threadID).map(\.id) == [input[1].id])
        #expect(try await store.thread(id: record.threadID) != nil)

        let page = try await store.listRunItems(runID: run.id, direction: .input, ListQuery(limit: 1, order: .asc))
        #expect(page.data == [input[0]] && page.hasMore)
        let rest = try await store.listRunItems(runID: run.id, direction: .input, ListQuery(limit: 1, order: .asc, after: page.lastID))
        #expect(rest.data == [input[1]] && !rest.hasMore)
        let newestFirst = try await store.listRunItems(runID: run.id, direction: .input, ListQuery())
        #expect(newestFirst.data == input.reversed())
        #expect(try await store.listRunItems(runID: run.id, direction: .output, ListQuery()).data.isEmpty)
        await #expect(throws: StoreError.unknownCursor(param: "after", id: "msg_nope")) {
            try await store.listRunItems(runID: run.id, direction: .input, ListQuery(after: "msg_nope"))
        }
        #expect(try await store.response(id: "resp_nope") == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aResponseInABusyThreadIsRefusedWhole(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store)
        let active = backingRun(threadID: thread.id)
        try await store.createRun(active, additionalMessages: [])

        let run = backingRun(threadID: thread.id)
        let record = ResponseRecord(response: ModelResponse(id: ObjectKind.response.newID(), createdAt: 1, model: "m"), runID: run.id, threadID: thread.id)
        let input = StoredItem(
            item: .message(ResponseMessage(id: ObjectKind.message.newID(), role: .user, content: [.inputText("hi")])),
            threadID: thread.id, runID: run.id, direction: .input, createdAt: 1)
        await #expect(throws: StoreError.threadHasActiveRun(threadID: thread.id, runID: active.id)) {
            try await store.createResponse(record, run: run, input: [input], privateThread: nil)
        }
        #expect(try await store.response(id: record.id) == nil)
        #expect(try await store.allItems(threadID: thread.id).isEmpty)
        #expect(try await store.allMessages(threadID: thread.id).isEmpty)

        let missing = ResponseRecord(response: record.response, runID: run.id, threadID: "thread_nope")
        await #expect(throws: StoreError.notFound(.thread, id: "thread_nope")) {
            try await store.createResponse(missing, run: backingRun(threadID: "thread_nope"), input: [], privateThread: nil)
        }

        // In a free thread the response's input joins the conversation after what is there.
        _ = try await store.updateRun(id: active.id, threadID: thread.id) { $0.status = .completed }
        try await store.appendMessage(userMessage("before", on: thread.id))
        try await store.createResponse(record, run: run, input: [input], privateThread: nil)
        #expect(try await store.allItems(threadID: thread.id).map { text($0.item) } == ["before", "hi"])
        #expect(try await store.isPrivateThread(thread.id) == false)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFunctionOutputAnswersTheCallOfThePreviousResponse(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (first, firstRun) = try await makeResponse(
            store, input: [.message(ResponseMessage(id: ObjectKind.message.newID(), role: .user, content: [.inputText("Weather?")]))])
        // The first response's run calls a function and ends, leaving the call unanswered.
        let call = ToolCall(id: ObjectKind.toolCall.newID(), kind: .function(name: "weather", arguments: "{}", output: nil))
        let step = RunStep(
            id: ObjectKind.step.newID(), createdAt: 1, assistantID: "", threadID: first.threadID, runID: firstRun.id, details: .toolCalls([call]))
        let callItem = StoredItem(
            item: .functionCall(FunctionCallItem(id: ObjectKind.functionCall.newID(), callID: call.id, name: "weather", arguments: "{}", status: .completed)),
            threadID: first.threadID, runID: firstRun.id, direction: .output, createdAt: 1)
        try await store.saveRunProgress(messages: [], steps: [step])
        try await store.saveItems([callItem])
        _ = try await store.updateRun(id: firstRun.id, threadID: first.threadID) { $0.status = .completed }
        #expect(try await store.listRunItems(runID: firstRun.id, direction: .output, ListQuery()).data == [callItem.item])

        let answer = ResponseItem.functionCallOutput(FunctionCallOutputItem(
            id: ObjectKind.functionCallOutput.newID(), callID: call.id, output: .text("sunny"), status: .completed))
        let (second, _) = try await makeResponse(store, input: [answer], previous: first.id)

        let answered = try #require(try await store.step(id: step.id, runID: firstRun.id))
        guard case .toolCalls(let calls) = answered.details, case .function(_, _, let output) = calls.first?.kind else {
            Issue.record("no function call")
            return
        }
        #expect(output == "sunny")
        #expect(try await store.allItems(threadID: second.threadID).map(\.item) == [answer])
        #expect(try await store.responseChain(endingAt: second.id).map(\.record.id) == [first.id, second.id])

        // A chain whose link is gone names that link.
        #expect(try await store.deleteResponse(id: first.id))
        await #expect(throws: StoreError.notFound(.response, id: first.id)) {
            try await store.responseChain(endingAt: second.id)
        }
        await #expect(throws: StoreError.notFound(.response, id: first.id)) {
            _ = try await makeResponse(store, input: [], previous: first.id)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func deletingAResponseDeletesItsPrivateThread(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (record, run) = try await makeResponse(
            store, input: [.message(ResponseMessage(id: ObjectKind.message.newID(), role: .user, content: [.inputText("hi")]))])
        await #expect(throws: StoreError.threadHasActiveRun(threadID: record.threadID, runID: run.id)) {
            try await store.deleteResponse(id: record.id)
        }
        _ = try await store.updateRun(id: run.id, threadID: record.threadID) { $0.status = .completed }
        #expect(try await store.deleteResponse(id: record.id))
        #expect(try await store.response(id: record.id) == nil)
        #expect(try await store.run(id: run.id, threadID: record.threadID) == nil)
        #expect(try await store.thread(id: record.threadID) == nil)
        #expect(try await store.allItems(threadID: record.threadID).isEmpty)
        #expect(try await store.deleteResponse(id: record.id) == false)

        // In a conversation, the response goes and its items stay.
        let thread = try await thread(store)
        let inThread = backingRun(threadID: thread.id, status: .completed)
        let kept = ResponseRecord(response: ModelResponse(id: ObjectKind.response.newID(), createdAt: 1, model: "m"), runID: inThread.id, threadID: thread.id)
        let item = StoredItem(
            item: .message(ResponseMessage(id: ObjectKind.message.newID(), role: .user, content: [.inputText("stays")])),
            threadID: thread.id, runID: inThread.id, direction: .input, createdAt: 1)
        try await store.createResponse(kept, run: inThread, input: [item], privateThread: nil)
        #expect(try await store.deleteResponse(id: kept.id))
        #expect(try await store.thread(id: thread.id) != nil)
        #expect(try await store.allItems(threadID: thread.id).map { text($0.item) } == ["stays"])
    }
}
