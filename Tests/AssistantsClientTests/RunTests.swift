import AssistantsAPI
import AssistantsClient
import FakeModel
import Testing

@Suite struct RunTests {
    static let weather = AssistantTool.function(FunctionDefinition(name: "get_weather", parameters: .object(["type": .string("object")])))

    @Test func createAndPollWaitsForTheAnswer() async throws {
        try await TestServer.run { server in
            let client = server.client
            let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o"))
            let thread = try await client.threads.create(CreateThreadRequest(messages: [.user("Hi")]))
            var metadata = CreateRunRequest(assistantID: assistant.id)
            metadata.parameters.metadata = ["purpose": "test"]
            let run = try await client.threads.runs.createAndPoll(threadID: thread.id, metadata)
            #expect(run.status == .completed && run.metadata == ["purpose": "test"])

            let answer = try await client.threads.messages.list(threadID: thread.id, runID: run.id).collect()
            #expect(answer.map(\.text) == ["Echo: Hi"])
            let retrieved = try await client.threads.runs.retrieve(run.id, threadID: thread.id)
            #expect(retrieved.id == run.id)
            let updated = try await client.threads.runs.update(run.id, threadID: thread.id, metadata: nil)
            #expect(updated.metadata.isEmpty)
            let runs = try await client.threads.runs.list(threadID: thread.id).collect()
            #expect(runs.map(\.id) == [run.id])

            let steps = try await client.threads.runs.steps.list(runID: run.id, threadID: thread.id, includeFileSearchContent: true).collect()
            #expect(steps.map(\.type) == ["message_creation"])
            let step = try await client.threads.runs.steps.retrieve(steps[0].id, runID: run.id, threadID: thread.id)
            #expect(step.details == .messageCreation(messageID: answer[0].id))
        }
    }

    @Test func toolOutputsAreSubmittedAndPolled() async throws {
        try await TestServer.run { server in
            let client = server.client
            let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o", tools: [Self.weather]))
            server.model.enqueue(
                FakeReply(toolCalls: [.init(name: "get_weather", arguments: #"{"city":"SF"}"#, id: "call_sf")]), FakeReply(text: "Mild."))
            let waiting = try await client.threads.createAndRunPoll(
                CreateThreadAndRunRequest(assistantID: assistant.id, thread: CreateThreadRequest(messages: [.user("Weather?")])))
            #expect(waiting.status == .requiresAction)
            #expect(waiting.requiredAction?.submitToolOutputs.toolCalls.map(\.id) == ["call_sf"])

            let done = try await client.threads.runs.submitToolOutputsAndPoll(
                waiting.id, threadID: waiting.threadID, [.init(toolCallID: "call_sf", output: "18C")])
            #expect(done.status == .completed)
            let replayed = server.model.requests().last?.body["messages"]?.arrayValue?.last
            #expect(replayed?["content"] == .string("18C"))
        }
    }

    @Test func cancellingARun() async throws {
        try await TestServer.run { server in
            let client = server.client
            let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o", tools: [Self.weather]))
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: "{}")]))
            let waiting = try await client.threads.createAndRunPoll(CreateThreadAndRunRequest(assistantID: assistant.id))
            let cancelling = try await client.threads.runs.cancel(waiting.id, threadID: waiting.threadID)
            #expect(cancelling.status == .cancelling)
            let ended = try await client.threads.runs.poll(waiting.id, threadID: waiting.threadID)
            #expect(ended.status == .cancelled)
        }
    }
}
