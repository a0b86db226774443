import AssistantsAPI
import Foundation
import Testing
@testable import FakeModel

/// Starts a fake, runs the test, stops the fake.
func withServer(_ test: (FakeModelServer) async throws -> Void) async throws {
    let server = try await FakeModelServer.start()
    do {
        try await test(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

@Suite struct ChatCompletionsTests {
    @Test func streamsTextInChunksEndingWithDone() async throws {
        try await withServer { server in
            server.enqueue(FakeReply(text: "Hello, world!"))
            let reply = try await chat(server, stream: true)
            #expect(reply.status == 200)
            #expect(reply.contentType == "text/event-stream")
            #expect(reply.events.last == "[DONE]")
            let chunks = reply.chunks
            #expect(chunks.allSatisfy { $0["object"] == .string("chat.completion.chunk") && $0["model"] == .string("gpt-test") })
            #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)
            #expect(chunks[0]["id"]?.stringValue?.hasPrefix("chatcmpl-fake") == true)
            let deltas = chunks.map { $0["choices"]?.arrayValue?.first?["delta"] }
            #expect(deltas.first == .object(["role": .string("assistant"), "content": .string("")]))
            #expect(deltas.dropFirst().compactMap { $0?["content"]?.stringValue } == ["Hell", "o, w", "orld", "!"])
            #expect(deltas.last == .object([:]))
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == .string("stop"))
            #expect(chunks.dropLast().allSatisfy { $0["choices"]?.arrayValue?.first?["finish_reason"] == .null })
            #expect(chunks.allSatisfy { $0["usage"] == nil })
        }
    }

    @Test func usageChunkOnlyWithIncludeUsage() async throws {
        try await withServer { server in
            server.enqueue(FakeReply(chunks: ["a", "bc"], finishReason: "length"))
            // "Hello" is 5 characters: 2 prompt tokens; 2 chunks: 2 completion tokens.
            let chunks = try await chat(server, "Hello", stream: true, includeUsage: true).chunks
            #expect(chunks.dropLast().last?["choices"]?.arrayValue?.first?["finish_reason"] == .string("length"))
            #expect(chunks.last?["choices"] == .array([]))
            #expect(chunks.last?["usage"] == .object(["prompt_tokens": .integer(2), "completion_tokens": .integer(2), "total_tokens": .integer(4)]))
        }
    }

    @Test func parallelToolCallFragmentsReassemble() async throws {
        try await withServer { server in
            let weather = #"{"city":"Paris","unit":"celsius"}"#
            server.enqueue(FakeReply(chunkSize: 5, toolCalls: [
                .init(name: "get_weather", arguments: weather, id: "call_weather"),
                .init(name: "get_time", arguments: #"{"tz":"Europe/Paris"}"#),
            ]))
            let reply = try await chat(server, stream: true)
            var calls: [Int: (id: String?, type: String?, name: String?, arguments: String)] = [:]
            for chunk in reply.chunks {
                for fragment in chunk["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    guard case .integer(let index) = fragment["index"] else { Issue.record("no index"); continue }
                    var call = calls[index] ?? (nil, nil, nil, "")
                    if let id = fragment["id"]?.stringValue { call.id = id }
                    if let type = fragment["type"]?.stringValue { call.type = type }
                    if let name = fragment["function"]?["name"]?.stringValue { call.name = name }
                    call.arguments += fragment["function"]?["arguments"]?.stringValue ?? ""
                    calls[index] = call
                }
            }
            #expect(calls.count == 2)
            #expect(calls[0]?.id == "call_weather" && calls[0]?.name == "get_weather" && calls[0]?.arguments == weather)
            #expect(calls[1]?.id?.hasPrefix("call_") == true && calls[1]?.name == "get_time" && calls[1]?.arguments == #"{"tz":"Europe/Paris"}"#)
            #expect(calls.values.allSatisfy { $0.type == "function" })
            #expect(reply.chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == .string("tool_calls"))
        }
    }

    @Test func nonStreamedCompletion() async throws {
        try await withServer { server in
            server.enqueue(
                FakeReply(text: "Let me check.", toolCalls: [.init(name: "lookup", arguments: "{}", id: "call_1")], usage: .init(promptTokens: 7)),
                FakeReply(finishReason: "length"))
            let reply = try await chat(server)
            #expect(reply.contentType == "application/json")
            let json = reply.json
            #expect(json["object"] == .string("chat.completion"))
            #expect(json["model"] == .string("gpt-test"))
            let choice = json["choices"]?.arrayValue?.first
            #expect(choice?["finish_reason"] == .string("tool_calls"))
            #expect(choice?["message"] == .object([
                "role": .string("assistant"), "content": .string("Let me check."),
                "tool_calls": .array([.object([
                    "id": .string("call_1"), "type": .string("function"),
                    "function": .object(["name": .string("lookup"), "arguments": .string("{}")]),
                ])]),
            ]))
            // Completion tokens count the fragments: 4 of text, 1 of arguments.
            #expect(json["usage"] == .object(["prompt_tokens": .integer(7), "completion_tokens": .integer(5), "total_tokens": .integer(12)]))

            let empty = try await chat(server).json["choices"]?.arrayValue?.first
            #expect(empty?["message"] == .object(["role": .string("assistant"), "content": .null]))
            #expect(empty?["finish_reason"] == .string("length"))
        }
    }

    @Test func errorReplyAnswersStatusAndEnvelope() async throws {
        try await withServer { server in
            server.enqueue(
                FakeReply(error: .init(status: 429, message: "Slow down", type: "rate_limit_error")),
                FakeReply(error: .init(status: 503, message: "Overloaded")))
            let limited = try await chat(server, stream: true)
            #expect(limited.status == 429)
            #expect(limited.json == .object(["error": .object([
                "message": .string("Slow down"), "type": .string("rate_limit_error"), "param": .null, "code": .null,
            ])]))
            let overloaded = try await chat(server)
            #expect(overloaded.status == 503)
            #expect(overloaded.json["error"]?["type"] == .string("server_error"))
        }
    }

    @Test func defaultRepliesEchoAndSummariseToolResults() async throws {
        try await withServer { server in
            #expect(try await chat(server, "Ping").json["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Echo: Ping"))

            let parts = #"{"model":"m","messages":[{"role":"user","content":"old"},{"role":"assistant","content":"x"},"#
                + #"{"role":"user","content":[{"type":"text","text":"Look "},{"type":"image_url","image_url":{"url":"u"}},{"type":"text","text":"here"}]}]}"#
            let echo = try await send(server.baseURL + "/chat/completions", parts)
            #expect(echo.json["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Echo: Look here"))

            let tools = #"{"model":"m","stream":true,"messages":[{"role":"tool","tool_call_id":"a","content":"old"},"#
                + #"{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[]},"#
                + #"{"role":"tool","tool_call_id":"b","content":"sunny"},{"role":"tool","tool_call_id":"c","content":"12:00"}]}"#
            let summary = try await send(server.baseURL + "/chat/completions", tools)
            let text = summary.chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Tool results: sunny, 12:00")
        }
    }

    @Test func repeatServesSeveralRequests() async throws {
        try await withServer { server in
            server.enqueue(FakeReply(text: "twice", repeat: 2), FakeReply(text: "forever", repeat: 0), FakeReply(text: "never"))
            var texts: [String?] = []
            for _ in 0..<5 {
                texts.append(try await chat(server).json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
            }
            #expect(texts == ["twice", "twice", "forever", "forever", "forever"])
        }
    }

    @Test func recordsBodiesAndAuthorization() async throws {
        try await withServer { server in
            let body = #"{"model":"m","messages":[{"role":"user","content":"Hi"}],"temperature":0.5}"#
            _ = try await send(server.baseURL + "/chat/completions", body, authorization: "Bearer sk-test")
            _ = try await send(server.baseURL + "/chat/completions", body)
            let requests = server.requests()
            #expect(requests.count == 2)
            #expect(requests.first?.body == (try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))))
            #expect(requests.map(\.authorization) == ["Bearer sk-test", nil])

            server.enqueue(FakeReply(text: "queued"))
            server.reset()
            #expect(server.requests().isEmpty)
            #expect(try await chat(server, "again").json["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Echo: again"))
        }
    }

    @Test func malformedJSONIsA400() async throws {
        try await withServer { server in
            let reply = try await send(server.baseURL + "/chat/completions", "{not json")
            #expect(reply.status == 400)
            #expect(reply.json["error"]?["type"] == .string("invalid_request_error"))
            #expect(server.requests().isEmpty)
        }
    }
}
