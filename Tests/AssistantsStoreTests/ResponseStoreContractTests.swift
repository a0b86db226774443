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
        try await store.saveRunProgress(messages: [], steps: [step])
        _ = try await store.updateRun(id: firstRun.id, threadID: first.threadID) { $0.status = .completed }
        // The step's call is an output item of the run, under the call's id.
        let callItem = ResponseItem.functionCall(
            FunctionCallItem(id: ToolCallItemID.functionCall(call.id), callID: call.id, name: "weather", arguments: "{}", status: .inProgress))
        #expect(try await store.listRunItems(runID: firstRun.id, direction: .output, ListQuery()).data == [callItem])

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

    // MARK: Conversations

    func message(_ role: ResponseMessage.Role, _ text: String) -> ResponseItem {
        let content: ResponseContent = role == .assistant ? .outputText(OutputText(text: text)) : .inputText(text)
        return .message(ResponseMessage(id: ObjectKind.message.newID(), role: role, content: [content], status: .completed))
    }

    func conversation(_ store: any AssistantsStore, items: [ResponseItem]) async throws -> AssistantThread {
        let thread = AssistantThread(id: ObjectKind.conversation.newID(), createdAt: 1)
        try await store.createThread(thread, items: items.map { StoredItem(item: $0, threadID: thread.id, createdAt: 1) })
        return thread
    }

    @Test(arguments: StoreBackend.allCases)
    func conversationItemsAreThreadMessagesAndBack(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let call = ResponseItem.functionCall(
            FunctionCallItem(id: ObjectKind.functionCall.newID(), callID: "call_1", name: "f", arguments: "{}", status: .completed))
        let first = [message(.developer, "Be brief."), message(.user, "Hi"), call, message(.assistant, "Hello")]
        let thread = try await conversation(store, items: first)
        #expect(try await store.thread(id: thread.id) == thread)
        // User and assistant messages are thread messages; the rest only conversation items.
        #expect(try await store.allMessages(threadID: thread.id).map(\.id) == [first[1].id, first[3].id])

        // A message added through the Assistants API is an item; items added later are messages.
        let assistantsMessage = userMessage("From a thread", on: thread.id)
        try await store.appendMessage(assistantsMessage)
        let later = [message(.user, "Again")]
        try await store.appendItems(later.map { StoredItem(item: $0, threadID: thread.id, createdAt: 2) }, threadID: thread.id)
        #expect(try await store.allMessages(threadID: thread.id).map(\.id) == [first[1].id, first[3].id, assistantsMessage.id, later[0].id])
        let all = first + [.message(ResponseMessage(assistantsMessage))] + later
        #expect(try await store.allItems(threadID: thread.id).map(\.item) == all)

        // Pages, both ways, with cursors.
        let page = try await store.listItems(threadID: thread.id, ListQuery(limit: 2, order: .asc))
        #expect(page.data == Array(all[0..<2]) && page.hasMore && page.lastID == all[1].id)
        let next = try await store.listItems(threadID: thread.id, ListQuery(limit: 10, order: .asc, after: page.lastID))
        #expect(next.data == Array(all[2...]) && !next.hasMore)
        let newest = try await store.listItems(threadID: thread.id, ListQuery(limit: 2))
        #expect(newest.data == Array(all.suffix(2).reversed()) && newest.hasMore)
        let before = try await store.listItems(threadID: thread.id, ListQuery(limit: 2, order: .asc, before: all[3].id))
        #expect(before.data == Array(all[1..<3]))
        await #expect(throws: StoreError.unknownCursor(param: "after", id: "msg_nope")) {
            try await store.listItems(threadID: thread.id, ListQuery(after: "msg_nope"))
        }

        #expect(try await store.item(id: call.id!, threadID: thread.id)?.item == call)
        #expect(try await store.item(id: call.id!, threadID: "conv_other") == nil)
        // Without a thread, whichever thread holds it (an item_reference).
        let referenced = try await store.item(id: call.id!, threadID: nil)
        #expect(referenced?.item == call && referenced?.threadID == thread.id)
        #expect(try await store.item(id: first[1].id!, threadID: nil)?.item == first[1])

        // Deleting a message item deletes the message; deleting any item leaves it a valid cursor.
        #expect(try await store.deleteItem(id: first[1].id!, threadID: thread.id))
        #expect(try await store.message(id: first[1].id!, threadID: thread.id) == nil)
        #expect(try await store.deleteItem(id: call.id!, threadID: thread.id))
        #expect(try await store.deleteItem(id: call.id!, threadID: thread.id) == false)
        #expect(try await store.item(id: call.id!, threadID: thread.id) == nil)
        let rest = try await store.listItems(threadID: thread.id, ListQuery(order: .asc, after: first[1].id))
        #expect(rest.data == [first[3]] + all.suffix(2))
        // Deleting the message through the Assistants API deletes the item.
        #expect(try await store.deleteMessage(id: assistantsMessage.id, threadID: thread.id))
        #expect(try await store.item(id: assistantsMessage.id, threadID: thread.id) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func itemChangesWaitForTheActiveRun(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let kept = message(.user, "kept")
        let thread = try await conversation(store, items: [kept])
        let active = backingRun(threadID: thread.id)
        try await store.createRun(active, additionalMessages: [])

        let refused = StoredItem(item: message(.user, "refused"), threadID: thread.id, createdAt: 2)
        await #expect(throws: StoreError.threadLocked(threadID: thread.id, runID: active.id)) {
            try await store.appendItems([refused], threadID: thread.id)
        }
        await #expect(throws: StoreError.threadLocked(threadID: thread.id, runID: active.id)) {
            try await store.deleteItem(id: kept.id!, threadID: thread.id)
        }
        #expect(try await store.allItems(threadID: thread.id).map(\.item) == [kept])
        #expect(try await store.allMessages(threadID: thread.id).map(\.id) == [kept.id])
        await #expect(throws: StoreError.notFound(.thread, id: "conv_nope")) {
            try await store.appendItems([refused], threadID: "conv_nope")
        }

        _ = try await store.updateRun(id: active.id, threadID: thread.id) { $0.status = .completed }
        try await store.appendItems([refused], threadID: thread.id)
        #expect(try await store.deleteItem(id: kept.id!, threadID: thread.id))
        #expect(try await store.allItems(threadID: thread.id).map(\.item) == [refused.item])
    }

    @Test(arguments: StoreBackend.allCases)
    func aRunsFunctionCallsAreItemsOfItsThread(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store, messages: ["Weather?"])
        let run = backingRun(threadID: thread.id)
        try await store.createRun(run, additionalMessages: [])
        let call = ToolCall(id: ObjectKind.toolCall.newID(), kind: .function(name: "weather", arguments: "{}", output: nil))
        var step = RunStep(
            id: ObjectKind.step.newID(), createdAt: 2, assistantID: "asst_1", threadID: thread.id, runID: run.id, details: .toolCalls([call]))
        try await store.saveRunProgress(messages: [], steps: [step])
        let callID = ToolCallItemID.functionCall(call.id)
        #expect(try await store.item(id: callID, threadID: thread.id)?.item == .functionCall(
            FunctionCallItem(id: callID, callID: call.id, name: "weather", arguments: "{}", status: .inProgress)))

        // The client submits the output (as `submit_tool_outputs` does): the call completes in its place, and
        // its output follows it.
        let answered = ToolCall(id: call.id, kind: .function(name: "weather", arguments: "{}", output: "sunny"))
        step.details = .toolCalls([answered])
        step.status = .completed
        step.completedAt = 3
        _ = try await store.updateRun(id: run.id, threadID: thread.id, saving: [], [step]) { $0.status = .completed }
        let items = try await store.allItems(threadID: thread.id)
        #expect(items.count == 3)
        #expect(items[1].item == .functionCall(FunctionCallItem(id: callID, callID: call.id, name: "weather", arguments: "{}", status: .completed)))
        #expect(items[1].runID == run.id && items[1].direction == .output)
        #expect(items[2].item == .functionCallOutput(FunctionCallOutputItem(
            id: ToolCallItemID.functionCallOutput(call.id), callID: call.id, output: .text("sunny"), status: .completed)))

        // A deleted call item stays deleted when its step is saved again; the step keeps the call.
        #expect(try await store.deleteItem(id: callID, threadID: thread.id))
        try await store.saveRunProgress(messages: [], steps: [step])
        #expect(try await store.item(id: callID, threadID: thread.id) == nil)
        #expect(try await store.step(id: step.id, runID: run.id)?.details == step.details)
    }

    @Test(arguments: StoreBackend.allCases)
    func aRunsSearchesAndCodeAreItemsOfItsThreadInTheOrderTheyRan(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await thread(store, messages: ["Plot the notes"])
        let run = backingRun(threadID: thread.id)
        try await store.createRun(run, additionalMessages: [])
        // The step is saved when the model starts calling tools, and again with the calls once they ran.
        var step = RunStep(
            id: ObjectKind.step.newID(), createdAt: 2, assistantID: "", threadID: thread.id, runID: run.id, details: .toolCalls([]))
        try await store.saveRunProgress(messages: [], steps: [step])
        let search = ToolCall(
            id: ObjectKind.toolCall.newID(),
            kind: .fileSearch(FileSearchCall(results: [FileSearchResult(fileID: "file-1", fileName: "notes.md", score: 0.5, content: [.init(text: "x = 2")])])),
            transcript: .init(arguments: #"{"query":"x"}"#, output: "x = 2"))
        let code = ToolCall(
            id: ObjectKind.toolCall.newID(), kind: .codeInterpreter(CodeInterpreterCall(input: "print(2)", outputs: [.logs("2\n"), .image(fileID: "cfile_1")])),
            transcript: .init(arguments: #"{"code":"print(2)"}"#, output: "2", containerID: "cntr_1"))
        step.details = .toolCalls([search, code])
        step.status = .completed
        _ = try await store.updateRun(id: run.id, threadID: thread.id, saving: [], [step]) { $0.status = .inProgress }
        let answer = Message(
            id: ObjectKind.message.newID(), createdAt: 3, threadID: thread.id, role: .assistant, content: [.text(.init(value: "Done"))],
            assistantID: "", runID: run.id)
        try await store.saveRunProgress(messages: [answer], steps: [])

        // Kept whole, with the search's results and the code's outputs, under the call's ids.
        let searchItem = ResponseItem.fileSearchCall(FileSearchCallItem(
            id: ToolCallItemID.fileSearchCall(search.id), status: .completed, queries: ["x"],
            results: [.init(fileID: "file-1", filename: "notes.md", score: 0.5, text: "x = 2")]))
        let codeItem = ResponseItem.codeInterpreterCall(CodeInterpreterCallItem(
            id: ToolCallItemID.codeInterpreterCall(code.id), status: .completed, containerID: "cntr_1", code: "print(2)",
            outputs: [.logs("2\n"), .image(url: "/v1/containers/cntr_1/files/cfile_1/content")]))
        let items = try await store.allItems(threadID: thread.id)
        #expect(items.map(\.item.type) == ["message", "file_search_call", "code_interpreter_call", "message"])
        #expect(items[1].item == searchItem && items[2].item == codeItem)
        #expect(items[1].runID == run.id && items[1].direction == .output && items[2].direction == .output)
        #expect(try await store.listRunItems(runID: run.id, direction: .output, ListQuery(order: .asc)).data.map(\.id) == items.dropFirst().map(\.id))
        // Found by id from anywhere, as an `item_reference` finds them.
        #expect(try await store.item(id: searchItem.id!, threadID: nil)?.item == searchItem)

        // A deleted call item stays deleted when its step is saved again; the step keeps the call.
        _ = try await store.updateRun(id: run.id, threadID: thread.id) { $0.status = .completed }
        #expect(try await store.deleteItem(id: codeItem.id!, threadID: thread.id))
        try await store.saveRunProgress(messages: [], steps: [step])
        #expect(try await store.allItems(threadID: thread.id).map(\.item.type) == ["message", "file_search_call", "message"])
        #expect(try await store.step(id: step.id, runID: run.id)?.details == step.details)
    }

    @Test(arguments: StoreBackend.allCases)
    func searchAndCodeItemsAreKeptAsGiven(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let search = ResponseItem.fileSearchCall(FileSearchCallItem(
            id: ObjectKind.fileSearchCall.newID(), status: .completed, queries: ["a", "b"],
            results: [.init(fileID: "file-1", filename: "a.md", score: 0.9, text: "A", attributes: ["k": .string("v")])]))
        let code = ResponseItem.codeInterpreterCall(CodeInterpreterCallItem(
            id: ObjectKind.codeInterpreterCall.newID(), status: .completed, containerID: "cntr_x", code: "1+1", outputs: nil))
        let thread = try await conversation(store, items: [message(.user, "Hi"), search])
        try await store.appendItems([StoredItem(item: code, threadID: thread.id, createdAt: 2)], threadID: thread.id)
        #expect(try await store.allItems(threadID: thread.id).map(\.item).suffix(2) == [search, code])
        #expect(try await store.listItems(threadID: thread.id, ListQuery(order: .asc)).data.map(\.id) == [
            try await store.allItems(threadID: thread.id)[0].id, search.id, code.id,
        ])
        // A response's input keeps them too, as its input items (ids are unique: input gets fresh ones).
        var input = [search, code]
        if case .fileSearchCall(var call) = input[0] { call.id = ObjectKind.fileSearchCall.newID(); input[0] = .fileSearchCall(call) }
        if case .codeInterpreterCall(var call) = input[1] { call.id = ObjectKind.codeInterpreterCall.newID(); input[1] = .codeInterpreterCall(call) }
        let (response, run) = try await makeResponse(store, input: input)
        #expect(try await store.listRunItems(runID: run.id, direction: .input, ListQuery(order: .asc)).data == input)
        #expect(try await store.allItems(threadID: response.threadID).map(\.item) == input)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFunctionOutputItemAnswersTheCallInItsConversation(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = try await conversation(store, items: [message(.user, "Weather?")])
        let run = backingRun(threadID: thread.id)
        try await store.createRun(run, additionalMessages: [])
        let call = ToolCall(id: ObjectKind.toolCall.newID(), kind: .function(name: "weather", arguments: "{}", output: nil))
        let step = RunStep(
            id: ObjectKind.step.newID(), createdAt: 2, assistantID: "", threadID: thread.id, runID: run.id, status: .completed,
            details: .toolCalls([call]))
        _ = try await store.updateRun(id: run.id, threadID: thread.id, saving: [], [step]) { $0.status = .completed }

        let output = ResponseItem.functionCallOutput(
            FunctionCallOutputItem(id: ObjectKind.functionCallOutput.newID(), callID: call.id, output: .text("sunny"), status: .completed))
        try await store.appendItems([StoredItem(item: output, threadID: thread.id, createdAt: 3)], threadID: thread.id)
        let saved = try #require(try await store.step(id: step.id, runID: run.id))
        guard case .toolCalls(let calls) = saved.details, case .function(_, _, let answer) = calls.first?.kind else {
            Issue.record("no function call")
            return
        }
        #expect(answer == "sunny")
        #expect(try await store.allItems(threadID: thread.id).map(\.item.type) == ["message", "function_call", "function_call_output"])
    }
}
