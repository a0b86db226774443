import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// Searches and code runs as items: a response's `file_search_call` and `code_interpreter_call` output is
/// also its conversation's items, in order; clients give them back as input (keeping the history on their
/// side), and the model reads them as its earlier tool calls with their results. `max_tool_calls` caps
/// the built-in calls of a response; `auto` containers carry on through a conversation.
@Suite struct ResponsesBuiltInItemsTests {
    func respond(_ api: TestAPI, _ body: String) async throws -> ModelResponse {
        let reply = try await api.call(.post, "/v1/responses", body, beta: false)
        #expect(reply.status == .ok, "\(String(decoding: reply.bytes, as: UTF8.self))")
        return try reply.decode(ModelResponse.self)
    }

    func items(_ api: TestAPI, _ conversationID: String, _ query: String = "") async throws -> [ResponseItem] {
        try await api.call(.get, "/v1/conversations/\(conversationID)/items?order=asc\(query)", beta: false).decode(ListPage<ResponseItem>.self).data
    }

    /// The messages the model was sent in its last request.
    func lastPrompt(_ api: TestAPI) -> [JSONValue] {
        api.model?.requests().last?.body["messages"]?.array ?? []
    }

    func teaStore(_ api: TestAPI) async throws -> String {
        let file = try await api.uploadFile(VectorStoresRoutesTests.tea, filename: "tea.md")
        let store = try await api.createVectorStore(#"{"name":"tea","file_ids":["\#(file.id)"]}"#)
        return try await api.ingested(store.id).id
    }

    @Test func aSearchInAConversationIsOneOfItsItemsAndTheNextResponseReadsIt() async throws {
        try await TestAPI.run(model: true) { api in
            let tea = try await teaStore(api)
            let conversation = try await api.call(.post, "/v1/conversations", "{}", beta: false).decode(Conversation.self)
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "file_search", arguments: #"{"query":"green tea"}"#)]), FakeReply(text: "Two minutes."))
            let tools = #"[{"type":"file_search","vector_store_ids":["\#(tea)"]}]"#
            let first = try await respond(api, #"{"model":"gpt-4o","input":"Green tea?","conversation":"\#(conversation.id)","tools":\#(tools)}"#)
            #expect(first.output.map(\.type) == ["file_search_call", "message"])

            // The search is an item of the conversation, where the response made it, under the same id.
            let listed = try await items(api, conversation.id)
            #expect(listed.map(\.type) == ["message", "file_search_call", "message"])
            #expect(listed[1] == first.output[0] && listed[2] == first.output[1])
            guard case .fileSearchCall(let search) = listed[1] else { return }
            #expect(search.queries == ["green tea"] && search.results == nil, "results only when included")
            guard case .fileSearchCall(let included) = try await items(api, conversation.id, "&include=file_search_call.results")[1] else { return }
            #expect(included.results?.first?.text.contains("Green tea") == true && included.results?.first?.filename == "tea.md")
            let one = try await api.call(.get, "/v1/conversations/\(conversation.id)/items/\(search.id)?include[]=file_search_call.results", beta: false)
            #expect(try one.decode(ResponseItem.self) == .fileSearchCall(included))

            // The next response's model sees the search as its earlier call, answered with the results
            // (without citation markers: they would cite this run's searches).
            api.model?.enqueue(FakeReply(text: "Yes."))
            _ = try await respond(api, #"{"model":"gpt-4o","input":"Sure?","conversation":"\#(conversation.id)"}"#)
            let prompt = lastPrompt(api)
            #expect(prompt.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "assistant", "user"])
            let call = try #require(prompt[1]["tool_calls"]?.array.first)
            #expect(call["id"] == .string(search.id) && call["function"]?["name"] == .string("file_search"))
            #expect(call["function"]?["arguments"] == .string(#"{"query":"green tea"}"#))
            let output = try #require(prompt[2]["content"]?.stringValue)
            #expect(prompt[2]["tool_call_id"] == .string(search.id))
            #expect(output.contains("Green tea is steeped") && output.contains("[tea.md]") && !output.contains("【"))

            // An item reference names the search from anywhere.
            api.model?.enqueue(FakeReply(text: "Referenced."))
            let referenced = try await respond(api, #"{"model":"gpt-4o","input":[{"type":"item_reference","id":"\#(search.id)"},{"role":"user","content":"Again?"}]}"#)
            let input = try await api.call(.get, "/v1/responses/\(referenced.id)/input_items?order=asc", beta: false).decode(ListPage<ResponseItem>.self)
            #expect(input.data.map(\.type) == ["file_search_call", "message"])
            #expect(input.data[0].id != search.id && input.data[0].id?.hasPrefix("fs_") == true)
            #expect(lastPrompt(api).map { $0["role"]?.stringValue ?? "" } == ["assistant", "tool", "user"])

            // The output given back as it was shown, without results (a client keeping the history itself):
            // the model reads the results the server kept for that search.
            api.model?.enqueue(FakeReply(text: "Replayed."))
            let replayed = String(decoding: try JSONEncoder().encode(first.output), as: UTF8.self)
            _ = try await respond(api, #"{"model":"gpt-4o","input":\#(replayed)}"#)
            let tool = lastPrompt(api).first { $0["role"] == .string("tool") }
            #expect(tool?["content"]?.stringValue?.contains("Green tea is steeped") == true)
        }
    }

    /// What a client that keeps the history itself sends: the previous output, then its next message.
    static let replayedInput = #"""
        [{"role":"user","content":"Plot and search"},
         {"type":"code_interpreter_call","id":"ci_old","status":"completed","container_id":"cntr_old","code":"print(6*7)",
          "outputs":[{"type":"logs","logs":"42\n"},{"type":"image","url":"/v1/containers/cntr_old/files/cfile_1/content"}]},
         {"type":"file_search_call","id":"fs_old","status":"completed","queries":["tea"],
          "results":[{"file_id":"file-1","filename":"tea.md","score":0.9,"text":"Steep two minutes.","attributes":{}}]},
         {"type":"code_interpreter_call","id":"ci_bare","status":"completed","container_id":"cntr_old","code":"x = 1","outputs":null},
         {"type":"message","role":"assistant","content":[{"type":"output_text","text":"42, and two minutes.","annotations":[]}]},
         {"role":"user","content":"Thanks. Again?"}]
        """#

    @Test func searchesAndCodeGivenAsInputAreKeptAndReadAsEarlierCalls() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "Again: 42."))
            let response = try await respond(api, #"{"model":"gpt-4o","input":\#(Self.replayedInput)}"#)
            #expect(response.status == .completed && response.outputText == "Again: 42.")

            let prompt = lastPrompt(api)
            #expect(prompt.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool", "tool", "assistant", "user"])
            let calls = prompt[1]["tool_calls"]?.array ?? []
            #expect(calls.map { $0["function"]?["name"]?.stringValue } == ["code_interpreter", "file_search", "code_interpreter"])
            #expect(calls.first?["function"]?["arguments"] == .string(#"{"code":"print(6*7)"}"#))
            // As the tool tells the model itself: the logs, then a note for the figure.
            #expect(prompt[2]["content"] == .string("42\n\n[An image was produced; it is shown to the user.]"))
            #expect(prompt[3]["content"]?.stringValue?.contains("[tea.md]\nSteep two minutes.") == true)
            #expect(prompt[4]["content"] == .string("The code ran; its output was not kept."))
            #expect(prompt[2]["tool_call_id"] == calls.first?["id"])

            // Stored as given, under fresh ids; `include` shows what they hold.
            let path = "/v1/responses/\(response.id)/input_items?order=asc"
            let plain = try await api.call(.get, path, beta: false).decode(ListPage<ResponseItem>.self).data
            #expect(plain.map(\.type) == ["message", "code_interpreter_call", "file_search_call", "code_interpreter_call", "message", "message"])
            guard case .codeInterpreterCall(let code) = plain[1], case .fileSearchCall(let search) = plain[2] else { return }
            #expect(code.id.hasPrefix("ci_") && code.id != "ci_old" && code.containerID == "cntr_old" && code.code == "print(6*7)")
            #expect(code.outputs == nil && search.results == nil && search.queries == ["tea"] && search.id.hasPrefix("fs_"))
            let full = try await api.call(.get, path + "&include=code_interpreter_call.outputs&include=file_search_call.results", beta: false)
                .decode(ListPage<ResponseItem>.self).data
            guard case .codeInterpreterCall(let fullCode) = full[1], case .fileSearchCall(let fullSearch) = full[2] else { return }
            #expect(fullCode.outputs == [.logs("42\n"), .image(url: "/v1/containers/cntr_old/files/cfile_1/content")])
            #expect(fullSearch.results?.map(\.text) == ["Steep two minutes."])

            // A continuation reads them again, from the chain.
            api.model?.enqueue(FakeReply(text: "Still 42."))
            _ = try await respond(api, #"{"model":"gpt-4o","input":"And now?","previous_response_id":"\#(response.id)"}"#)
            #expect(lastPrompt(api).map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool", "tool", "assistant", "user", "assistant", "user"])
        }
    }

    @Test func aConversationTakesSearchesAndCodeAsItems() async throws {
        try await TestAPI.run(model: true) { api in
            let body = #"{"items":[{"type":"code_interpreter_call","id":"ci_x","status":"completed","container_id":"cntr_x","code":"1+1","outputs":[{"type":"logs","logs":"2"}]}]}"#
            let conversation = try await api.call(.post, "/v1/conversations", body, beta: false).decode(Conversation.self)
            let added = try await api.call(
                .post, "/v1/conversations/\(conversation.id)/items?include=file_search_call.results",
                #"{"items":[{"type":"file_search_call","id":"fs_x","status":"completed","queries":["q"],"results":[]}]}"#, beta: false)
            #expect(added.status == .ok)
            let listed = try await items(api, conversation.id, "&include=code_interpreter_call.outputs")
            #expect(listed.map(\.type) == ["code_interpreter_call", "file_search_call"])
            guard case .codeInterpreterCall(let code) = listed[0], case .fileSearchCall(let search) = listed[1] else { return }
            #expect(code.outputs == [.logs("2")] && code.id != "ci_x" && search.results == nil, "results only when included")

            api.model?.enqueue(FakeReply(text: "2"))
            _ = try await respond(api, #"{"model":"gpt-4o","input":"Sum?","conversation":"\#(conversation.id)"}"#)
            let prompt = lastPrompt(api)
            #expect(prompt.map { $0["role"]?.stringValue ?? "" } == ["assistant", "tool", "tool", "user"])
            #expect(prompt[2]["content"] == .string(#"No results were found in the files for "q"."#))
        }
    }

    @Test func builtInCallsBeyondMaxToolCallsAreNotRunAndTheResponseCompletes() async throws {
        try await TestAPI.run(model: true) { api in
            let tea = try await teaStore(api)
            api.model?.enqueue(
                FakeReply(toolCalls: [
                    .init(name: "file_search", arguments: #"{"query":"green tea"}"#), .init(name: "file_search", arguments: #"{"query":"black tea"}"#),
                ]),
                FakeReply(text: "Two minutes."))
            let tools = #"[{"type":"file_search","vector_store_ids":["\#(tea)"]},{"type":"function","name":"f","parameters":{},"strict":false}]"#
            let response = try await respond(
                api, #"{"model":"gpt-4o","input":"Tea?","tools":\#(tools),"max_tool_calls":1,"include":["file_search_call.results"]}"#)
            #expect(response.status == .completed && response.maxToolCalls == 1 && response.outputText == "Two minutes.")
            #expect(response.output.map(\.type) == ["file_search_call", "file_search_call", "message"])
            guard case .fileSearchCall(let ran) = response.output[0], case .fileSearchCall(let skipped) = response.output[1] else { return }
            #expect(ran.results?.isEmpty == false && skipped.results == [])

            let requests = api.model?.requests() ?? []
            #expect(requests.count == 2)
            let answers = requests.last?.body["messages"]?.array.filter { $0["role"] == .string("tool") } ?? []
            #expect(answers.first?["content"]?.stringValue?.contains("Green tea") == true)
            #expect(answers.last?["content"]?.stringValue?.hasPrefix("Not run: this response may make at most 1 built-in tool call") == true)
            // Once the limit is reached the model is no longer offered the built-in tools; functions stay.
            let offered = requests.map { $0.body["tools"]?.array.compactMap { $0["function"]?["name"]?.stringValue } ?? [] }
            #expect(offered == [["file_search", "f"], ["f"]])
        }
    }

    @Test func autoReusesTheContainerOfTheConversationsPreviousResponse() async throws {
        try await TestAPI.run(model: true) { api in
            let conversation = try await api.call(.post, "/v1/conversations", "{}", beta: false).decode(Conversation.self)
            let tools = #"[{"type":"code_interpreter","container":{"type":"auto"}}]"#
            api.model?.enqueue(FakeReply(text: "one"), FakeReply(text: "two"), FakeReply(text: "three"))
            let first = try await respond(api, #"{"model":"gpt-4o","input":"1","conversation":"\#(conversation.id)","tools":\#(tools)}"#)
            _ = try await respond(api, #"{"model":"gpt-4o","input":"2","conversation":"\#(conversation.id)","tools":\#(tools)}"#)
            var containers = try await api.call(.get, "/v1/containers", beta: false).decode(ListPage<Container>.self).data
            #expect(containers.map(\.name) == ["Container for \(first.id)"])

            // Another conversation gets its own.
            let other = try await api.call(.post, "/v1/conversations", "{}", beta: false).decode(Conversation.self)
            _ = try await respond(api, #"{"model":"gpt-4o","input":"3","conversation":"\#(other.id)","tools":\#(tools)}"#)
            containers = try await api.call(.get, "/v1/containers", beta: false).decode(ListPage<Container>.self).data
            #expect(containers.count == 2)
        }
    }
}
