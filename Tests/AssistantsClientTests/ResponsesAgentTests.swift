import AssistantAgent
import AssistantsAPI
import AssistantsClient
import FakeModel
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct ResponsesAgentTests {
    @Test func twoToolCallsRunConcurrentlyAndTheirOutputsContinueTheResponse() async throws {
        try await TestServer.run { server in
            // Each call waits for the other to start: run one after the other, they would never finish.
            let gate = Gate(parties: 2)
            let agent = ResponsesAgent(
                client: server.client, model: "gpt-4o", instructions: "Look things up.",
                tools: [Lookup(name: "weather", gate: gate), Lookup(name: "time", gate: gate)])
            server.model.enqueue(
                FakeReply(toolCalls: [.init(name: "weather", arguments: #"{"key":"SF"}"#), .init(name: "time", arguments: #"{"key":"SF"}"#)]),
                FakeReply(text: "Sunny at noon."))
            let events = ResponsesEventLog()
            let output = try await agent.run("Weather and time in SF?", onEvent: events.record)
            #expect(output.text == "Sunny at noon.")
            #expect(output.responseIDs.count == 2 && output.responseIDs.last == output.response.id)
            #expect(output.response.previousResponseID == output.responseIDs.first && output.response.instructions == "Look things up.")
            #expect(output.items.map(\.type) == ["function_call", "function_call", "function_call_output", "function_call_output", "message"])

            let requests = server.model.requests()
            #expect(requests.count == 2)
            let offered = try #require(requests.first?.body["tools"]?.arrayValue).compactMap { $0["function"]?["name"]?.stringValue }
            #expect(offered == ["weather", "time"])
            let replay = try #require(requests.last?.body["messages"]?.arrayValue)
            #expect(replay.first?["content"] == .string("Look things up."))
            #expect(replay.suffix(2).map { $0["role"] } == [.string("tool"), .string("tool")])
            #expect(replay.suffix(2).map { $0["content"] } == [.string("weather of SF"), .string("time of SF")])
            #expect(events.toolCalls.sorted() == ["time: time of SF", "weather: weather of SF"])
            #expect(events.streamedTypes.filter { $0 == "response.completed" }.count == 2)
        }
    }

    @Test func failuresAreReportedToTheModel() async throws {
        try await TestServer.run { server in
            // A function offered to the model that no local tool implements.
            let ghost = ResponseTool.function(ResponseFunctionTool(name: "ghost", parameters: .object(["type": .string("object")])))
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o", tools: [Failing(), Lookup(name: "weather")], builtInTools: [ghost])
            server.model.enqueue(
                FakeReply(toolCalls: [
                    .init(name: "fail", arguments: "{}"), .init(name: "ghost", arguments: "{}"), .init(name: "weather", arguments: #"{"wrong":1}"#),
                ]),
                FakeReply(text: "Sorry."))
            let events = ResponsesEventLog()
            let output = try await agent.run("Try everything", onEvent: events.record)
            #expect(output.text == "Sorry.")
            let replay = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(replay.suffix(3).map { $0["content"]?.stringValue } == [
                "Error: the tool broke",
                "Error: ghost is not a valid tool, try one of [fail, weather].",
                #"Error: The arguments {"wrong":1} do not match the parameters of weather."#,
            ])
            #expect(events.failures == 3)
        }
    }

    @Test func aConversationGoesOnOverTwoRuns() async throws {
        try await TestServer.run { server in
            let conversation = try await server.client.conversations.create()
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o", tools: [Lookup(name: "weather")])
            server.model.enqueue(
                FakeReply(toolCalls: [.init(name: "weather", arguments: #"{"key":"SF"}"#, id: "call_1")]),
                FakeReply(text: "It is sunny."),
                FakeReply(text: "You asked about SF."))
            let first = try await agent.run("Weather in SF?", conversationID: conversation.id)
            #expect(first.text == "It is sunny." && first.conversationID == conversation.id && first.responseIDs.count == 2)
            let firstResponse = try await server.client.responses.retrieve(first.response.id)
            #expect(firstResponse.previousResponseID == nil, "in a conversation the outputs go to the conversation, not a chain")

            let second = try await agent.run("Which city did I ask about?", conversationID: conversation.id)
            #expect(second.text == "You asked about SF." && second.responseIDs.count == 1)
            let replay = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(replay.map { $0["content"]?.stringValue } == [
                "Weather in SF?", nil, "weather of SF", "It is sunny.", "Which city did I ask about?",
            ])

            let items = try await server.client.conversations.items.list(conversation.id, ListQuery(order: .asc)).collect()
            #expect(items.map(\.type) == ["message", "function_call", "function_call_output", "message", "message", "message"])
            guard case .functionCallOutput(let answer) = items[2] else { Issue.record("items: \(items)"); return }
            #expect(answer.callID == "call_1" && answer.output == .text("weather of SF"))
        }
    }

    @Test func aChainGoesOnFromThePreviousResponse() async throws {
        try await TestServer.run { server in
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o")
            server.model.enqueue(FakeReply(text: "Hello, Ada."), FakeReply(text: "Your name is Ada."))
            let first = try await agent.run("I am Ada.")
            let second = try await agent.run("What is my name?", previousResponseID: first.response.id)
            #expect(second.text == "Your name is Ada." && second.response.previousResponseID == first.response.id)
            let replay = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(replay.map { $0["content"] } == [.string("I am Ada."), .string("Hello, Ada."), .string("What is my name?")])
        }
    }

    @Test func anEndlessToolLoopStopsAtTheIterationLimit() async throws {
        try await TestServer.run { server in
            var agent = ResponsesAgent(client: server.client, model: "gpt-4o", tools: [Lookup(name: "weather")])
            agent.maxIterations = 2
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "weather", arguments: #"{"key":"SF"}"#)], repeat: 0))
            let error = await #expect(throws: ResponsesAgentError.self) { try await agent.run("Loop") }
            guard case .maxIterationsReached(let response) = error else {
                Issue.record("expected the iteration limit, got \(String(describing: error))")
                return
            }
            #expect(response.status == .completed)
            #expect(server.model.requests().count == 3)
        }
    }

    @Test func aResponseThatFailsIsAnError() async throws {
        try await TestServer.run { server in
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o")
            server.model.enqueue(FakeReply(error: .init(status: 400, message: "bad prompt")))
            let error = await #expect(throws: ResponsesAgentError.self) { try await agent.run("Fail") }
            guard case .responseEnded(let response, _) = error else { Issue.record("expected a failed response, got \(String(describing: error))"); return }
            #expect(response.status == .failed && response.error != nil)
        }
    }

    @Test func cancellingTheTaskStopsTheRun() async throws {
        try await TestServer.run { server in
            let started = AsyncStream.makeStream(of: Void.self)
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o", tools: [Blocking(started: started.continuation)])
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "block", arguments: "{}")]))
            let task = Task { try await agent.run("Wait") }
            for await _ in started.stream { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(server.model.requests().count == 1, "no outputs are sent after the cancellation")
        }
    }

    @Test func cancellingTheTaskCancelsABackgroundResponse() async throws {
        try await TestServer.run { server in
            let agent = ResponsesAgent(client: server.client, model: "gpt-4o", background: true)
            server.model.enqueue(FakeReply(chunks: ["Slowly ", "now."], delayMsBeforeFirst: 10_000))
            let created = AsyncStream.makeStream(of: String.self)
            let task = Task {
                try await agent.run("Take your time") { event in
                    if case .stream(let update) = event, let id = update.snapshot.response?.id { created.continuation.yield(id) }
                }
            }
            var id: String?
            for await seen in created.stream { id = seen; break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let response = try await server.client.responses.retrieve(try #require(id))
            #expect(response.background && response.status == .cancelled)
        }
    }
}

/// What a `ResponsesAgent` run reported.
final class ResponsesEventLog: Sendable {
    private let state = Mutex<(types: [String], tools: [String], failures: Int)>(([], [], 0))

    var streamedTypes: [String] { state.withLock { $0.types } }
    var toolCalls: [String] { state.withLock { $0.tools } }
    var failures: Int { state.withLock { $0.failures } }

    @Sendable func record(_ event: ResponsesAgentEvent) {
        state.withLock { state in
            switch event {
            case .stream(let update): state.types.append(update.event.type)
            case .toolCallFinished(let call, let output, let failed):
                state.tools.append("\(call.name): \(output)")
                if failed { state.failures += 1 }
            case .toolCallStarted: break
            }
        }
    }
}
