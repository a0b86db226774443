import AssistantsAPI
import AssistantsClient

/// An assistant that runs local Swift tools: LangChain's `OpenAIAssistantRunnable` and `AgentExecutor` in one.
///
/// ```swift
/// let agent = try await AssistantAgent.create(client: client, model: "gpt-4o", tools: [Calculator()])
/// let answer = try await agent.run("What's 10 - 4 raised to the 2.7")
/// print(answer.text)
/// ```
///
/// `run` streams the run; when it requires action it calls the requested tools concurrently, submits all
/// their outputs in one request, and goes on until the run ends. A tool that throws, or a name no tool has,
/// is reported to the model as that call's output. Cancelling the calling task cancels the run.
public struct AssistantAgent: Sendable {
    public let client: AssistantsClient
    public let assistantID: String
    public let tools: [any AgentTool]
    /// How many rounds of tool outputs one `run` submits before it gives up and cancels the run.
    public var maxIterations: Int

    /// Wraps an existing assistant; `tools` are the local implementations of its functions.
    public init(client: AssistantsClient, assistantID: String, tools: [any AgentTool] = [], maxIterations: Int = Toolbox.defaultMaxIterations) {
        self.client = client
        self.assistantID = assistantID
        self.tools = tools
        self.maxIterations = maxIterations
    }

    /// Creates an assistant offering `tools` as functions, alongside built-in tools such as `.codeInterpreter`.
    public static func create(
        client: AssistantsClient, model: String, name: String? = nil, instructions: String? = nil,
        tools: [any AgentTool] = [], builtInTools: [AssistantTool] = [], maxIterations: Int = Toolbox.defaultMaxIterations
    ) async throws -> AssistantAgent {
        let assistant = try await client.assistants.create(CreateAssistantRequest(
            model: model, name: name, instructions: instructions, tools: builtInTools + tools.map(\.definition)))
        return AssistantAgent(client: client, assistantID: assistant.id, tools: tools, maxIterations: maxIterations)
    }

    /// Sends `input` as a user message, on a new thread or on `threadID`, and runs the assistant until it answers.
    /// - Parameter onEvent: sees every streamed event and every tool call, as they happen.
    public func run(
        _ input: String, threadID: String? = nil, onEvent: @escaping @Sendable (AgentEvent) async -> Void = { _ in }
    ) async throws -> AgentOutput {
        var current: Run?
        do {
            var stream = try await start(input, threadID: threadID)
            var iterations = 0
            var messages: [Message] = []
            while true {
                let snapshot = try await follow(stream, onEvent: onEvent) { current = $0 }
                guard let run = snapshot.run else { throw AssistantAgentError.noRun }
                messages += snapshot.messages.filter { $0.status != .inProgress }
                switch run.status {
                case .completed:
                    let text = messages.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n")
                    return AgentOutput(text: text, threadID: run.threadID, runID: run.id, run: run, messages: messages)
                case .requiresAction:
                    iterations += 1
                    guard iterations <= maxIterations else {
                        await cancel(run)
                        throw AssistantAgentError.maxIterationsReached(run)
                    }
                    let outputs = await call(run.requiredAction?.submitToolOutputs.toolCalls ?? [], onEvent: onEvent)
                    try Task.checkCancellation()
                    stream = try await client.threads.runs.submitToolOutputsStream(run.id, threadID: run.threadID, outputs)
                default:
                    throw AssistantAgentError.runEnded(run, streamError: snapshot.error)
                }
            }
        } catch {
            guard Task.isCancelled else { throw error }
            if let current { await cancel(current) }
            throw CancellationError()
        }
    }

    private func start(_ input: String, threadID: String?) async throws -> RunStream {
        if let threadID {
            return try await client.threads.runs.stream(
                threadID: threadID, CreateRunRequest(assistantID: assistantID, additionalMessages: [.user(input)]))
        }
        return try await client.threads.createAndRunStream(
            CreateThreadAndRunRequest(assistantID: assistantID, thread: CreateThreadRequest(messages: [.user(input)])))
    }

    /// Reads one stream to its end, passing each event on and noting the run as it changes.
    private func follow(
        _ stream: RunStream, onEvent: @Sendable (AgentEvent) async -> Void, noteRun: (Run) -> Void
    ) async throws -> RunSnapshot {
        var last = RunSnapshot()
        for try await event in stream {
            if let run = event.snapshot.run { noteRun(run) }
            await onEvent(.stream(event))
            last = event.snapshot
        }
        try Task.checkCancellation()
        return last
    }

    /// Every requested call at once, through the toolbox both agents share.
    private func call(_ calls: [RequiredToolCall], onEvent: @escaping @Sendable (AgentEvent) async -> Void) async -> [SubmitToolOutputsRequest.ToolOutput] {
        let outputs = await Toolbox(tools: tools).outputs(
            of: calls, started: { await onEvent(.toolCallStarted($0)) },
            finished: { await onEvent(.toolCallFinished($0, output: $1, failed: $2)) })
        return zip(calls, outputs).map { SubmitToolOutputsRequest.ToolOutput(toolCallID: $0.id, output: $1) }
    }

    /// Cancels the run from outside the calling task, which may itself be cancelled already.
    private func cancel(_ run: Run) async {
        guard !run.status.isTerminal else { return }
        let client = client
        await Task.detached { _ = try? await client.threads.runs.cancel(run.id, threadID: run.threadID) }.value
    }
}
