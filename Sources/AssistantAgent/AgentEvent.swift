import AssistantsAPI
import AssistantsClient

/// What an agent run reports as it goes: every event the server streams, and each local tool call.
public enum AgentEvent: Sendable {
    /// A server-sent event of the run, with the run's snapshot so far.
    case stream(RunStreamEvent)
    /// A local tool is about to be called.
    case toolCallStarted(RequiredToolCall)
    /// A local tool answered; `failed` when it threw (or does not exist) and `output` is the error reported.
    case toolCallFinished(RequiredToolCall, output: String, failed: Bool)
}

/// The answer of an agent run.
public struct AgentOutput: Sendable {
    /// The text of the messages the run wrote, in order.
    public var text: String
    public var threadID: String
    public var runID: String
    /// The run as it completed.
    public var run: Run
    /// The messages the run wrote.
    public var messages: [Message]
}

public enum AssistantAgentError: Error, CustomStringConvertible {
    /// The run ended other than `completed`: failed, cancelled, expired or incomplete.
    case runEnded(Run, streamError: ErrorEnvelope.Body?)
    /// The run asked for tool outputs more often than `maxIterations` allows; it has been cancelled.
    case maxIterationsReached(Run)
    /// The stream closed without telling how the run stands.
    case noRun

    public var description: String {
        switch self {
        case .runEnded(let run, let error):
            "run \(run.id) ended \(run.status.rawValue)" + (run.lastError.map { ": \($0.message)" } ?? error.map { ": \($0.message)" } ?? "")
        case .maxIterationsReached(let run): "run \(run.id) still wanted tool outputs after the iteration limit; it was cancelled"
        case .noRun: "the run's stream ended without the run"
        }
    }
}
