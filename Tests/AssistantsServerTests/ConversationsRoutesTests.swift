import AssistantsAPI
import FakeModel
import Foundation
import HTTPTypes
import Testing

/// `/v1/conversations`: threads seen as conversations, their items, and responses in them.
@Suite struct ConversationsRoutesTests {
    func items(_ api: TestAPI, _ id: String, _ query: String = "order=asc") async throws -> ListPage<ResponseItem> {
        try await api.call(.get, "/v1/conversations/\(id)/items?\(query)", beta: false).decode(ListPage<ResponseItem>.self)
    }

    @Test func aConversationIsCreatedReadUpdatedAndDeleted() async throws {
        try await TestAPI.run { api in
            let body = #"{"metadata":{"topic":"demo"},"items":[{"type":"message","role":"user","content":"Hello"},{"role":"developer","content":"Be brief."}]}"#
            let created = try await api.call(.post, "/v1/conversations", body, beta: false)
            #expect(created.status == .ok)
            #expect(created.json["object"] == .string("conversation"))
            let conversation = try created.decode(Conversation.self)
            #expect(conversation.id.hasPrefix("conv_") && conversation.metadata == ["topic": "demo"])
            #expect(try await api.call(.get, "/v1/conversations/\(conversation.id)", beta: false).decode(Conversation.self) == conversation)
            #expect(try await items(api, conversation.id).data.map(\.type) == ["message", "message"])

            let updated = try await api.call(.post, "/v1/conversations/\(conversation.id)", #"{"metadata":{"topic":"other"}}"#, beta: false)
                .decode(Conversation.self)
            #expect(updated.metadata == ["topic": "other"])
            let missing = try await api.call(.post, "/v1/conversations/\(conversation.id)", "{}", beta: false)
            #expect(missing.status == .badRequest && missing.error?.param == "metadata")

            let deleted = try await api.call(.delete, "/v1/conversations/\(conversation.id)", beta: false)
            #expect(deleted.json == .object(["id": .string(conversation.id), "object": .string("conversation.deleted"), "deleted": .bool(true)]))
            let gone = try await api.call(.get, "/v1/conversations/\(conversation.id)", beta: false)
            #expect(gone.status == .notFound && gone.error?.message == "Conversation with id '\(conversation.id)' not found.")
            let malformed = try await api.call(.get, "/v1/conversations/resp_1", beta: false)
            #expect(malformed.status == .badRequest)
        }
    }

    @Test func itemsPageAndAreTheThreadsMessages() async throws {
        try await TestAPI.run { api in
            // A thread made with the Assistants API is a conversation; its messages are items.
            let thread = try await api.createThread(#"{"messages":[{"role":"user","content":"From the thread"}]}"#)
            let added = try await api.call(
                .post, "/v1/conversations/\(thread.id)/items?include=file_search_call.results",
                #"{"items":[{"role":"user","content":"One"},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Two"}]}]}"#,
                beta: false)
            #expect(added.status == .ok)
            #expect(added.json["object"] == .string("list") && added.json["has_more"] == .bool(false))
            let created = try added.decode(ListPage<ResponseItem>.self).data
            #expect(created.count == 2 && created.allSatisfy { $0.id?.hasPrefix("msg_") == true })

            let messages = try await api.messages(thread)
            #expect(messages.map(\.role) == [.user, .user, .assistant])
            #expect(messages.map(\.id).suffix(2) == created.map(\.id))

            let first = try await items(api, thread.id, "order=asc&limit=2&include[]=message.input_image.image_url")
            #expect(first.hasMore && first.data.first?.id == messages[0].id)
            let rest = try await items(api, thread.id, "order=asc&after=\(try #require(first.lastID))")
            #expect(rest.data.map(\.id) == [created[1].id] && !rest.hasMore)
            #expect(try await items(api, thread.id, "").data.map(\.id) == messages.reversed().map(\.id))
            let badInclude = try await api.call(.get, "/v1/conversations/\(thread.id)/items?include=nope", beta: false)
            #expect(badInclude.status == .badRequest)

            let itemID = try #require(created[0].id)
            let one = try await api.call(.get, "/v1/conversations/\(thread.id)/items/\(itemID)", beta: false).decode(ResponseItem.self)
            #expect(one == created[0])
            let afterDelete = try await api.call(.delete, "/v1/conversations/\(thread.id)/items/\(itemID)", beta: false)
            #expect(afterDelete.json["object"] == .string("conversation") && afterDelete.json["id"] == .string(thread.id))
            #expect(try await api.messages(thread).count == 2)
            let gone = try await api.call(.get, "/v1/conversations/\(thread.id)/items/\(itemID)", beta: false)
            #expect(gone.status == .notFound && gone.error?.message == "Item with id '\(itemID)' not found.")
            let goneAgain = try await api.call(.delete, "/v1/conversations/\(thread.id)/items/\(itemID)", beta: false)
            #expect(goneAgain.status == .notFound)

            // And a conversation is a thread at the Assistants routes.
            let conversation = try await api.call(.post, "/v1/conversations", "{}", beta: false).decode(Conversation.self)
            #expect(try await api.call(.get, "/v1/threads/\(conversation.id)").decode(AssistantThread.self).id == conversation.id)

            let empty = try await api.call(.post, "/v1/conversations/\(thread.id)/items", #"{"items":[]}"#, beta: false)
            #expect(empty.status == .badRequest && empty.error?.param == "items")
            let missing = try await api.call(.post, "/v1/conversations/conv_nope/items", #"{"items":[{"role":"user","content":"x"}]}"#, beta: false)
            #expect(missing.status == .notFound && missing.error?.message == "Conversation with id 'conv_nope' not found.")

            // Items are checked as a response's input is, and a refused request adds nothing.
            for (items, param) in [
                (#"[{"type":"item_reference","id":"msg_1"}]"#, "items[0].type"),
                (#"[{"role":"user","content":"ok"},{"role":"user","content":[{"type":"input_file","file_url":"https://example.com/a.pdf"}]}]"#, "items[1].content[0].file_url"),
                (#"[{"role":"user","content":[{"type":"input_image","file_id":"file-nope","detail":"auto"}]}]"#, "items[0].content[0].file_id"),
            ] {
                let refused = try await api.call(.post, "/v1/conversations/\(thread.id)/items", #"{"items":\#(items)}"#, beta: false)
                #expect(refused.status == .badRequest && refused.error?.param == param)
            }
            #expect(try await api.messages(thread).count == 2)
        }
    }

    @Test func aConversationWithAnActiveRunRefusesChanges() async throws {
        try await TestAPI.run(model: true) { api in
            let tools = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
            let (assistant, thread) = try await api.assistantAndThread(tools: tools)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf")]))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .requiresAction)

            // The run's function call is an item, in progress until the client answers it.
            let waiting = try await items(api, thread.id).data
            guard case .functionCall(let call) = waiting.last else { Issue.record("no call item: \(waiting)"); return }
            #expect(call.callID == "call_sf" && call.name == "get_weather" && call.status == .inProgress)

            let add = try await api.call(.post, "/v1/conversations/\(thread.id)/items", #"{"items":[{"role":"user","content":"x"}]}"#, beta: false)
            #expect(add.status == .badRequest && add.error?.message == "Can't add messages to \(thread.id) while a run \(run.id) is active.")
            let delete = try await api.call(.delete, "/v1/conversations/\(thread.id)/items/\(try #require(waiting.first?.id))", beta: false)
            #expect(delete.status == .badRequest)
            let response = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"x","conversation":"\#(thread.id)"}"#, beta: false)
            #expect(response.status == .badRequest)
            #expect(response.error?.message == "Another response or run is active on conversation '\(thread.id)'.")
            #expect(response.error?.code == "conversation_locked")

            api.model?.enqueue(FakeReply(text: "Mild."))
            _ = try await api.call(
                .post, "/v1/threads/\(thread.id)/runs/\(run.id)/submit_tool_outputs", #"{"tool_outputs":[{"tool_call_id":"call_sf","output":"18C"}]}"#)
            _ = try await api.settled(run)
            let done = try await items(api, thread.id).data
            #expect(done.map(\.type) == ["message", "function_call", "function_call_output", "message"])
            guard case .functionCallOutput(let output) = done[2] else { Issue.record("no output item"); return }
            #expect(output.callID == "call_sf" && output.output == .text("18C"))
        }
    }

    @Test func aResponseInAConversationContinuesIt() async throws {
        try await TestAPI.run(model: true) { api in
            let conversation = try await api.call(
                .post, "/v1/conversations", #"{"items":[{"role":"developer","content":"Answer in one word."}]}"#, beta: false
            ).decode(Conversation.self)
            api.model?.enqueue(FakeReply(text: "Hello Ann."), FakeReply(text: "Ann."), FakeReply(text: "Alone."))
            let first = try await api.call(
                .post, "/v1/responses", #"{"model":"gpt-4o","input":"I am Ann.","conversation":"\#(conversation.id)"}"#, beta: false)
            #expect(first.status == .ok)
            #expect(first.json["conversation"] == .object(["id": .string(conversation.id)]))
            let second = try await api.call(
                .post, "/v1/responses", #"{"model":"gpt-4o","input":"Who am I?","conversation":{"id":"\#(conversation.id)"}}"#, beta: false
            ).decode(ModelResponse.self)
            #expect(second.status == .completed)

            // The follow-up saw the conversation: the earlier turn, then its own input.
            let sent = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(sent.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "user"])
            #expect(sent.map { $0["content"]?.stringValue ?? $0["content"]?.array.first?["text"]?.stringValue } == [
                "Answer in one word.", "I am Ann.", "Hello Ann.", "Who am I?",
            ])

            // Its items and the thread's messages are the same turns; its runs are the thread's runs.
            let all = try await items(api, conversation.id).data
            #expect(all.count == 5 && all.last?.id == second.output.first?.id)
            let thread = try await api.call(.get, "/v1/threads/\(conversation.id)").decode(AssistantThread.self)
            #expect(try await api.messages(thread).map(\.id) == all.dropFirst().map(\.id))
            let runs = try await api.call(.get, "/v1/threads/\(conversation.id)/runs").decode(ListPage<Run>.self)
            #expect(runs.data.count == 2)

            // A response's private thread is no conversation.
            let alone = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"x"}"#, beta: false).decode(ModelResponse.self)
            let privateThread = try #require(try await api.store.response(id: alone.id)?.record.threadID)
            #expect(try await api.call(.get, "/v1/conversations/\(privateThread)", beta: false).status == .notFound)
            let into = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"x","conversation":"\#(privateThread)"}"#, beta: false)
            #expect(into.status == .notFound && into.error?.message == "Conversation with id '\(privateThread)' not found.")
        }
    }
}
