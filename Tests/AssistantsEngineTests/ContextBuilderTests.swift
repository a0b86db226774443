import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders
import SQLiteStore
import Testing
@testable import AssistantsEngine

@Suite struct ContextBuilderTests {
    func setUp(messages texts: [String], run configure: (inout Run) -> Void = { _ in }) async throws -> (ContextBuilder, Run) {
        let store = try SQLiteStore.inMemory()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let messages = texts.enumerated().map { index, text in
            Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: index.isMultiple(of: 2) ? .user : .assistant,
                    content: [.text(.init(value: text))])
        }
        try await store.createThread(thread, messages: messages)
        var configured = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", model: "m", instructions: "Be kind.")
        configure(&configured)
        let run = configured
        try await store.createRun(run, additionalMessages: [])
        let blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
        return (ContextBuilder(store: store, blobs: blobs), run)
    }

    @Test func instructionsThenMessagesInOrder() async throws {
        let (builder, run) = try await setUp(messages: ["Hi", "Hello!", "What's 2+2?"])
        let context = try await builder.context(for: run, promptBudget: nil)
        #expect(context.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(context.messages.map(\.text) == ["Be kind.", "Hi", "Hello!", "What's 2+2?"])
        #expect(context.estimatedTokens == ChatTokens.tokens(in: context.messages))
    }

    @Test func lastMessagesTruncation() async throws {
        let (builder, run) = try await setUp(messages: ["one", "two", "three"]) {
            $0.truncationStrategy = TruncationStrategy(type: .lastMessages, lastMessages: 1)
        }
        let context = try await builder.context(for: run, promptBudget: nil)
        #expect(context.messages.map(\.text) == ["Be kind.", "three"])
    }

    @Test func autoTruncationDropsTheOldestToFitTheBudget() async throws {
        let long = String(repeating: "word ", count: 200)
        let (builder, run) = try await setUp(messages: [long, long, "latest question"])
        let context = try await builder.context(for: run, promptBudget: 300)
        #expect(context.messages.map(\.text) == ["Be kind.", long, "latest question"])
        #expect(context.estimatedTokens <= 300)
        await #expect(throws: RunIncomplete.self) { try await builder.context(for: run, promptBudget: 5) }
    }

    @Test func truncationDropsACallWithItsOutputsAndKeepsTheTurnBeingAnswered() {
        let calls = ChatMessage(
            role: .assistant, content: [],
            toolCalls: [ChatToolCall(id: "c1", name: "f", arguments: "{}"), ChatToolCall(id: "c2", name: "f", arguments: "{}")])
        let messages: [ChatMessage] = [
            .user("old question"), calls, .tool(callID: "c1", output: "one"), .tool(callID: "c2", output: "two"), .user("latest question"),
        ]
        #expect(ContextTruncation.fit(messages, within: ChatTokens.tokens(in: messages)).count == 5)
        // The outputs and the question would fit without their call: they go with it all the same.
        let outputsAndQuestion = ChatTokens.tokens(in: Array(messages[2...]))
        #expect(ContextTruncation.fit(messages, within: outputsAndQuestion).map(\.text) == ["latest question"])
        // The last user message and what follows it stay, even beyond the budget.
        let answered = messages + [ChatMessage(role: .assistant, content: [.text("an answer")])]
        #expect(ContextTruncation.fit(answered, within: 0).map(\.text) == ["latest question", "an answer"])
    }

    @Test func toolCallsReplayWithTheirOutputs() {
        let calls = [
            ToolCall(id: "call_1", kind: .function(name: "f", arguments: "{}", output: "42")),
            ToolCall(id: "call_2", kind: .codeInterpreter(.init(input: "1+1")), transcript: .init(arguments: #"{"code":"1+1"}"#, output: "2")),
        ]
        let transcript = ContextBuilder.transcript(of: calls)
        #expect(transcript.map(\.role) == [.assistant, .tool, .tool])
        #expect(transcript[0].toolCalls == [
            ChatToolCall(id: "call_1", name: "f", arguments: "{}"), ChatToolCall(id: "call_2", name: "code_interpreter", arguments: #"{"code":"1+1"}"#),
        ])
        #expect(transcript[1].toolCallID == "call_1" && transcript[1].text == "42")
        #expect(transcript[2].text == "2")
    }
}
