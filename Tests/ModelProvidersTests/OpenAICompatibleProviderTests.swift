import AssistantsAPI
import Foundation
import FakeModel
import ModelProviders
import Testing

/// The provider against the scripted fake endpoint, over real HTTP.
@Suite struct OpenAICompatibleProviderTests {
    func withProvider(
        aliases: [String: String] = [:], modelOwner: String = "fake-model", namedToolChoice: NamedToolChoice = .auto,
        _ body: (OpenAICompatibleProvider, FakeModelServer) async throws -> Void
    ) async throws {
        let fake = try await FakeModelServer.start(modelOwner: modelOwner)
        let provider = OpenAICompatibleProvider(configuration: .init(
            baseURL: fake.baseURL, apiKey: "upstream-key", modelAliases: aliases, maxRetries: 2, initialBackoff: .milliseconds(5),
            namedToolChoice: namedToolChoice))
        do {
            try await body(provider, fake)
        } catch {
            await provider.shutdown()
            await fake.stop()
            throw error
        }
        await provider.shutdown()
        await fake.stop()
    }

    func collect(_ stream: AsyncThrowingStream<ChatStreamEvent, any Error>) async throws -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = []
        for try await event in stream { events.append(event) }
        return events
    }

    static let request = ChatRequest(model: "gpt-4o", messages: [.system("Be brief."), .user("Hi")])

    @Test func streamsTextAndUsage() async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(chunks: ["Hel", "lo", "!"], usage: .init(promptTokens: 12, completionTokens: 3)))
            let events = try await collect(provider.streamChat(Self.request))
            #expect(events == [.text("Hel"), .text("lo"), .text("!"), .finish(reason: "stop"), .usage(Usage(promptTokens: 12, completionTokens: 3))])
            let sent = try #require(fake.requests().first)
            #expect(sent.authorization == "Bearer upstream-key")
            #expect(sent.body == (try json("""
                {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}
                """)))
        }
    }

    @Test func reassemblesParallelToolCalls() async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(toolCalls: [
                .init(name: "get_weather", arguments: #"{"city":"San Francisco"}"#, id: "call_a"),
                .init(name: "get_time", arguments: #"{"zone":"PST"}"#, id: "call_b"),
            ]))
            var arguments: [Int: String] = [:]
            var names: [Int: String] = [:]
            var ids: [Int: String] = [:]
            var finish: String?
            for try await event in provider.streamChat(Self.request) {
                switch event {
                case .toolCall(let index, let id, let name, let fragment):
                    if let id { ids[index] = id }
                    if let name { names[index] = name }
                    arguments[index, default: ""] += fragment ?? ""
                case .finish(let reason): finish = reason
                default: break
                }
            }
            #expect(ids == [0: "call_a", 1: "call_b"])
            #expect(names == [0: "get_weather", 1: "get_time"])
            #expect(arguments == [0: #"{"city":"San Francisco"}"#, 1: #"{"zone":"PST"}"#])
            #expect(finish == "tool_calls")
        }
    }

    @Test func sendsToolsChoiceAndLimits() async throws {
        try await withProvider(aliases: ["gpt-4o": "llama3.1:8b"]) { provider, fake in
            var request = Self.request
            request.tools = [FunctionDefinition(name: "lookup", description: "Looks up", parameters: .object(["type": .string("object")]))]
            request.toolChoice = .string("required")
            request.parallelToolCalls = false
            request.maxTokens = 300
            request.temperature = 0.5
            request.responseFormat = .object(["type": .string("json_object")])
            _ = try await collect(provider.streamChat(request))
            let body = try #require(fake.requests().first?.body)
            guard case .object(let sent) = body else { Issue.record("not an object"); return }
            #expect(sent["model"] == .string("llama3.1:8b"))
            #expect(sent["tool_choice"] == .string("required"))
            #expect(sent["parallel_tool_calls"] == .bool(false))
            #expect(sent["max_tokens"] == .integer(300))
            #expect(sent["temperature"] == .number(0.5))
            #expect(sent["response_format"] == .object(["type": .string("json_object")]))
            #expect(sent["tools"] == (try json(#"[{"type":"function","function":{"name":"lookup","description":"Looks up","parameters":{"type":"object"}}}]"#)))
        }
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(error: .init(status: 503, message: "overloaded")), FakeReply(text: "ok"))
            let events = try await collect(provider.streamChat(Self.request))
            #expect(events.contains(.text("ok")))
            #expect(fake.requests().count == 2)
        }
    }

    /// Only what may succeed on another try is retried: a 500 is the model server's own answer.
    @Test(arguments: [
        (429, ProviderError.Kind.rateLimited, 3), (502, .unavailable, 3), (503, .unavailable, 3), (504, .unavailable, 3),
        (500, .server, 1), (400, .rejected, 1), (404, .rejected, 1),
    ])
    func classifiesFailures(status: Int, kind: ProviderError.Kind, attempts: Int) async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(error: .init(status: status, message: "upstream says no"), repeat: 0))
            let error = await #expect(throws: ProviderError.self) { try await collect(provider.streamChat(Self.request)) }
            #expect(error?.kind == kind)
            #expect(error?.message.contains("upstream says no") == true)
            #expect(fake.requests().count == attempts)
        }
    }

    @Test func aBrokenStreamIsAConnectionError() async throws {
        try await withProvider { provider, fake in
            // The pause lets the first text chunk arrive before the connection drops.
            fake.enqueue(FakeReply(text: "this will be cut off somewhere", delayMsBetween: 50, dropAfterChunks: 3))
            var texts: [String] = []
            let error = await #expect(throws: ProviderError.self) {
                for try await event in provider.streamChat(Self.request) {
                    if case .text(let text) = event { texts.append(text) }
                }
            }
            #expect(error?.kind == .interrupted)
            #expect(error?.runError.code == "server_error")
            // What was relayed is not relayed twice: no retry after the first byte.
            #expect(fake.requests().count == 1)
            #expect(!texts.isEmpty)
        }
    }

    /// llama.cpp answers 200, streams, then writes an error and closes without `[DONE]`; each framing it
    /// has used is read, and the model server's message is what the failure says.
    @Test(arguments: [FakeReply.StreamError.Framing.data, .event, .field])
    func anErrorInsideTheStreamIsReportedAsIs(framing: FakeReply.StreamError.Framing) async throws {
        try await withProvider { provider, fake in
            let message = "The model produced output that does not match the expected format"
            fake.enqueue(FakeReply(text: "Partial answer", chunkSize: 4, streamError: .init(message: message, afterChunks: 3, framing: framing)))
            var texts: [String] = []
            let error = await #expect(throws: ProviderError.self) {
                for try await event in provider.streamChat(Self.request) {
                    if case .text(let text) = event { texts.append(text) }
                }
            }
            #expect(texts == ["Part", "ial "])
            #expect(error?.kind == .server)
            #expect(error?.message == "The model endpoint reported an error: \(message)")
            #expect(fake.requests().count == 1)
        }
    }

    @Test func anErrorBeforeAnyTextIsNotRetried() async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(text: "never", streamError: .init(message: "Failed to parse tool call arguments as JSON", afterChunks: 0)))
            let error = await #expect(throws: ProviderError.self) { try await collect(provider.streamChat(Self.request)) }
            #expect(error?.message.contains("Failed to parse tool call arguments as JSON") == true)
            #expect(fake.requests().count == 1)
        }
    }

    /// A stream closed cleanly without `[DONE]` or an error, before anything came, is a lost connection:
    /// worth another try.
    @Test func aStreamEndedBeforeAnythingCameIsRetried() async throws {
        try await withProvider { provider, fake in
            fake.enqueue(FakeReply(text: "lost", dropAfterChunks: 0), FakeReply(text: "ok"))
            let events = try await collect(provider.streamChat(Self.request))
            #expect(events.contains(.text("ok")))
            #expect(fake.requests().count == 2)
        }
    }

    /// llama.cpp reads `tool_choice` only as a string: a named choice goes as `required` with only that
    /// tool offered. Other endpoints get OpenAI's object form.
    @Test(arguments: [("llamacpp", NamedToolChoice.auto, true), ("vllm", .auto, false), ("vllm", .required, true), ("llamacpp", .object, false)])
    func namedToolChoiceForm(owner: String, setting: NamedToolChoice, asRequired: Bool) async throws {
        try await withProvider(modelOwner: owner, namedToolChoice: setting) { provider, fake in
            var request = Self.request
            request.tools = [FunctionDefinition(name: "lookup", parameters: nil), FunctionDefinition(name: "other", parameters: nil)]
            request.toolChoice = .object(["type": .string("function"), "function": .object(["name": .string("lookup")])])
            _ = try await collect(provider.streamChat(request))
            _ = try await collect(provider.streamChat(request))
            for sent in fake.requests() {
                let names = sent.body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue }
                if asRequired {
                    #expect(sent.body["tool_choice"] == .string("required"))
                    #expect(names == ["lookup"])
                } else {
                    #expect(sent.body["tool_choice"] == request.toolChoice)
                    #expect(names == ["lookup", "other"])
                }
            }
            #expect(fake.requests().count == 2)
        }
    }

    /// Nothing the run did not set is sent: the endpoint's own sampling defaults apply.
    @Test func samplingParametersOnlyWhenSet() async throws {
        try await withProvider { provider, fake in
            _ = try await collect(provider.streamChat(Self.request))
            let sent = try #require(fake.requests().first?.body)
            #expect(sent["temperature"] == nil && sent["top_p"] == nil)
        }
    }

    @Test func unreachableEndpoint() async throws {
        let provider = OpenAICompatibleProvider(configuration: .init(
            baseURL: "http://127.0.0.1:9/v1", connectTimeout: .milliseconds(200), maxRetries: 1, initialBackoff: .milliseconds(1)))
        let error = await #expect(throws: ProviderError.self) { try await collect(provider.streamChat(Self.request)) }
        #expect(error?.kind == .connection)
        await provider.shutdown()
    }

    @Test func messagesKeepImagesAndToolCalls() async throws {
        try await withProvider { provider, fake in
            let request = ChatRequest(model: "m", messages: [
                ChatMessage(role: .user, content: [.text("What is this?"), .imageURL("data:image/png;base64,AAAA", detail: "low")]),
                ChatMessage(role: .assistant, content: [], toolCalls: [ChatToolCall(id: "call_1", name: "f", arguments: "{}")]),
                .tool(callID: "call_1", output: "42"),
            ])
            _ = try await collect(provider.streamChat(request))
            guard case .object(let sent) = try #require(fake.requests().first?.body) else { return }
            #expect(sent["messages"] == (try json("""
                [{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","content":"42","tool_call_id":"call_1"}]
                """)))
        }
    }
}

func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}
