/// One scripted answer to a chat-completions request. Every field is optional; the JSON keys are
/// snake_case so Python tests can post the same objects to `/_fake/replies`.
public struct FakeReply: Codable, Sendable, Equatable {
    public struct ToolCall: Codable, Sendable, Equatable {
        public var name: String
        public var arguments: String
        /// Defaults to "call_" plus random characters, fresh for every request served.
        public var id: String?

        public init(name: String, arguments: String, id: String? = nil) {
            self.name = name
            self.arguments = arguments
            self.id = id
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int?
        public var completionTokens: Int?

        public init(promptTokens: Int? = nil, completionTokens: Int? = nil) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    /// An HTTP error answered instead of a completion.
    public struct ErrorReply: Codable, Sendable, Equatable {
        public var status: Int
        public var message: String
        /// Defaults to "server_error" for 5xx statuses and "invalid_request_error" otherwise.
        public var type: String?

        public init(status: Int, message: String, type: String? = nil) {
            self.status = status
            self.message = message
            self.type = type
        }
    }

    /// An error written inside a started stream, then the stream closes without `[DONE]`: how llama.cpp's
    /// server reports a failure once it has answered 200.
    public struct StreamError: Codable, Sendable, Equatable {
        /// How the error is framed.
        public enum Framing: String, Codable, Sendable {
            /// `data: {"error": {...}}`, as llama.cpp's server writes it.
            case data
            /// `event: error` then `data: {"error": {...}}`.
            case event
            /// A bare `error: {...}` line, as some llama.cpp versions write it.
            case field
        }

        public var message: String
        /// How many chunks of the completion (the first is the role chunk) go before the error.
        public var afterChunks: Int?
        public var framing: Framing?

        public init(message: String, afterChunks: Int? = nil, framing: Framing? = nil) {
            self.message = message
            self.afterChunks = afterChunks
            self.framing = framing
        }

        enum CodingKeys: String, CodingKey {
            case message, framing
            case afterChunks = "after_chunks"
        }
    }

    public var text: String?
    public var chunks: [String]?
    public var chunkSize: Int?
    public var toolCalls: [ToolCall]?
    public var finishReason: String?
    public var usage: Usage?
    public var delayMsBeforeFirst: Int?
    public var delayMsBetween: Int?
    public var error: ErrorReply?
    public var dropAfterChunks: Int?
    public var streamError: StreamError?
    /// How many requests this reply serves before it leaves the queue; 0 means forever.
    public var `repeat`: Int?

    public init(
        text: String? = nil, chunks: [String]? = nil, chunkSize: Int? = nil, toolCalls: [ToolCall]? = nil,
        finishReason: String? = nil, usage: Usage? = nil, delayMsBeforeFirst: Int? = nil, delayMsBetween: Int? = nil,
        error: ErrorReply? = nil, dropAfterChunks: Int? = nil, streamError: StreamError? = nil, repeat: Int? = nil
    ) {
        self.text = text
        self.chunks = chunks
        self.chunkSize = chunkSize
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.delayMsBeforeFirst = delayMsBeforeFirst
        self.delayMsBetween = delayMsBetween
        self.error = error
        self.dropAfterChunks = dropAfterChunks
        self.streamError = streamError
        self.repeat = `repeat`
    }

    enum CodingKeys: String, CodingKey {
        case text, chunks, usage, error
        case chunkSize = "chunk_size"
        case toolCalls = "tool_calls"
        case finishReason = "finish_reason"
        case delayMsBeforeFirst = "delay_ms_before_first"
        case delayMsBetween = "delay_ms_between"
        case dropAfterChunks = "drop_after_chunks"
        case streamError = "stream_error"
        case `repeat`
    }
}
