import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// What a user sees when a real model server goes wrong: its own message, the text it had streamed,
/// no retries of an answer that would come out the same, and a conversation it can still read.
@Suite struct UpstreamFailureRoutesTests {
    static let modelError = "The model produced output that does not match the expected format"

    @Test func textThenAnErrorKeepsTheTextAndReportsTheModelServersMessage() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            // The role chunk and three text chunks, then llama.cpp's error.
            api.model?.enqueue(FakeReply(text: "The answer is probably", chunkSize: 5, streamError: .init(message: Self.modelError, afterChunks: 4)))
            let reply = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            let events = reply.events
            #expect(events.map(\.name).suffix(5) == [
                "thread.message.delta", "thread.message.incomplete", "thread.run.step.failed", "thread.run.failed", "done",
            ])
            let streamed = events.filter { $0.name == "thread.message.delta" }
                .compactMap { $0.json["delta"]?["content"]?.array.first?["text"]?["value"]?.stringValue }
            #expect(streamed.joined() == "The answer is p")
            let incomplete = try #require(events.first { $0.name == "thread.message.incomplete" }?.json)
            #expect(incomplete["content"]?.array.first?["text"]?["value"] == .string("The answer is p"))
            #expect(incomplete["incomplete_details"]?["reason"] == .string("run_failed"))
            let failed = try #require(events.first { $0.name == "thread.run.failed" }?.json)
            #expect(failed["last_error"]?["message"] == .string("The model endpoint reported an error: \(Self.modelError)"))
            #expect(failed["last_error"]?["code"] == .string("server_error"))
            // Reported by the model server itself: the same request is not sent again.
            #expect(api.model?.requests().count == 1)

            let message = try #require(try await api.messages(thread).last)
            #expect(message.status == .incomplete && message.incompleteDetails?.reason == "run_failed")
            #expect(message.content == [.text(.init(value: "The answer is p"))])
        }
    }

    @Test func anErrorBeforeAnyTextFailsTheRunAtOnce() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(text: "unused", streamError: .init(message: Self.modelError, afterChunks: 1, framing: .event)))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .failed)
            #expect(run.lastError?.message == "The model endpoint reported an error: \(Self.modelError)")
            #expect(api.model?.requests().count == 1)
            #expect(try await api.messages(thread).count == 1)
        }
    }

    /// A model that wrote arguments that are not JSON: the next request carries them as a JSON string,
    /// which every endpoint can parse, and the model is told they did not parse.
    @Test func malformedArgumentsGoBackAsValidJSON() async throws {
        try await TestAPI.run(model: true) { api in
            let tools = #"[{"type":"function","function":{"name":"run_code","parameters":{"type":"object"}}}]"#
            let (assistant, thread) = try await api.assistantAndThread(tools: tools)
            let broken = #"{"code": "print('unterminated)"#
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "run_code", arguments: broken, id: "call_bad")]), FakeReply(text: "Sorry."))
            let waiting = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(waiting.requiredAction?.submitToolOutputs.toolCalls.first?.function.arguments == broken)
            let submitted = try await api.call(
                .post, "/v1/threads/\(thread.id)/runs/\(waiting.id)/submit_tool_outputs", #"{"tool_outputs":[{"tool_call_id":"call_bad","output":"SyntaxError"}]}"#)
            #expect(submitted.status == .ok)
            #expect(try await api.settled(waiting).status == .completed)

            let messages = try #require(api.model?.requests().last?.body["messages"]?.array)
            let call = try #require(messages.first { $0["tool_calls"] != nil }?["tool_calls"]?.array.first?["function"])
            let sentArguments = try #require(call["arguments"]?.stringValue)
            #expect(try JSONDecoder().decode(String.self, from: Data(sentArguments.utf8)) == broken)
            let answer = try #require(messages.last?["content"]?.stringValue)
            #expect(answer.hasPrefix("SyntaxError\n\n[The arguments of this call were not valid JSON"))
        }
    }

    /// The model server's own sampling defaults apply unless the assistant or the run set them; the run
    /// object reports 1 for an unset value, as OpenAI's does.
    @Test func samplingParametersAreSentOnlyWhenSet() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.temperature == 1 && run.topP == 1)
            let plain = try #require(api.model?.requests().last?.body)
            #expect(plain["temperature"] == nil && plain["top_p"] == nil)
            #expect(try await api.call(.get, "/v1/assistants/\(assistant.id)").decode(Assistant.self).temperature == 1)

            let set = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)","temperature":0.2}"#))
            #expect(set.temperature == 0.2 && set.topP == 1)
            let sent = try #require(api.model?.requests().last?.body)
            #expect(sent["temperature"] == .number(0.2) && sent["top_p"] == nil)

            let tuned = try await api.createAssistant(#"{"model":"gpt-4o","top_p":0.5}"#)
            _ = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(tuned.id)"}"#))
            let fromAssistant = try #require(api.model?.requests().last?.body)
            #expect(fromAssistant["top_p"] == .number(0.5) && fromAssistant["temperature"] == nil)
        }
    }
}
