/// `object: "thread.run"`.
public struct Run: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum {
        case queued, inProgress = "in_progress", requiresAction = "requires_action", cancelling, cancelled
        case failed, completed, incomplete, expired

        public var isTerminal: Bool { [.cancelled, .failed, .completed, .incomplete, .expired].contains(self) }
    }

    public var id: String
    public var createdAt: Int
    public var threadID: String
    public var assistantID: String
    public var status: Status
    public var requiredAction: RequiredAction?
    public var lastError: RunError?
    public var expiresAt: Int?
    public var startedAt: Int?
    public var cancelledAt: Int?
    public var failedAt: Int?
    public var completedAt: Int?
    public var incompleteDetails: IncompleteDetails?
    public var model: String
    public var instructions: String
    public var tools: [AssistantTool]
    public var metadata: Metadata
    public var usage: Usage?
    /// Nil when nobody set it: the model endpoint's own default applies, and the object reports 1, as
    /// OpenAI's does. Kept nil in storage so that later runs know it was never set.
    public var temperature: Double?
    /// Nil when nobody set it, like `temperature`.
    public var topP: Double?
    public var maxPromptTokens: Int?
    public var maxCompletionTokens: Int?
    public var truncationStrategy: TruncationStrategy
    public var toolChoice: ToolChoice
    public var parallelToolCalls: Bool
    public var responseFormat: ResponseFormat
    public var reasoningEffort: ReasoningEffort?
    /// Tokens used by the model calls so far; `usage` shows it once the run ends. Stored, not on the wire.
    public var usageSoFar: Usage?
    /// The response this run executes, for a run backing a Responses API response. Stored, not on the wire.
    public var responseID: String?
    /// The project the run was made in, which its execution acts for. Stored, not on the wire.
    public var project: String?

    public struct IncompleteDetails: Codable, Sendable, Equatable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    public init(
        id: String, createdAt: Int, threadID: String, assistantID: String, status: Status = .queued, expiresAt: Int? = nil,
        model: String, instructions: String, tools: [AssistantTool] = [], metadata: Metadata = [:], temperature: Double? = nil,
        topP: Double? = nil, maxPromptTokens: Int? = nil, maxCompletionTokens: Int? = nil,
        truncationStrategy: TruncationStrategy = .init(), toolChoice: ToolChoice = .auto, parallelToolCalls: Bool = true,
        responseFormat: ResponseFormat = .auto, reasoningEffort: ReasoningEffort? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.threadID = threadID
        self.assistantID = assistantID
        self.status = status
        self.expiresAt = expiresAt
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.metadata = metadata
        self.temperature = temperature
        self.topP = topP
        self.maxPromptTokens = maxPromptTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.truncationStrategy = truncationStrategy
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.responseFormat = responseFormat
        self.reasoningEffort = reasoningEffort
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", threadID = "thread_id", assistantID = "assistant_id", status
        case requiredAction = "required_action", lastError = "last_error", expiresAt = "expires_at", startedAt = "started_at"
        case cancelledAt = "cancelled_at", failedAt = "failed_at", completedAt = "completed_at"
        case incompleteDetails = "incomplete_details", model, instructions, tools, metadata, usage, temperature, topP = "top_p"
        case maxPromptTokens = "max_prompt_tokens", maxCompletionTokens = "max_completion_tokens"
        case truncationStrategy = "truncation_strategy", toolChoice = "tool_choice", parallelToolCalls = "parallel_tool_calls"
        case responseFormat = "response_format", reasoningEffort = "reasoning_effort", usageSoFar = "_usage_so_far"
        case responseID = "_response_id", project = "_project"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        threadID = try container.decode(String.self, forKey: .threadID)
        assistantID = try container.decode(String.self, forKey: .assistantID)
        status = try container.decode(Status.self, forKey: .status)
        requiredAction = try container.decodeIfPresent(RequiredAction.self, forKey: .requiredAction)
        lastError = try container.decodeIfPresent(RunError.self, forKey: .lastError)
        expiresAt = try container.decodeIfPresent(Int.self, forKey: .expiresAt)
        startedAt = try container.decodeIfPresent(Int.self, forKey: .startedAt)
        cancelledAt = try container.decodeIfPresent(Int.self, forKey: .cancelledAt)
        failedAt = try container.decodeIfPresent(Int.self, forKey: .failedAt)
        completedAt = try container.decodeIfPresent(Int.self, forKey: .completedAt)
        incompleteDetails = try container.decodeIfPresent(IncompleteDetails.self, forKey: .incompleteDetails)
        model = try container.decode(String.self, forKey: .model)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions) ?? ""
        tools = try container.decodeIfPresent([AssistantTool].self, forKey: .tools) ?? []
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxPromptTokens = try container.decodeIfPresent(Int.self, forKey: .maxPromptTokens)
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        truncationStrategy = try container.decodeIfPresent(TruncationStrategy.self, forKey: .truncationStrategy) ?? .init()
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice) ?? .auto
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat) ?? .auto
        reasoningEffort = try container.decodeIfPresent(ReasoningEffort.self, forKey: .reasoningEffort)
        usageSoFar = try container.decodeIfPresent(Usage.self, forKey: .usageSoFar)
        responseID = try container.decodeIfPresent(String.self, forKey: .responseID)
        project = try container.decodeIfPresent(String.self, forKey: .project)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread.run", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(threadID, forKey: .threadID)
        try container.encode(assistantID, forKey: .assistantID)
        try container.encode(status, forKey: .status)
        try container.encode(requiredAction, forKey: .requiredAction)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(cancelledAt, forKey: .cancelledAt)
        try container.encode(failedAt, forKey: .failedAt)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(incompleteDetails, forKey: .incompleteDetails)
        try container.encode(model, forKey: .model)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(tools, forKey: .tools)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(usage, forKey: .usage)
        // Unset sampling parameters stay nil in storage and read 1 on the wire, as OpenAI reports them.
        let stored = encoder.userInfo[.storage] as? Bool == true
        try container.encode(stored ? temperature : temperature ?? 1, forKey: .temperature)
        try container.encode(stored ? topP : topP ?? 1, forKey: .topP)
        try container.encode(maxPromptTokens, forKey: .maxPromptTokens)
        try container.encode(maxCompletionTokens, forKey: .maxCompletionTokens)
        try container.encode(truncationStrategy, forKey: .truncationStrategy)
        try container.encode(toolChoice, forKey: .toolChoice)
        try container.encode(parallelToolCalls, forKey: .parallelToolCalls)
        try container.encode(responseFormat, forKey: .responseFormat)
        try container.encodeIfPresent(reasoningEffort, forKey: .reasoningEffort)
        if stored {
            try container.encodeIfPresent(usageSoFar, forKey: .usageSoFar)
            try container.encodeIfPresent(responseID, forKey: .responseID)
            try container.encodeIfPresent(project, forKey: .project)
        }
    }
}

