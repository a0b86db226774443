import AssistantsAPI
import AssistantsClient

/// A model with local Swift tools over the Responses API: the `AssistantAgent` loop without an assistant,
/// a thread or runs.
///
/// ```swift
/// let agent = ResponsesAgent(client: client, model: "gpt-4o", instructions: "Use the tools.", tools: [Calculator()])
/// let answer = try await agent.run("What's 10 - 4 raised to the 2.7")
/// let next = try await agent.run("And times 3?", previousResponseID: answer.response.id)
/// ```
///
/// `run` streams a response; when its output has `function_call` items it calls those tools concurrently
/// and sends all their `function_call_output` items in one new response, continuing the previous one (or
/// adding to the conversation), until a response calls no function. A tool that throws, or a name no tool
/// has, is reported to the model as that call's output. Cancelling the calling task stops the run and, with
/// `background`, cancels the response being streamed on the server too.
public struct ResponsesAgent: Sendable {
    public let client: AssistantsClient
    public var model: String
    /// Sent with every response: OpenAI does not carry instructions over `previous_response_id`.
    public var instructions: String?
    public let tools: [any AgentTool]
    /// Server-side tools offered alongside the local ones, such as `.fileSearch` or `.codeInterpreter`.
    public var builtInTools: [ResponseTool]
    /// How many rounds of tool outputs one `run` sends before it gives up.
    public var maxIterations: Int
    /// Whether the responses run in the background: the server finishes one even if the stream breaks,
    /// and cancelling the calling task cancels it.
    public var background: Bool

    public init(
        client: AssistantsClient, model: String, instructions: String? = nil, tools: [any AgentTool] = [],
        builtInTools: [ResponseTool] = [], maxIterations: Int = Toolbox.defaultMaxIterations, background: Bool = false
    ) {
        self.client = client
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.builtInTools = builtInTools
        self.maxIterations = maxIterations
        self.background = background
    }

    /// Answers `input` until the model calls no more functions: afresh, after `previousResponseID`, or in
    /// the conversation `conversationID` (not both, as the API says).
    /// - Parameter onEvent: sees every streamed event and every tool call, as they happen.
    /// - Throws: `ResponsesAgentError` when a response does not complete or the iterations run out;
    ///   `CancellationError` when the task is cancelled; `AssistantsClientError` for a refused request.
    public func run(
        _ input: String, previousResponseID: String? = nil, conversationID: String? = nil,
        onEvent: @escaping @Sendable (ResponsesAgentEvent) async -> Void = { _ in }
    ) async throws -> ResponsesAgentOutput {
        var request = CreateResponseRequest(context: ResponseContextParameters(
            model: model, input: .text(input), instructions: instructions, tools: builtInTools + tools.map(\.responseDefinition),
            previousResponseID: previousResponseID, conversationID: conversationID), background: background)
        var responseIDs: [String] = []
        var items: [ResponseItem] = []
        var iterations = 0
        var currentID: String?
        while true {
            let response: ModelResponse
            do {
                response = try await follow(client.responses.stream(request), onEvent: onEvent, noteID: { currentID = $0 })
            } catch {
                guard Task.isCancelled else { throw error }
                if background, let currentID { await cancel(currentID) }
                throw CancellationError()
            }
            responseIDs.append(response.id)
            items += response.output
            let calls = response.output.compactMap { if case .functionCall(let call) = $0 { call } else { nil } }
            if calls.isEmpty {
                return ResponsesAgentOutput(text: response.outputText, responseIDs: responseIDs, response: response, items: items)
            }
            iterations += 1
            guard iterations <= maxIterations else { throw ResponsesAgentError.maxIterationsReached(response) }
            let outputs = await Toolbox(tools: tools).outputs(
                of: calls, started: { await onEvent(.toolCallStarted($0)) },
                finished: { await onEvent(.toolCallFinished($0, output: $1, failed: $2)) })
            try Task.checkCancellation()
            let answers = zip(calls, outputs).map { ResponseItem.functionCallOutput(FunctionCallOutputItem(callID: $0.callID, output: .text($1))) }
            items += answers
            request.context.input = .items(answers)
            // A conversation already holds the calls; a chain of responses reaches them through the last one.
            if request.context.conversationID == nil { request.context.previousResponseID = response.id }
        }
    }

    /// Reads one response's stream to its end, passing each event on; the response, once completed.
    private func follow(
        _ stream: ResponseStream, onEvent: @Sendable (ResponsesAgentEvent) async -> Void, noteID: (String) -> Void
    ) async throws -> ModelResponse {
        var last = ResponseSnapshot()
        for try await update in stream {
            if let id = update.snapshot.response?.id { noteID(id) }
            await onEvent(.stream(update))
            last = update.snapshot
        }
        try Task.checkCancellation()
        guard let response = last.response, response.status.isTerminal else { throw ResponsesAgentError.noResponse(streamError: last.error) }
        guard response.status == .completed else { throw ResponsesAgentError.responseEnded(response, streamError: last.error) }
        return response
    }

    /// Cancels the response from outside the calling task, which is cancelled already.
    private func cancel(_ id: String) async {
        let client = client
        await Task.detached { _ = try? await client.responses.cancel(id) }.value
    }
}
