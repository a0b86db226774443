import AssistantsAPI
import FakeModel
import Foundation
import HTTPTypes
import Testing

/// `/v1/responses`: responses executed as runs, their stream in the Responses event order, their items.
@Suite struct ResponsesRoutesTests {
    @Test func streamedTextFollowsTheResponsesEventOrder() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(chunks: ["The ", "answer ", "is 4."]))
            let reply = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"2+2?","stream":true}"#, beta: false)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "text/event-stream")
            let events = reply.events
            #expect(events.map(\.name) == [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
            ])
            #expect(events.map { $0.json["sequence_number"] } == (0..<events.count).map { .integer($0) })
            #expect(events[0].json["response"]?["status"] == .string("in_progress"))
            let added = events[2].json["item"]
            let done = events[9].json["item"]
            #expect(added?["id"] == done?["id"] && added?["status"] == .string("in_progress"))
            #expect(events[7].json["text"] == .string("The answer is 4."))
            let completed = try #require(events.last?.json["response"])
            #expect(completed["status"] == .string("completed"))
            #expect(completed["output"]?.array.first?["content"]?.array.first?["text"] == .string("The answer is 4."))
            #expect(completed["usage"]?["total_tokens"] != nil)

            // The response reads back the same, and its input is its input.
            let id = try #require(completed["id"]?.stringValue)
            let stored = try await api.call(.get, "/v1/responses/\(id)", beta: false).decode(ModelResponse.self)
            let streamed = try JSONDecoder().decode(ResponseStreamEvent.self, from: Data(try #require(events.last).data.utf8))
            guard case .response(.completed, let final) = streamed.kind else { Issue.record("no final response"); return }
            #expect(stored == final)
            let items = try await api.call(.get, "/v1/responses/\(id)/input_items", beta: false).decode(ListPage<ResponseItem>.self)
            guard case .message(let input) = items.data.first else { Issue.record("no input message"); return }
            #expect(input.role == .user && input.content == [.inputText("2+2?")])
        }
    }

    @Test func aFunctionCallEndsTheResponseAndItsOutputContinuesTheChain() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf")]),
                FakeReply(text: "Mild."))
            let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]"#
            let first = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"SF?","tools":\#(tools)}"#, beta: false)
                .decode(ModelResponse.self)
            #expect(first.status == .completed)
            guard case .functionCall(let call) = first.output.first, first.output.count == 1 else {
                Issue.record("no function call: \(first.output)")
                return
            }
            #expect(call.callID == "call_sf" && call.name == "get_weather" && call.id?.hasPrefix("fc_") == true)

            let body = #"{"model":"gpt-4o","previous_response_id":"\#(first.id)","tools":\#(tools),"input":[{"type":"function_call_output","call_id":"call_sf","output":"18C"}]}"#
            let second = try await api.call(.post, "/v1/responses", body, beta: false).decode(ModelResponse.self)
            #expect(second.status == .completed)
            let sent = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(sent.map { $0["role"]?.stringValue } == ["user", "assistant", "tool"])
            #expect(sent[2]["content"] == .string("18C") && sent[2]["tool_call_id"] == .string("call_sf"))
        }
    }

    @Test func anItemReferenceBringsInTheItemItNames() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf")]),
                FakeReply(text: "Mild."), FakeReply(text: "Noted."))
            let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]"#
            let first = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"SF?","tools":\#(tools)}"#, beta: false)
                .decode(ModelResponse.self)
            let call = try #require(first.output.first?.id)
            // The call, referenced from a response that does not continue the first, with its output.
            let body = #"{"model":"gpt-4o","tools":\#(tools),"input":[{"type":"item_reference","id":"\#(call)"},{"type":"function_call_output","call_id":"call_sf","output":"18C"}]}"#
            let second = try await api.call(.post, "/v1/responses", body, beta: false).decode(ModelResponse.self)
            #expect(second.status == .completed && second.previousResponseID == nil)
            let sent = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(sent.map { $0["role"]?.stringValue } == ["assistant", "tool"])
            #expect(sent[0]["tool_calls"]?.array.first?["id"] == .string("call_sf") && sent[1]["content"] == .string("18C"))
            // The input keeps the item itself, under an id of its own.
            let items = try await api.call(.get, "/v1/responses/\(second.id)/input_items?order=asc", beta: false).decode(ListPage<ResponseItem>.self)
            guard case .functionCall(let copied) = items.data.first else { Issue.record("no function call: \(items.data)"); return }
            #expect(copied.callID == "call_sf" && copied.id != call)

            // The answer of the second, referenced as a message.
            let answer = try #require(second.output.first?.id)
            _ = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":[{"type":"item_reference","id":"\#(answer)"},{"role":"user","content":"OK?"}]}"#, beta: false)
            let third = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(third.map { $0["role"]?.stringValue } == ["assistant", "user"] && third[0]["content"] == .string("Mild."))

            let missing = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":[{"role":"user","content":"hi"},{"type":"item_reference","id":"msg_none"}]}"#, beta: false)
            #expect(missing.status == .notFound && missing.error?.param == "input[1].id" && missing.error?.message == "Item with id 'msg_none' not found.")
            #expect(api.model?.requests().count == 3)
        }
    }

    @Test func unsupportedFeaturesAreRefusedByName() async throws {
        try await TestAPI.run(model: true) { api in
            for (body, param) in [
                (#"{"model":"m","input":[{"role":"developer","content":[{"type":"input_file","file_id":"file-1"}]}]}"#, "input[0].content[0]"),
                (#"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_url":"https://example.com/a.pdf"}]}]}"#, "input[0].content[0].file_url"),
            ] {
                let reply = try await api.call(.post, "/v1/responses", body, beta: false)
                #expect(reply.status == .badRequest)
                let error = try reply.decode(ErrorEnvelope.self).error
                #expect(error.param == param && error.code == "unsupported_parameter")
            }
            #expect(api.model?.requests().isEmpty == true)
        }
    }

    @Test func aResponsesThreadIsNotAnAssistantsThread() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "ok"))
            let response = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"hi"}"#, beta: false).decode(ModelResponse.self)
            let threadID = try #require(try await api.store.response(id: response.id)?.record.threadID)
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/v1/threads/\(threadID)", nil), (.delete, "/v1/threads/\(threadID)", nil),
                (.get, "/v1/threads/\(threadID)/messages", nil), (.post, "/v1/threads/\(threadID)/messages", #"{"role":"user","content":"x"}"#),
                (.post, "/v1/threads/\(threadID)/runs", #"{"assistant_id":"asst_1"}"#),
            ] as [(HTTPRequest.Method, String, String?)] {
                let reply = try await api.call(method, path, body)
                #expect(reply.status == .notFound, "\(method) \(path)")
                #expect(reply.error?.message == "No thread found with id '\(threadID)'.")
            }
            #expect(try await api.call(.get, "/v1/responses/\(response.id)", beta: false).decode(ModelResponse.self).status == .completed)
        }
    }

    @Test func deletedResponsesAreGone() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "ok"))
            let response = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"hi"}"#, beta: false).decode(ModelResponse.self)
            let deleted = try await api.call(.delete, "/v1/responses/\(response.id)", beta: false).decode(DeletionStatus.self)
            #expect(deleted == DeletionStatus(id: response.id, object: "response"))
            for path in ["/v1/responses/\(response.id)", "/v1/responses/\(response.id)/input_items"] {
                let reply = try await api.call(.get, path, beta: false)
                #expect(reply.status == .notFound)
                #expect(try reply.decode(ErrorEnvelope.self).error.message == "Response with id '\(response.id)' not found.")
            }
        }
    }
}