/// `required_action`: the function calls the client must answer with `submit_tool_outputs`.
public struct RequiredAction: Codable, Sendable, Equatable {
    public struct SubmitToolOutputs: Codable, Sendable, Equatable {
        public var toolCalls: [RequiredToolCall]
        enum CodingKeys: String, CodingKey { case toolCalls = "tool_calls" }
    }

    public var type = "submit_tool_outputs"
    public var submitToolOutputs: SubmitToolOutputs

    public init(toolCalls: [RequiredToolCall]) {
        submitToolOutputs = SubmitToolOutputs(toolCalls: toolCalls)
    }

    enum CodingKeys: String, CodingKey { case type, submitToolOutputs = "submit_tool_outputs" }
}

public struct RequiredToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        public var arguments: String
    }

    public var id: String
    public var type = "function"
    public var function: Function

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.function = Function(name: name, arguments: arguments)
    }
}

/// `last_error` of a run or step. Codes: `server_error`, `rate_limit_exceeded`, `invalid_prompt`.
public struct RunError: Codable, Sendable, Equatable, Error {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public static func serverError(_ message: String) -> RunError { RunError(code: "server_error", message: message) }
}

public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(promptTokens: lhs.promptTokens + rhs.promptTokens, completionTokens: lhs.completionTokens + rhs.completionTokens)
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decode(Int.self, forKey: .promptTokens)
        completionTokens = try container.decode(Int.self, forKey: .completionTokens)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
    }
}

/// `truncation_strategy`: `auto`, or only the last `last_messages` thread messages.
public struct TruncationStrategy: Codable, Sendable, Equatable {
    public enum Kind: String, WireEnum { case auto, lastMessages = "last_messages" }

    public var type: Kind
    public var lastMessages: Int?

    public init(type: Kind = .auto, lastMessages: Int? = nil) {
        self.type = type
        self.lastMessages = lastMessages
    }

    enum CodingKeys: String, CodingKey { case type, lastMessages = "last_messages" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(Kind.self, forKey: .type)
        lastMessages = try container.decodeIfPresent(Int.self, forKey: .lastMessages)
        try Check.integer(lastMessages, in: 1...Int.max, param: container.param(.lastMessages))
        if type == .lastMessages && lastMessages == nil {
            throw APIError.missingParameter(container.param(.lastMessages))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(lastMessages, forKey: .lastMessages)
    }
}

/// `tool_choice`: `"none" | "auto" | "required"` or a named tool.
public enum ToolChoice: Codable, Sendable, Equatable {
    case none, auto, required
    case function(String)
    case codeInterpreter, fileSearch

    enum CodingKeys: String, CodingKey { case type, function }
    enum FunctionKeys: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let value = try? single.decode(String.self) {
            switch value {
            case "none": self = .none
            case "auto": self = .auto
            case "required": self = .required
            default: throw APIError.invalidValue(value, param: paramPath(decoder.codingPath), supported: ["none", "auto", "required"])
            }
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "function":
            let function = try container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            self = .function(try function.decode(String.self, forKey: .name))
        case "code_interpreter": self = .codeInterpreter
        case "file_search": self = .fileSearch
        default:
            throw APIError.invalidValue(type, param: container.param(.type), supported: ["function", "code_interpreter", "file_search"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .none, .auto, .required:
            var container = encoder.singleValueContainer()
            try container.encode(self == .none ? "none" : self == .auto ? "auto" : "required")
        case .function(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("function", forKey: .type)
            var function = container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            try function.encode(name, forKey: .name)
        case .codeInterpreter, .fileSearch:
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self == .codeInterpreter ? "code_interpreter" : "file_search", forKey: .type)
        }
    }
}
