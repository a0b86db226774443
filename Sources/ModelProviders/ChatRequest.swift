import AssistantsAPI

/// A chat-completions request as the engine builds it, independent of any one provider's wire format.
public struct ChatRequest: Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var tools: [FunctionDefinition]
    /// `"none"`, `"auto"`, `"required"` or `{"type":"function","function":{"name":...}}`.
    public var toolChoice: JSONValue?
    public var parallelToolCalls: Bool?
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var responseFormat: JSONValue?
    public var reasoningEffort: String?

    public init(
        model: String, messages: [ChatMessage], tools: [FunctionDefinition] = [], toolChoice: JSONValue? = nil,
        parallelToolCalls: Bool? = nil, temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil,
        responseFormat: JSONValue? = nil, reasoningEffort: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.responseFormat = responseFormat
        self.reasoningEffort = reasoningEffort
    }
}

public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant, tool }

    public enum Part: Sendable, Equatable {
        case text(String)
        case imageURL(String, detail: String)
    }

    public var role: Role
    public var content: [Part]
    public var toolCalls: [ChatToolCall]
    public var toolCallID: String?

    public init(role: Role, content: [Part], toolCalls: [ChatToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: [.text(text)]) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: [.text(text)]) }
    public static func tool(callID: String, output: String) -> ChatMessage {
        ChatMessage(role: .tool, content: [.text(output)], toolCallID: callID)
    }

    /// The text of the message's text parts.
    public var text: String {
        content.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }
}

public struct ChatToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// What a streamed completion yields, in order.
public enum ChatStreamEvent: Sendable, Equatable {
    case text(String)
    /// A fragment of tool call `index`: the first carries its id and name, later ones argument text.
    case toolCall(index: Int, id: String?, name: String?, arguments: String?)
    case usage(Usage)
    /// `stop`, `tool_calls`, `length`, `content_filter`.
    case finish(reason: String)
}

/// A model endpoint. Implementations stream; errors are `ProviderError`s.
public protocol ModelProvider: Sendable {
    func streamChat(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error>
    /// Releases connections once no more calls will be made.
    func shutdown() async
}

extension ModelProvider {
    public func shutdown() async {}
}

/// Why a model call failed, with the `last_error.code` a run reports for it.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 429: worth another try, after `retryAfter` when the endpoint says.
        case rateLimited
        /// 502, 503, 504: a proxy or a loading model; worth another try.
        case unavailable
        /// An error the model server itself reported, as an HTTP 500 or inside its stream: the same request
        /// would fail the same way, so it is never retried.
        case server
        /// Any other 4xx: the request was refused.
        case rejected
        /// The endpoint could not be reached, or its stream broke off before anything came: worth another try.
        case connection
        /// The stream broke off after part of the answer was relayed: not retried, the part stands.
        case interrupted
        case notConfigured
    }

    public var kind: Kind
    public var status: Int?
    public var message: String
    /// How long the endpoint asked to wait before another try (`retry-after`).
    public var retryAfter: Duration?

    public init(_ kind: Kind, status: Int? = nil, message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    /// No endpoint to call: none configured for the server, nor for the run's project.
    public static let notConfigured = ProviderError(
        .notConfigured,
        message: "No model endpoint is configured: start the server with ASSISTANTS_UPSTREAM_URL set (e.g. http://127.0.0.1:11434/v1 for Ollama), or give the project its own with `assistants projects update --upstream-url`.")

    /// A failed HTTP answer, classified by its status.
    init(status: Int, message: String, retryAfter: Duration?) {
        let kind: Kind = switch status {
        case 429: .rateLimited
        case 502, 503, 504: .unavailable
        case 500...: .server
        default: .rejected
        }
        self.init(kind, status: status, message: message, retryAfter: retryAfter)
    }

    public var description: String { message }

    /// The run's `last_error` for this failure.
    public var runError: RunError {
        switch kind {
        case .rateLimited: RunError(code: "rate_limit_exceeded", message: message)
        case .rejected: RunError(code: "invalid_prompt", message: message)
        case .server, .unavailable, .connection, .interrupted, .notConfigured: RunError(code: "server_error", message: message)
        }
    }

    /// Only what may succeed on another try: never an error the model server reported.
    var isRetryable: Bool { kind == .rateLimited || kind == .unavailable || kind == .connection }
}
