/// The run settings that create-run and create-thread-and-run share; each overrides the assistant's.
public struct RunParameters: Codable, Sendable, Equatable {
    public var model: String?
    public var instructions: String?
    public var tools: [AssistantTool]?
    public var metadata: Metadata?
    public var temperature: Double?
    public var topP: Double?
    public var maxPromptTokens: Int?
    public var maxCompletionTokens: Int?
    public var truncationStrategy: TruncationStrategy?
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?
    public var responseFormat: ResponseFormat?
    public var reasoningEffort: ReasoningEffort?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case model, instructions, tools, metadata, temperature, topP = "top_p", maxPromptTokens = "max_prompt_tokens"
        case maxCompletionTokens = "max_completion_tokens", truncationStrategy = "truncation_strategy", toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls", responseFormat = "response_format", reasoningEffort = "reasoning_effort"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        instructions = try container.decodeString(.instructions, maxLength: AssistantLimits.instructions)
        tools = try container.decodeArray([AssistantTool].self, forKey: .tools, maxCount: 20, nullable: true)
        metadata = try container.decodeMetadata(.metadata) ?? nil
        temperature = try container.decodeNumber(.temperature, in: AssistantLimits.temperature) ?? nil
        topP = try container.decodeNumber(.topP, in: AssistantLimits.topP) ?? nil
        maxPromptTokens = try container.decodeIfPresent(Int.self, forKey: .maxPromptTokens)
        try Check.integer(maxPromptTokens, in: 256...Int.max, param: container.param(.maxPromptTokens))
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        try Check.integer(maxCompletionTokens, in: 256...Int.max, param: container.param(.maxCompletionTokens))
        truncationStrategy = try container.decodeIfPresent(TruncationStrategy.self, forKey: .truncationStrategy)
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        parallelToolCalls = try container.decodeNonNull(Bool.self, forKey: .parallelToolCalls)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
        reasoningEffort = try container.decodeIfPresent(ReasoningEffort.self, forKey: .reasoningEffort)
    }
}

/// `POST /threads/{thread_id}/runs`.
public struct CreateRunRequest: Codable, Sendable, Equatable {
    public var assistantID: String
    public var parameters: RunParameters
    public var additionalInstructions: String?
    public var additionalMessages: [CreateMessageRequest]
    public var stream: Bool

    public init(
        assistantID: String, parameters: RunParameters = .init(), additionalInstructions: String? = nil,
        additionalMessages: [CreateMessageRequest] = [], stream: Bool = false
    ) {
        self.assistantID = assistantID
        self.parameters = parameters
        self.additionalInstructions = additionalInstructions
        self.additionalMessages = additionalMessages
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey {
        case assistantID = "assistant_id", additionalInstructions = "additional_instructions"
        case additionalMessages = "additional_messages", stream
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        assistantID = try container.decode(String.self, forKey: .assistantID)
        parameters = try RunParameters(from: decoder)
        additionalInstructions = try container.decodeString(.additionalInstructions, maxLength: AssistantLimits.instructions)
        additionalMessages = try container.decodeIfPresent([CreateMessageRequest].self, forKey: .additionalMessages) ?? []
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        try parameters.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(assistantID, forKey: .assistantID)
        try container.encodeIfPresent(additionalInstructions, forKey: .additionalInstructions)
        if !additionalMessages.isEmpty { try container.encode(additionalMessages, forKey: .additionalMessages) }
        if stream { try container.encode(true, forKey: .stream) }
    }
}

/// `POST /threads/runs`: a new thread and a run on it, in one call.
public struct CreateThreadAndRunRequest: Codable, Sendable, Equatable {
    public var assistantID: String
    public var thread: CreateThreadRequest
    public var toolResources: ToolResources?
    public var parameters: RunParameters
    public var stream: Bool

    public init(
        assistantID: String, thread: CreateThreadRequest = .init(), toolResources: ToolResources? = nil,
        parameters: RunParameters = .init(), stream: Bool = false
    ) {
        self.assistantID = assistantID
        self.thread = thread
        self.toolResources = toolResources
        self.parameters = parameters
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey {
        case assistantID = "assistant_id", thread, toolResources = "tool_resources", stream
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        assistantID = try container.decode(String.self, forKey: .assistantID)
        thread = try container.decodeNonNull(CreateThreadRequest.self, forKey: .thread) ?? .init()
        toolResources = try container.decodeIfPresent(ToolResources.self, forKey: .toolResources)
        parameters = try RunParameters(from: decoder)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        try parameters.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(assistantID, forKey: .assistantID)
        try container.encode(thread, forKey: .thread)
        try container.encodeIfPresent(toolResources, forKey: .toolResources)
        if stream { try container.encode(true, forKey: .stream) }
    }
}

/// `POST /threads/{thread_id}/runs/{run_id}/submit_tool_outputs`.
public struct SubmitToolOutputsRequest: Codable, Sendable, Equatable {
    public struct ToolOutput: Codable, Sendable, Equatable {
        public var toolCallID: String
        public var output: String

        public init(toolCallID: String, output: String) {
            self.toolCallID = toolCallID
            self.output = output
        }

        enum CodingKeys: String, CodingKey { case toolCallID = "tool_call_id", output }
    }

    public var toolOutputs: [ToolOutput]
    public var stream: Bool

    public init(toolOutputs: [ToolOutput], stream: Bool = false) {
        self.toolOutputs = toolOutputs
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey { case toolOutputs = "tool_outputs", stream }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        toolOutputs = try container.decode([ToolOutput].self, forKey: .toolOutputs)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
    }
}
