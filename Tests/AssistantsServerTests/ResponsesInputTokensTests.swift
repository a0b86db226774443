import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// `POST /v1/responses/input_tokens`: the tokens of what a response would send the model, counted without
/// storing or calling anything.
@Suite struct ResponsesInputTokensTests {
    func count(_ api: TestAPI, _ body: String) async throws -> Int {
        let reply = try await api.call(.post, "/v1/responses/input_tokens", body, beta: false)
        #expect(reply.status == .ok, "\(body): \(reply.error?.message ?? "")")
        return try reply.decode(InputTokenCount.self).inputTokens
    }

    @Test func countsTheInputWithWhatItContinues() async throws {
        try await TestAPI.run(model: true) { api in
            // Four tokens a message, and one for each word piece or punctuation mark: "Tell me a joke ."
            #expect(try await count(api, #"{"model":"gpt-4o","input":"Tell me a joke."}"#) == 9)
            let reply = try await api.call(.post, "/v1/responses/input_tokens", #"{"input":"Tell me a joke."}"#, beta: false)
            #expect(String(decoding: reply.bytes, as: UTF8.self) == #"{"input_tokens":9,"object":"response.input_tokens"}"#)
            let instructed = try await count(api, #"{"model":"gpt-4o","instructions":"Be brief.","input":"Tell me a joke."}"#)
            // The instructions are a message of their own: "Be brie f ." (pieces of at most four letters).
            #expect(instructed == 9 + 8)
            let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]"#
            #expect(try await count(api, #"{"input":"Tell me a joke.","tools":\#(tools)}"#) > 9)
            #expect(api.model?.requests().isEmpty == true)

            // A chain counts as the same items given in full.
            api.model?.enqueue(FakeReply(text: "Why did the chicken cross the road?"))
            let first = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Tell me a joke."}"#, beta: false)
                .decode(ModelResponse.self)
            let continued = try await count(api, #"{"previous_response_id":"\#(first.id)","input":"Another one."}"#)
            let spelledOut = try await count(api, #"""
                {"input":[{"role":"user","content":"Tell me a joke."},
                          {"role":"assistant","content":"Why did the chicken cross the road?"},
                          {"role":"user","content":"Another one."}]}
                """#)
            #expect(continued == spelledOut && continued > 9)

            // So does a conversation.
            let conversation = try await api.call(
                .post, "/v1/conversations", #"{"items":[{"role":"user","content":"Tell me a joke."}]}"#, beta: false
            ).decode(Conversation.self)
            let inConversation = try await count(api, #"{"conversation":"\#(conversation.id)","input":"Another one."}"#)
            #expect(inConversation == (try await count(api, #"{"input":[{"role":"user","content":"Tell me a joke."},{"role":"user","content":"Another one."}]}"#)))
            // Counting stored nothing: the conversation holds only its own item.
            let items = try await api.call(.get, "/v1/conversations/\(conversation.id)/items", beta: false).decode(ListPage<ResponseItem>.self)
            #expect(items.data.count == 1)
            #expect(api.model?.requests().count == 1)
        }
    }

    @Test func whatCannotBeCountedIsRefusedByName() async throws {
        try await TestAPI.run(model: true) { api in
            for (body, status, param, code) in [
                (#"{"previous_response_id":"resp_none","input":"x"}"#, 404, "previous_response_id", "previous_response_not_found"),
                (#"{"conversation":"conv_none","input":"x"}"#, 404, nil, nil),
                (#"{"input":[{"type":"item_reference","id":"msg_1"}]}"#, 404, "input[0].id", nil),
                (#"{"input":[{"role":"user","content":[{"type":"input_file","file_id":"file-1"}]}]}"#, 404, "input[0].content[0].file_id", nil),
                (#"{"input":[{"role":"user","content":[{"type":"input_file","file_url":"https://example.com/a.pdf"}]}]}"#, 400, "input[0].content[0].file_url", "unsupported_parameter"),
                (#"{"previous_response_id":"resp_1","conversation":"conv_1"}"#, 400, nil, "mutually_exclusive_parameters"),
                (#"{"input":[{"role":"user","content":[{"type":"input_image","file_id":"file_none"}]}]}"#, 400, "input[0].content[0].file_id", nil),
            ] as [(String, Int, String?, String?)] {
                let reply = try await api.call(.post, "/v1/responses/input_tokens", body, beta: false)
                #expect(Int(reply.status.code) == status, "\(body)")
                let error = try #require(reply.error, "\(body)")
                #expect(error.param == param && (code == nil || error.code == code), "\(body): \(error)")
            }
        }
    }
}
