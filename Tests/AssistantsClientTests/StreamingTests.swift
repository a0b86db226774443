import AssistantsAPI
@testable import AssistantsClient
import FakeModel
import Foundation
import Testing

@Suite struct StreamingTests {
    @Test func textStreamsWithSnapshots() async throws {
        try await TestServer.run { server in
            let client = server.client
            let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o"))
            let thread = try await client.threads.create(CreateThreadRequest(messages: [.user("Hi")]))
            server.model.enqueue(FakeReply(chunks: ["The ", "answer ", "is 4."]))
            let stream = try await client.threads.runs.stream(threadID: thread.id, CreateRunRequest(assistantID: assistant.id))
            var changes: [StreamChange] = []
            var names: [String] = []
            var last: RunSnapshot?
            for try await update in stream {
                names.append(update.event.name)
                changes += update.changes
                last = update.snapshot
            }
            #expect(names.first == "thread.run.created" && names.suffix(2) == ["thread.run.completed", "done"])
            let message = try #require(last?.messages.first)
            #expect(message.text == "The answer is 4." && message.status == .completed)
            let textChanges = changes.filter { if case .stepDone = $0 { false } else { true } }
            #expect(textChanges == [
                .textCreated(messageID: message.id, index: 0),
                .textDelta("The ", snapshot: MessageText(value: "The ")),
                .textDelta("answer ", snapshot: MessageText(value: "The answer ")),
                .textDelta("is 4.", snapshot: MessageText(value: "The answer is 4.")),
                .messageDone(message),
            ])
            #expect(last?.run?.status == .completed && last?.error == nil)
        }
    }

    @Test func toolCallsStreamUntilActionIsRequiredThenOutputsStreamTheRest() async throws {
        try await TestServer.run { server in
            let client = server.client
            let weather = AssistantTool.function(FunctionDefinition(name: "get_weather", parameters: .object(["type": .string("object")])))
            let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o", tools: [weather]))
            let arguments = #"{"city":"San Francisco","unit":"celsius"}"#
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: arguments, id: "call_1")]), FakeReply(text: "Mild."))
            let stream = try await client.threads.createAndRunStream(CreateThreadAndRunRequest(
                assistantID: assistant.id, thread: CreateThreadRequest(messages: [.user("Weather?")])))
            var changes: [StreamChange] = []
            var first: AssistantStreamEvent?
            var last = RunSnapshot()
            for try await update in stream {
                first = first ?? update.event
                changes += update.changes
                last = update.snapshot
            }
            guard case .threadCreated(let thread) = first else { Issue.record("no thread.created first"); return }
            let run = try #require(last.run)
            #expect(run.status == .requiresAction && last.thread == thread)

            guard case .toolCallCreated(let created) = changes.first else { Issue.record("no tool call created"); return }
            #expect(created.id == "call_1")
            let snapshots = changes.compactMap { if case .toolCallDelta(_, let call) = $0 { call } else { nil } }
            #expect(snapshots.count > 1)
            #expect(snapshots.last?.kind == .function(name: "get_weather", arguments: arguments, output: nil))

            let rest = try await client.threads.runs.submitToolOutputsStream(run.id, threadID: thread.id, [.init(toolCallID: "call_1", output: "18C")])
            let final = try await rest.untilDone()
            #expect(final.run?.status == .completed)
            #expect(final.messages.map(\.text) == ["Mild."])
            guard case .toolCalls(let calls) = final.steps.first?.details else { Issue.record("no tool step"); return }
            #expect(calls.first?.kind == .function(name: "get_weather", arguments: arguments, output: "18C"))
        }
    }

    @Test func codeInterpreterDeltasAccumulate() {
        var snapshot = RunSnapshot()
        let step = RunStep(id: "step_1", createdAt: 0, assistantID: "asst_1", threadID: "thread_1", runID: "run_1", details: .toolCalls([]))
        _ = snapshot.apply(.stepCreated(step))
        let opened = snapshot.apply(.stepDelta(RunStepDelta(id: "step_1", toolCalls: [
            ToolCallDelta(index: 0, id: "call_1", kind: .codeInterpreter(input: "print(", outputs: nil)),
        ])))
        let more = snapshot.apply(.stepDelta(RunStepDelta(id: "step_1", toolCalls: [
            ToolCallDelta(index: 0, kind: .codeInterpreter(input: "2 ** 3)", outputs: nil)),
        ])))
        let logs = snapshot.apply(.stepDelta(RunStepDelta(id: "step_1", toolCalls: [
            ToolCallDelta(index: 0, kind: .codeInterpreter(input: nil, outputs: [Indexed(index: 0, value: .logs("8\n"))])),
        ])))
        let expected = ToolCall(id: "call_1", kind: .codeInterpreter(CodeInterpreterCall(input: "print(2 ** 3)", outputs: [.logs("8\n")])))
        #expect(opened.count == 2)
        guard case .toolCallCreated(let created) = opened.first, case .toolCallDelta(_, let snapshotAfterMore) = more.first,
              case .toolCallDelta(_, let final) = logs.first else { Issue.record("unexpected changes"); return }
        #expect(created.id == "call_1")
        #expect(snapshotAfterMore.kind == .codeInterpreter(CodeInterpreterCall(input: "print(2 ** 3)")))
        #expect(final == expected)
        #expect(snapshot.step(id: "step_1")?.details == .toolCalls([expected]))
    }

    @Test func serverSentEventsAreFramedAcrossReads() throws {
        var parser = ServerSentEvents()
        let stream = "event: thread.message.delta\r\ndata: {\"a\":\n: a comment\ndata:1}\n\nevent: done\ndata: [DONE]\n\n"
        var events: [ServerSentEvents.Event] = []
        for byte in Array(stream.utf8) { events += parser.feed([byte]) }
        #expect(events == [
            .init(name: "thread.message.delta", data: Data("{\"a\":\n1}".utf8)),
            .init(name: "done", data: Data("[DONE]".utf8)),
        ])
        let unknown = try AssistantStreamEvent(name: "thread.future.event", data: Data("{}".utf8))
        #expect(unknown == nil)
        let error = try AssistantStreamEvent(name: "error", data: Data(#"{"message":"boom","type":"server_error"}"#.utf8))
        #expect(error == .error(ErrorEnvelope.Body(message: "boom", type: "server_error", param: nil, code: nil)))
    }
}
