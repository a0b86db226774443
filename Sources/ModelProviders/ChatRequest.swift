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
        case rateLimited, server, rejected, connection, notConfigured
    }

    public var kind: Kind
    public var status: Int?
    public var message: String

    public init(_ kind: Kind, status: Int? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// The run's `last_error` for this failure.
    public var runError: RunError {
        switch kind {
        case .rateLimited: RunError(code: "rate_limit_exceeded", message: message)
        case .rejected: RunError(code: "invalid_prompt", message: message)
        case .server, .connection, .notConfigured: RunError(code: "server_error", message: message)
        }
    }

    /// Worth another try: the endpoint may answer differently in a moment.
    var isRetryable: Bool { kind == .rateLimited || kind == .server || kind == .connection }
}
