import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// `truncation` against the configured context window: `auto` drops the oldest items until the input fits,
/// `disabled` refuses an input that does not. Sizes are the server's token estimate: a four-letter word is
/// one token, a message four more.
@Suite struct ResponsesTruncationTests {
    /// A user message of `count` one-token words, as an input item.
    static func words(_ count: Int, role: String = "user") -> String {
        #"{"role":"\#(role)","content":"\#(Array(repeating: "word", count: count).joined(separator: " "))"}"#
    }

    /// 404 + 5 + (17 + 5) + 6 tokens: a long old message, an answer, a call with its output, the question.
    static let history = """
        [\(words(400)),{"role":"assistant","content":"ok"},
         {"type":"function_call","call_id":"call_sf","name":"get_weather","arguments":"{\\"city\\":\\"SF\\"}"},
         {"type":"function_call_output","call_id":"call_sf","output":"18C"},
         {"role":"user","content":"Now?"}]
        """

    func sentRoles(_ api: TestAPI) throws -> [String?] {
        try #require(api.model?.requests().last?.body["messages"]?.array).map { $0["role"]?.stringValue }
    }

    @Test func autoDropsTheOldestItemsAndCountsWhatIsSent() async throws {
        try await TestAPI.run(model: true, contextWindow: 100) { api in
            let body = #"{"model":"gpt-4o","truncation":"auto","input":\#(Self.history)}"#
            let response = try await api.call(.post, "/v1/responses", body, beta: false).decode(ModelResponse.self)
            #expect(response.status == .completed && response.truncation == .auto)
            #expect(try sentRoles(api) == ["assistant", "assistant", "tool", "user"])
            let sent = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(sent[0]["content"] == .string("ok") && sent[2]["tool_call_id"] == .string("call_sf"))

            // `input_tokens` counts what would be sent: the cut context under `auto`, all of it otherwise.
            let auto = try await api.call(.post, "/v1/responses/input_tokens", #"{"truncation":"auto","input":\#(Self.history)}"#, beta: false)
            #expect(try auto.decode(InputTokenCount.self).inputTokens == 33)
            let whole = try await api.call(.post, "/v1/responses/input_tokens", #"{"input":\#(Self.history)}"#, beta: false)
            #expect(try whole.decode(InputTokenCount.self).inputTokens == 437)
        }
    }

    @Test func aCallGoesWithItsOutputAndTheQuestionStays() async throws {
        try await TestAPI.run(model: true, contextWindow: 100) { api in
            // The output alone and the question would fit (84 + 6), the call with them does not (17 + 84 + 6):
            // the call and its output go together.
            let input = """
                [{"role":"user","content":"Hi"},
                 {"type":"function_call","call_id":"call_sf","name":"get_weather","arguments":"{\\"city\\":\\"SF\\"}"},
                 {"type":"function_call_output","call_id":"call_sf","output":"\(Array(repeating: "word", count: 80).joined(separator: " "))"},
                 {"role":"user","content":"Now?"}]
                """
            let response = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","truncation":"auto","input":\#(input)}"#, beta: false)
                .decode(ModelResponse.self)
            #expect(response.status == .completed)
            #expect(try sentRoles(api) == ["user"])

            // The last user message is never dropped, even when it alone exceeds the window.
            _ = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","truncation":"auto","input":[\#(Self.words(10)),\#(Self.words(200))]}"#, beta: false)
                .decode(ModelResponse.self)
            let last = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(last.count == 1 && last[0]["content"]?.stringValue?.hasPrefix("word word") == true)
        }
    }

    @Test func autoCutsAConversationFromItsOldestItems() async throws {
        try await TestAPI.run(model: true, contextWindow: 100) { api in
            let conversation = try await api.call(
                .post, "/v1/conversations", #"{"items":[\#(Self.words(400)),{"role":"assistant","content":"ok"}]}"#, beta: false
            ).decode(Conversation.self)
            let body = #"{"model":"gpt-4o","conversation":"\#(conversation.id)","truncation":"auto","instructions":"Be brief.","input":"Now?"}"#
            let response = try await api.call(.post, "/v1/responses", body, beta: false).decode(ModelResponse.self)
            #expect(response.status == .completed)
            #expect(try sentRoles(api) == ["system", "assistant", "user"])
            // The conversation keeps every item: truncation is of what the model is sent.
            let items = try await api.call(.get, "/v1/conversations/\(conversation.id)/items", beta: false).decode(ListPage<ResponseItem>.self)
            #expect(items.data.count == 4)
        }
    }

    @Test func disabledRefusesAnInputBeyondTheWindow() async throws {
        try await TestAPI.run(model: true, contextWindow: 100) { api in
            for body in [#"{"model":"gpt-4o","input":\#(Self.history)}"#, #"{"model":"gpt-4o","truncation":"disabled","input":\#(Self.history)}"#] {
                let reply = try await api.call(.post, "/v1/responses", body, beta: false)
                #expect(reply.status == .badRequest)
                let error = try #require(reply.error)
                #expect(error.code == "context_length_exceeded" && error.param == "input" && error.type == "invalid_request_error")
            }
            // Refused before anything is stored or sent: a conversation keeps only what it had.
            let conversation = try await api.call(.post, "/v1/conversations", #"{"items":[{"role":"user","content":"Hi"}]}"#, beta: false)
                .decode(Conversation.self)
            let refused = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","conversation":"\#(conversation.id)","input":\#(Self.history)}"#, beta: false)
            #expect(refused.status == .badRequest && refused.error?.code == "context_length_exceeded")
            let items = try await api.call(.get, "/v1/conversations/\(conversation.id)/items", beta: false).decode(ListPage<ResponseItem>.self)
            #expect(items.data.count == 1)
            #expect(api.model?.requests().isEmpty == true)

            // What fits is answered.
            let fits = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Now?"}"#, beta: false).decode(ModelResponse.self)
            #expect(fits.status == .completed && fits.truncation == .disabled)
        }
    }
}
