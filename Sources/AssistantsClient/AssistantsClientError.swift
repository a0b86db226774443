import AssistantsAPI

/// What a call to the server can fail with, besides `CancellationError` when its task is cancelled.
public enum AssistantsClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error status. `error` is OpenAI's envelope, when the body held one.
    case api(status: Int, error: ErrorEnvelope.Body?)
    /// The server could not be reached, or the connection broke, after every retry.
    case connection(any Error)
    /// A response that is not what the API answers: `detail` says what did not fit.
    case invalidResponse(detail: String)
    /// A streamed run sent an `error` event.
    case stream(ErrorEnvelope.Body)

    /// The HTTP status of an `api` error.
    public var status: Int? {
        if case .api(let status, _) = self { status } else { nil }
    }

    /// OpenAI's error object, for `api` and `stream` errors.
    public var error: ErrorEnvelope.Body? {
        switch self {
        case .api(_, let error): error
        case .stream(let error): error
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .api(let status, let error): "HTTP \(status)" + (error.map { " \($0.type): \($0.message)" } ?? "")
        case .connection(let error): "connection failed: \(error)"
        case .invalidResponse(let detail): "invalid response: \(detail)"
        case .stream(let error): "stream error \(error.type): \(error.message)"
        }
    }
}
