import AssistantAgent
import AssistantsAPI
import AssistantsClient
import FakeModel
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct AgentTests {
    @Test func toolCallsRunConcurrentlyAndAreSubmittedTogether() async throws {
        try await TestServer.run { server in
            // Each call waits for the other to start: run one after the other, they would never finish.
            let gate = Gate(parties: 2)
            let tools: [any AgentTool] = [Lookup(name: "weather", gate: gate), Lookup(name: "time", gate: gate)]
            let agent = try await AssistantAgent.create(client: server.client, model: "gpt-4o", tools: tools, builtInTools: [.codeInterpreter])
            let assistant = try await server.client.assistants.retrieve(agent.assistantID)
            #expect(assistant.tools.map(\.type) == ["code_interpreter", "function", "function"])

            server.model.enqueue(
                FakeReply(toolCalls: [.init(name: "weather", arguments: #"{"key":"SF"}"#), .init(name: "time", arguments: #"{"key":"SF"}"#)]),
                FakeReply(text: "Sunny at noon."))
            let events = EventLog()
            let output = try await agent.run("Weather and time in SF?", onEvent: events.record)
            #expect(output.text == "Sunny at noon.")
            #expect(output.run.status == .completed && output.runID == output.run.id && output.threadID == output.run.threadID)

            let replay = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(replay.suffix(2).map { $0["content"] } == [.string("weather of SF"), .string("time of SF")])
            let finished = events.toolCalls
            #expect(finished.sorted() == ["time: time of SF", "weather: weather of SF"])
            #expect(events.streamedNames.contains("thread.run.requires_action") && events.streamedNames.last == "done")
        }
    }

    @Test func failuresAreReportedToTheModel() async throws {
        try await TestServer.run { server in
            // The assistant declares a function the agent has no tool for, as one made elsewhere may.
            let ghost = AssistantTool.function(FunctionDefinition(name: "ghost", parameters: .object(["type": .string("object")])))
            let assistant = try await server.client.assistants.create(CreateAssistantRequest(
                model: "gpt-4o", tools: [ghost, Failing().definition, Lookup(name: "weather").definition]))
            let agent = AssistantAgent(client: server.client, assistantID: assistant.id, tools: [Failing(), Lookup(name: "weather")])
            server.model.enqueue(
                FakeReply(toolCalls: [
                    .init(name: "fail", arguments: "{}"), .init(name: "ghost", arguments: "{}"), .init(name: "weather", arguments: #"{"wrong":1}"#),
                ]),
                FakeReply(text: "Sorry."))
            let output = try await agent.run("Try everything")
            #expect(output.text == "Sorry.")
            let replay = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(replay.suffix(3).map { $0["content"]?.stringValue } == [
                "Error: the tool broke",
                "Error: ghost is not a valid tool, try one of [fail, weather].",
                #"Error: The arguments {"wrong":1} do not match the parameters of weather."#,
            ])
        }
    }

    @Test func anExistingThreadAndAnExistingAssistant() async throws {
        try await TestServer.run { server in
            let assistant = try await server.client.assistants.create(CreateAssistantRequest(model: "gpt-4o", instructions: "Echo."))
            let agent = AssistantAgent(client: server.client, assistantID: assistant.id)
            let first = try await agent.run("one")
            #expect(first.text == "Echo: one")
            let second = try await agent.run("two", threadID: first.threadID)
            #expect(second.text == "Echo: two" && second.threadID == first.threadID && second.run.assistantID == assistant.id)
            let conversation = try await server.client.threads.messages.list(threadID: first.threadID, ListQuery(order: .asc)).collect()
            #expect(conversation.map(\.text) == ["one", "Echo: one", "two", "Echo: two"])
        }
    }

    @Test func anEndlessToolLoopStopsAtTheIterationLimit() async throws {
        try await TestServer.run { server in
            var agent = try await AssistantAgent.create(client: server.client, model: "gpt-4o", tools: [Lookup(name: "weather")])
            agent.maxIterations = 2
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "weather", arguments: #"{"key":"SF"}"#)], repeat: 0))
            let error = await #expect(throws: AssistantAgentError.self) { try await agent.run("Loop") }
            guard case .maxIterationsReached(let run) = error else { Issue.record("expected the iteration limit, got \(String(describing: error))"); return }
            let ended = try await server.client.threads.runs.poll(run.id, threadID: run.threadID)
            #expect(ended.status == .cancelled)
            let submissions = server.model.requests().count
            #expect(submissions == 3)
        }
    }

    @Test func aRunThatFailsIsAnError() async throws {
        try await TestServer.run { server in
            let agent = try await AssistantAgent.create(client: server.client, model: "gpt-4o")
            server.model.enqueue(FakeReply(error: .init(status: 400, message: "bad prompt")))
            let error = await #expect(throws: AssistantAgentError.self) { try await agent.run("Fail") }
            guard case .runEnded(let run, _) = error else { Issue.record("expected a failed run"); return }
            #expect(run.status == .failed && run.lastError != nil)
        }
    }

    @Test func cancellingTheTaskCancelsTheRun() async throws {
        try await TestServer.run { server in
            let started = AsyncStream.makeStream(of: Void.self)
            let agent = try await AssistantAgent.create(client: server.client, model: "gpt-4o", tools: [Blocking(started: started.continuation)])
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "block", arguments: "{}")]))
            let runs = EventLog()
            let task = Task { try await agent.run("Wait", onEvent: runs.record) }
            for await _ in started.stream { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let run = try #require(runs.lastRun)
            let ended = try await server.client.threads.runs.poll(run.id, threadID: run.threadID)
            #expect(ended.status == .cancelled)
        }
    }
}

/// Answers "<name> of <key>"; with a gate, only once every party has arrived.
struct Lookup: TypedAgentTool {
    struct Arguments: Decodable, Sendable { var key: String }
    let name: String
    var gate: Gate?
    var description: String { "Looks up \(name)." }
    var parameters: JSONValue { ParameterSchema.object(["key": ParameterSchema.string("What to look up.")]) }

    func call(_ arguments: Arguments) async throws -> String {
        await gate?.arrive()
        return "\(name) of \(arguments.key)"
    }
}

struct Failing: AgentTool {
    struct Broken: Error, CustomStringConvertible { var description: String { "the tool broke" } }
    let name = "fail"
    let description = "Always fails."
    let parameters = ParameterSchema.object([:])
    func call(arguments: String) async throws -> String { throw Broken() }
}

/// Says it started, then waits until its task is cancelled.
struct Blocking: AgentTool {
    let started: AsyncStream<Void>.Continuation
    let name = "block"
    let description = "Blocks."
    let parameters = ParameterSchema.object([:])

    func call(arguments: String) async throws -> String {
        started.yield()
        try await Task.sleep(for: .seconds(3600))
        return "woke"
    }
}

/// Lets callers through once `parties` of them are waiting.
actor Gate {
    let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arrive() async {
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            guard waiting.count == parties else { return }
            waiting.forEach { $0.resume() }
            waiting = []
        }
    }
}

/// What an agent run reported.
final class EventLog: Sendable {
    private let state = Mutex<(names: [String], tools: [String], run: Run?)>(([], [], nil))

    var streamedNames: [String] { state.withLock { $0.names } }
    var toolCalls: [String] { state.withLock { $0.tools } }
    var lastRun: Run? { state.withLock { $0.run } }

    @Sendable func record(_ event: AgentEvent) {
        state.withLock { state in
            switch event {
            case .stream(let update):
                state.names.append(update.event.name)
                state.run = update.snapshot.run ?? state.run
            case .toolCallFinished(let call, let output, _):
                state.tools.append("\(call.function.name): \(output)")
            case .toolCallStarted:
                break
            }
        }
    }
}
