import AssistantsAPI
import AssistantsClient

/// What a `ResponsesAgent` run reports as it goes: every event the server streams, and each local tool call.
public enum ResponsesAgentEvent: Sendable {
    /// A server-sent event of one of the run's responses, with that response's snapshot so far.
    case stream(ResponseStreamUpdate)
    /// A local tool is about to be called.
    case toolCallStarted(FunctionCallItem)
    /// A local tool answered; `failed` when it threw (or does not exist) and `output` is the error reported.
    case toolCallFinished(FunctionCallItem, output: String, failed: Bool)
}

/// The answer of a `ResponsesAgent` run.
public struct ResponsesAgentOutput: Sendable {
    /// The text of the last response: the one without function calls.
    public var text: String
    /// The ids of the responses the run created, in order; the last one continues the chain
    /// (`previousResponseID:`).
    public var responseIDs: [String]
    /// The last response, as it completed.
    public var response: ModelResponse
    /// Every response's output items in order: function calls, the `function_call_output` items the agent
    /// sent for them, and the messages.
    public var items: [ResponseItem]
    /// The conversation the run answered in, if it was given one.
    public var conversationID: String? { response.conversationID }
}

public enum ResponsesAgentError: Error, CustomStringConvertible {
    /// A response ended other than `completed`: failed, incomplete or cancelled.
    case responseEnded(ModelResponse, streamError: ErrorEnvelope.Body?)
    /// The model still called functions after `maxIterations` rounds of outputs.
    case maxIterationsReached(ModelResponse)
    /// The stream closed without the response, e.g. after an `error` event.
    case noResponse(streamError: ErrorEnvelope.Body?)

    public var description: String {
        switch self {
        case .responseEnded(let response, let error):
            "response \(response.id) ended \(response.status.rawValue)"
                + (response.error.map { ": \($0.message)" } ?? error.map { ": \($0.message)" } ?? "")
        case .maxIterationsReached(let response): "response \(response.id) still called functions after the iteration limit"
        case .noResponse(let error): "the response's stream ended without the response" + (error.map { ": \($0.message)" } ?? "")
        }
    }
}
