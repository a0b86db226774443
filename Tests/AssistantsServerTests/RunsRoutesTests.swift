import AssistantsAPI
import FakeModel
import Foundation
import Testing

@Suite struct RunsRoutesTests {
    @Test func streamedTextRunFollowsOpenAIsEventOrder() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(chunks: ["The ", "answer ", "is 4."]))
            let reply = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            #expect(reply.headers[.contentType] == "text/event-stream")
            let events = reply.events
            #expect(events.map(\.name) == [
                "thread.run.created", "thread.run.queued", "thread.run.in_progress",
                "thread.run.step.created", "thread.run.step.in_progress",
                "thread.message.created", "thread.message.in_progress",
                "thread.message.delta", "thread.message.delta", "thread.message.delta",
                "thread.message.completed", "thread.run.step.completed", "thread.run.completed", "done",
            ])
            #expect(events.last?.data == "[DONE]")
            let created = events[5].json
            #expect(created["content"] == .array([]))
            #expect(created["status"] == .string("in_progress"))
            let deltas = events.filter { $0.name == "thread.message.delta" }.compactMap { $0.json["delta"]?["content"]?.array.first?["text"]?["value"]?.stringValue }
            #expect(deltas.joined() == "The answer is 4.")
            let completed = events[12].json
            #expect(completed["usage"]?["total_tokens"] != nil && completed["usage"] != .null)
            #expect(completed["expires_at"] == .null)
            let stepCreated = events[3].json
            #expect(stepCreated["step_details"]?["message_creation"]?["message_id"] == created["id"])

            let messages = try await api.messages(thread)
            #expect(messages.last?.content == [.text(.init(value: "The answer is 4."))])
            #expect(messages.last?.runID == events[0].json["id"]?.stringValue)
            #expect(messages.last?.assistantID == assistant.id)
        }
    }

    @Test func polledRunCarriesUsageAndTimestamps() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(text: "Hi!", usage: .init(promptTokens: 20, completionTokens: 2)))
            let queued = try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)","additional_instructions":"Use one word.","metadata":{"k":"v"}}"#)
            #expect(queued.status == .queued && queued.usage == nil)
            #expect(queued.expiresAt == queued.createdAt + 600)
            #expect(queued.instructions == "Be brief.\n\nUse one word.")
            let run = try await api.settled(queued)
            #expect(run.status == .completed)
            #expect(run.usage == Usage(promptTokens: 20, completionTokens: 2))
            #expect(run.startedAt != nil && run.completedAt != nil && run.expiresAt == nil)
            #expect(run.metadata == ["k": "v"])
            let sent = try #require(api.model?.requests().last?.body)
            #expect(sent["messages"]?.array.first?["content"] == .string("Be brief.\n\nUse one word."))
            #expect(sent["messages"]?.array.last?["content"] == .string("Hello there"))
        }
    }

    @Test func functionCallsWaitForToolOutputs() async throws {
        try await TestAPI.run(model: true) { api in
            let tools = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
            let (assistant, thread) = try await api.assistantAndThread(tools: tools)
            api.model?.enqueue(FakeReply(toolCalls: [
                .init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf"),
                .init(name: "get_weather", arguments: #"{"city":"NY"}"#, id: "call_ny"),
            ], usage: .init(promptTokens: 30, completionTokens: 12)), FakeReply(text: "Both mild."))
            let stream = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            let names = stream.events.map(\.name)
            #expect(names.suffix(2) == ["thread.run.requires_action", "done"])
            let firstDeltas = stream.events.filter { $0.name == "thread.run.step.delta" }.map { $0.json["delta"]?["step_details"]?["tool_calls"]?.array.first }
            #expect(firstDeltas.first??["function"]?["output"] == .null)
            #expect(firstDeltas.first??["id"] == .string("call_sf"))

            let runID = try #require(stream.events.first?.json["id"]?.stringValue)
            let waiting = try await api.call(.get, "/v1/threads/\(thread.id)/runs/\(runID)").decode(Run.self)
            #expect(waiting.status == .requiresAction)
            #expect(waiting.requiredAction?.submitToolOutputs.toolCalls.map(\.function.arguments) == [#"{"city":"SF"}"#, #"{"city":"NY"}"#])

            // The thread is locked meanwhile.
            let locked = try await api.call(.post, "/v1/threads/\(thread.id)/messages", #"{"role":"user","content":"hey"}"#)
            #expect(locked.error?.message == "Can't add messages to \(thread.id) while a run \(runID) is active.")
            let second = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#)
            #expect(second.status == .badRequest)
            #expect(second.error?.message == "Thread \(thread.id) already has an active run \(runID).")

            let partial = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(runID)/submit_tool_outputs", #"{"tool_outputs":[{"tool_call_id":"call_sf","output":"18C"}]}"#)
            #expect(partial.status == .badRequest)
            let submitted = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(runID)/submit_tool_outputs", """
                {"tool_outputs":[{"tool_call_id":"call_sf","output":"18C"},{"tool_call_id":"call_ny","output":"9C"}],"stream":true}
                """)
            #expect(submitted.events.map(\.name).prefix(3) == ["thread.run.step.completed", "thread.run.queued", "thread.run.in_progress"])
            #expect(submitted.events.map(\.name).suffix(2) == ["thread.run.completed", "done"])

            let steps = try await api.steps(waiting)
            #expect(steps.first?.usage == Usage(promptTokens: 30, completionTokens: 12))
            #expect(steps.first?.status == .completed)
            guard case .toolCalls(let calls) = steps.first?.details else { Issue.record("no tool step"); return }
            #expect(calls.map(\.kind) == [
                .function(name: "get_weather", arguments: #"{"city":"SF"}"#, output: "18C"),
                .function(name: "get_weather", arguments: #"{"city":"NY"}"#, output: "9C"),
            ])
            let replay = try #require(api.model?.requests().last?.body["messages"]?.array)
            #expect(replay.suffix(3).map { $0["role"] } == [.string("assistant"), .string("tool"), .string("tool")])
            #expect(replay.last?["tool_call_id"] == .string("call_ny") && replay.last?["content"] == .string("9C"))
            let again = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(runID)/submit_tool_outputs", #"{"tool_outputs":[]}"#)
            #expect(again.status == .badRequest)
        }
    }

    @Test func cancellingARunThatIsStreaming() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(chunks: ["a", "b", "c", "d"], delayMsBetween: 2_000))
            let run = try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#)
            _ = try await eventuallyValue { try await api.messages(thread).count == 2 ? true : nil }
            let cancelling = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(run.id)/cancel").decode(Run.self)
            #expect(cancelling.status == .cancelling)
            let cancelled = try await api.settled(run)
            #expect(cancelled.status == .cancelled && cancelled.cancelledAt != nil)
            let message = try #require(try await api.messages(thread).last)
            #expect(message.status == .incomplete && message.incompleteDetails?.reason == "run_cancelled")
            #expect(try await api.steps(run).allSatisfy { $0.status == .cancelled })
            let again = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(run.id)/cancel")
            #expect(again.status == .badRequest)
            // The thread takes new work.
            api.model?.enqueue(FakeReply(text: "ok"))
            #expect(try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#)).status == .completed)
        }
    }

    @Test func completionTokenLimitEndsIncomplete() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(text: "A long answer that was cut", finishReason: "length"))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)","max_completion_tokens":256}"#))
            #expect(run.status == .incomplete)
            #expect(run.incompleteDetails?.reason == "max_completion_tokens")
            #expect(try await api.messages(thread).last?.incompleteDetails?.reason == "max_tokens")
            #expect(api.model?.requests().last?.body["max_tokens"] == .integer(256))
        }
    }

    @Test func upstreamFailuresFailTheRun() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(error: .init(status: 429, message: "slow down"), repeat: 0))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .failed && run.failedAt != nil)
            #expect(run.lastError?.code == "rate_limit_exceeded")
            #expect(run.lastError?.message.contains("slow down") == true)
        }
    }

    @Test func withoutAnUpstreamRunsFailAtOnce() async throws {
        try await TestAPI.run { api in
            let (assistant, thread) = try await api.assistantAndThread()
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .failed)
            #expect(run.lastError?.message.contains("ASSISTANTS_UPSTREAM_URL") == true)
        }
    }

    @Test func createThreadAndRunStreamsTheThreadFirst() async throws {
        try await TestAPI.run(model: true) { api in
            let assistant = try await api.createAssistant()
            let reply = try await api.call(.post, "/v1/threads/runs", """
                {"assistant_id":"\(assistant.id)","thread":{"messages":[{"role":"user","content":"Hi"}]},"stream":true}
                """)
            let events = reply.events
            #expect(events.first?.name == "thread.created")
            #expect(events.dropFirst().first?.name == "thread.run.created")
            #expect(events.last?.name == "done")
            #expect(api.model?.requests().last?.body["messages"]?.array.last?["content"] == .string("Hi"))
        }
    }

    /// Ten minutes without tool outputs end the run `expired`, and the thread takes runs again.
    @Test func aRunWaitingForToolOutputsExpiresWhenItsTenMinutesAreUp() async throws {
        try await TestAPI.run(model: true) { api in
            let tools = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
            let (assistant, thread) = try await api.assistantAndThread(tools: tools)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf")]))
            let waiting = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(waiting.status == .requiresAction)
            let expiresAt = try #require(waiting.expiresAt)
            // Ten minutes from when the run began to wait.
            #expect(expiresAt >= waiting.createdAt + 600 && expiresAt <= api.clock.now() + 600)

            api.clock.advance(by: expiresAt - api.clock.now() - 5)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.settled(waiting).status == .requiresAction)

            api.clock.advance(by: 6)
            var expired = waiting
            for _ in 0..<200 where expired.status == .requiresAction {
                try await Task.sleep(for: .milliseconds(25))
                expired = try await api.call(.get, "/v1/threads/\(thread.id)/runs/\(waiting.id)").decode(Run.self)
            }
            #expect(expired.status == .expired)
            #expect(expired.expiresAt == nil)
            let late = try await api.call(.post, "/v1/threads/\(thread.id)/runs/\(waiting.id)/submit_tool_outputs", #"{"tool_outputs":[{"tool_call_id":"call_sf","output":"18C"}]}"#)
            #expect(late.status == .badRequest)
            api.model?.enqueue(FakeReply(text: "Hello again."))
            #expect(try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#)).status == .completed)
        }
    }

    /// The server's own code interpreter runs the call, in its sandbox.
    @Test func codeInterpreterCallsRunAndTheirOutputReachesTheStepAndTheModel() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread(tools: #"[{"type":"code_interpreter"}]"#)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"print(2+2)"}"#)]), FakeReply(text: "It is 4."))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .completed)
            let steps = try await api.steps(run)
            #expect(steps.map(\.type) == ["tool_calls", "message_creation"])
            guard case .toolCalls(let calls) = steps[0].details, case .codeInterpreter(let code) = calls.first?.kind else {
                Issue.record("no code interpreter call"); return
            }
            #expect(code.input == "print(2+2)")
            #expect(code.outputs.first.map { if case .logs(let text) = $0 { text == "4\n" } else { false } } == true)
            let sentTools = api.model?.requests().first?.body["tools"]?.array.compactMap { $0["function"]?["name"]?.stringValue }
            #expect(sentTools == ["code_interpreter"])
            let toolMessage = api.model?.requests().last?.body["messages"]?.array.last { $0["role"] == .string("tool") }
            #expect(toolMessage?["content"] == .string("4\n"))
        }
    }

    @Test func badRunRequestsAre4xx() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            let cases: [(String, Int, String?)] = [
                (#"{"assistant_id":"asst_missing"}"#, 404, nil),
                (#"{}"#, 400, "assistant_id"),
                (#"{"assistant_id":"\#(assistant.id)","max_prompt_tokens":100}"#, 400, "max_prompt_tokens"),
                (#"{"assistant_id":"\#(assistant.id)","tool_choice":{"type":"function","function":{"name":"nope"}}}"#, 400, "tool_choice"),
                (#"{"assistant_id":"\#(assistant.id)","truncation_strategy":{"type":"last_messages","last_messages":0}}"#, 400, "truncation_strategy.last_messages"),
                (#"{"assistant_id":"\#(assistant.id)","additional_messages":[{"role":"user","content":[{"type":"image_file","image_file":{"file_id":"file-x"}}]}]}"#, 400, "additional_messages[0].content[0].image_file.file_id"),
            ]
            for (body, status, param) in cases {
                let reply = try await api.call(.post, "/v1/threads/\(thread.id)/runs", body)
                #expect(reply.status.code == status, "\(body)")
                #expect(reply.error?.param == param, "\(body)")
            }
            let include = try await api.call(.post, "/v1/threads/\(thread.id)/runs?include[]=everything", #"{"assistant_id":"\#(assistant.id)"}"#)
            #expect(include.error?.param == "include")
            #expect(try await api.call(.get, "/v1/threads/\(thread.id)/runs").decode(ListPage<Run>.self).data.isEmpty)
            #expect(try await api.call(.get, "/v1/threads/\(thread.id)/runs/run_missing").status == .notFound)
        }
    }
}

/// Polls until `condition` gives a value, for at most five seconds.
func eventuallyValue<T>(_ condition: () async throws -> T?) async throws -> T {
    for _ in 0..<500 {
        if let value = try await condition() { return value }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw RunFailure(message: "condition not met in time")
}

@Suite struct RunStreamEndingTests {
    /// Deleting a thread under a streamed run ends the stream (with an error event), never leaves it open.
    @Test func deletingTheThreadEndsItsRunsStream() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(chunks: ["a", "b", "c", "d"], delayMsBetween: 300))
            let deleter = Task {
                _ = try await eventuallyValue { try await api.messages(thread).count == 2 ? true : nil }
                try await api.call(.delete, "/v1/threads/\(thread.id)")
            }
            let reply = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            try await deleter.value
            let names = reply.events.map(\.name)
            #expect(names.suffix(2) == ["error", "done"])
            #expect(reply.events.dropLast().last?.json["message"]?.stringValue?.contains("thread was deleted") == true)
        }
    }
}
