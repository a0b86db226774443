/// `object: "response"`: one model response of the Responses API. Named `ModelResponse` because
/// `Response` is the HTTP response type of the server's framework.
public struct ModelResponse: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum {
        case queued, inProgress = "in_progress", completed, incomplete, failed, cancelled

        public var isTerminal: Bool { [.completed, .incomplete, .failed, .cancelled].contains(self) }
    }

    /// `truncation`: `disabled` fails a request whose input exceeds the context window; `auto` drops the
    /// oldest items until it fits.
    public enum Truncation: String, WireEnum { case auto, disabled }

    public struct IncompleteDetails: Codable, Sendable, Equatable {
        /// `max_output_tokens` or `content_filter`.
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    public var id: String
    public var createdAt: Int
    public var status: Status
    public var completedAt: Int?
    public var error: ResponseError?
    public var incompleteDetails: IncompleteDetails?
    public var instructions: String?
    public var model: String
    public var output: [ResponseItem]
    public var parallelToolCalls: Bool
    public var previousResponseID: String?
    /// The conversation the response belongs to; its items were added to it.
    public var conversationID: String?
    public var tools: [ResponseTool]
    public var toolChoice: ResponseToolChoice
    /// Nil when nobody set it: the model endpoint's own default applies, and the object reports 1, as
    /// OpenAI's does.
    public var temperature: Double?
    /// Nil when nobody set it, like `temperature`.
    public var topP: Double?
    public var maxOutputTokens: Int?
    public var maxToolCalls: Int?
    public var metadata: Metadata
    public var text: ResponseTextConfig
    public var truncation: Truncation
    public var usage: ResponseUsage?
    public var reasoningEffort: ReasoningEffort?
    public var store: Bool
    public var background: Bool
    public var user: String?
    public var safetyIdentifier: String?
    public var promptCacheKey: String?
    /// What the request asked to `include` in its output (e.g. `file_search_call.results`); kept in storage
    /// only, since every later read of the response shows the same.
    public var include: [ResponseInclude] = []
    /// The container the `code_interpreter` tool runs code in: the one the tool names, or the one made for
    /// `container: {type: auto}`. Kept in storage only; clients see it in each `code_interpreter_call`.
    public var containerID: String?

    public init(
        id: String, createdAt: Int, status: Status = .queued, model: String, instructions: String? = nil, output: [ResponseItem] = [],
        parallelToolCalls: Bool = true, previousResponseID: String? = nil, conversationID: String? = nil, tools: [ResponseTool] = [],
        toolChoice: ResponseToolChoice = .auto, temperature: Double? = nil, topP: Double? = nil, maxOutputTokens: Int? = nil,
        maxToolCalls: Int? = nil, metadata: Metadata = [:], text: ResponseTextConfig = .init(), truncation: Truncation = .disabled,
        reasoningEffort: ReasoningEffort? = nil, store: Bool = true, background: Bool = false, user: String? = nil,
        safetyIdentifier: String? = nil, promptCacheKey: String? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.status = status
        self.model = model
        self.instructions = instructions
        self.output = output
        self.parallelToolCalls = parallelToolCalls
        self.previousResponseID = previousResponseID
        self.conversationID = conversationID
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.topP = topP
        self.maxOutputTokens = maxOutputTokens
        self.maxToolCalls = maxToolCalls
        self.metadata = metadata
        self.text = text
        self.truncation = truncation
        self.reasoningEffort = reasoningEffort
        self.store = store
        self.background = background
        self.user = user
        self.safetyIdentifier = safetyIdentifier
        self.promptCacheKey = promptCacheKey
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", status, completedAt = "completed_at", error, incompleteDetails = "incomplete_details"
        case instructions, model, output, parallelToolCalls = "parallel_tool_calls", previousResponseID = "previous_response_id"
        case conversation, tools, toolChoice = "tool_choice", temperature, topP = "top_p", maxOutputTokens = "max_output_tokens"
        case maxToolCalls = "max_tool_calls", metadata, text, truncation, usage, reasoning, store, background, user
        case safetyIdentifier = "safety_identifier", promptCacheKey = "prompt_cache_key", serviceTier = "service_tier"
        case include = "_include", containerID = "_container_id"
    }

    struct ConversationReference: Codable { var id: String }
    struct Reasoning: Codable {
        var effort: ReasoningEffort?
        var summary: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(effort, forKey: .effort)
            try container.encode(summary, forKey: .summary)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        status = try container.decode(Status.self, forKey: .status)
        completedAt = try container.decodeIfPresent(Int.self, forKey: .completedAt)
        error = try container.decodeIfPresent(ResponseError.self, forKey: .error)
        incompleteDetails = try container.decodeIfPresent(IncompleteDetails.self, forKey: .incompleteDetails)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions)
        model = try container.decode(String.self, forKey: .model)
        output = try container.decode([ResponseItem].self, forKey: .output)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        previousResponseID = try container.decodeIfPresent(String.self, forKey: .previousResponseID)
        conversationID = try container.decodeIfPresent(ConversationReference.self, forKey: .conversation)?.id
        tools = try container.decodeIfPresent([ResponseTool].self, forKey: .tools) ?? []
        toolChoice = try container.decodeIfPresent(ResponseToolChoice.self, forKey: .toolChoice) ?? .auto
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        maxToolCalls = try container.decodeIfPresent(Int.self, forKey: .maxToolCalls)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
        text = try container.decodeIfPresent(ResponseTextConfig.self, forKey: .text) ?? .init()
        truncation = try container.decodeIfPresent(Truncation.self, forKey: .truncation) ?? .disabled
        usage = try container.decodeIfPresent(ResponseUsage.self, forKey: .usage)
        reasoningEffort = try container.decodeIfPresent(Reasoning.self, forKey: .reasoning)?.effort
        store = try container.decodeIfPresent(Bool.self, forKey: .store) ?? true
        background = try container.decodeIfPresent(Bool.self, forKey: .background) ?? false
        user = try container.decodeIfPresent(String.self, forKey: .user)
        safetyIdentifier = try container.decodeIfPresent(String.self, forKey: .safetyIdentifier)
        promptCacheKey = try container.decodeIfPresent(String.self, forKey: .promptCacheKey)
        include = try container.decodeIfPresent([ResponseInclude].self, forKey: .include) ?? []
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("response", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(error, forKey: .error)
        try container.encode(incompleteDetails, forKey: .incompleteDetails)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(model, forKey: .model)
        try container.encode(output, forKey: .output)
        try container.encode(parallelToolCalls, forKey: .parallelToolCalls)
        try container.encode(previousResponseID, forKey: .previousResponseID)
        try container.encode(conversationID.map(ConversationReference.init), forKey: .conversation)
        try container.encode(tools, forKey: .tools)
        try container.encode(toolChoice, forKey: .toolChoice)
        // Unset sampling parameters stay nil in storage and read 1 on the wire, as OpenAI reports them.
        let stored = encoder.userInfo[.storage] as? Bool == true
        try container.encode(stored ? temperature : temperature ?? 1, forKey: .temperature)
        try container.encode(stored ? topP : topP ?? 1, forKey: .topP)
        try container.encode(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encode(maxToolCalls, forKey: .maxToolCalls)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(text, forKey: .text)
        try container.encode(truncation, forKey: .truncation)
        try container.encode(usage, forKey: .usage)
        try container.encode(Reasoning(effort: reasoningEffort), forKey: .reasoning)
        try container.encode(store, forKey: .store)
        try container.encode(background, forKey: .background)
        try container.encode(user, forKey: .user)
        try container.encode(safetyIdentifier, forKey: .safetyIdentifier)
        try container.encode(promptCacheKey, forKey: .promptCacheKey)
        try container.encode("default", forKey: .serviceTier)
        if encoder.userInfo[.storage] as? Bool == true {
            if !include.isEmpty { try container.encode(include, forKey: .include) }
            try container.encodeIfPresent(containerID, forKey: .containerID)
        }
    }

    /// The text of every `output_text` part, joined: what the SDKs' `output_text` property computes.
    public var outputText: String { output.outputText }
}

extension [ResponseItem] {
    /// The text of every `output_text` part of the messages, joined.
    public var outputText: String {
        flatMap { item -> [String] in
            guard case .message(let message) = item else { return [] }
            return message.content.compactMap { if case .outputText(let text) = $0 { text.text } else { nil } }
        }.joined()
    }
}

/// `error` of a failed response. Codes: `server_error`, `rate_limit_exceeded`, `invalid_prompt`,
/// `vector_store_timeout`, and the image ones (`invalid_image`, `image_file_not_found`, ...).
public struct ResponseError: Codable, Sendable, Equatable, Error {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The same failure as a run reports it: responses and runs fail for the same reasons.
    public init(_ error: RunError) {
        self.init(code: error.code, message: error.message)
    }
}

/// `usage` of a response: input and output tokens, with the breakdowns the spec requires (nothing is cached
/// and no reasoning tokens are counted apart, so those read 0).
public struct ResponseUsage: Codable, Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedTokens: Int
    public var reasoningTokens: Int
    public var totalTokens: Int { inputTokens + outputTokens }

    public init(inputTokens: Int, outputTokens: Int, cachedTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
    }

    /// The tokens a run's model calls used, as a response reports them.
    public init(_ usage: Usage) {
        self.init(inputTokens: usage.promptTokens, outputTokens: usage.completionTokens)
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens", inputTokensDetails = "input_tokens_details", outputTokens = "output_tokens"
        case outputTokensDetails = "output_tokens_details", totalTokens = "total_tokens"
    }
    enum InputDetailsKeys: String, CodingKey { case cachedTokens = "cached_tokens", cacheWriteTokens = "cache_write_tokens" }
    enum OutputDetailsKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try container.decode(Int.self, forKey: .inputTokens)
        outputTokens = try container.decode(Int.self, forKey: .outputTokens)
        cachedTokens = try container.decodeIfPresent(JSONValue.self, forKey: .inputTokensDetails) == nil ? 0
            : try container.nestedContainer(keyedBy: InputDetailsKeys.self, forKey: .inputTokensDetails)
                .decodeIfPresent(Int.self, forKey: .cachedTokens) ?? 0
        reasoningTokens = try container.decodeIfPresent(JSONValue.self, forKey: .outputTokensDetails) == nil ? 0
            : try container.nestedContainer(keyedBy: OutputDetailsKeys.self, forKey: .outputTokensDetails)
                .decodeIfPresent(Int.self, forKey: .reasoningTokens) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputTokens, forKey: .inputTokens)
        var input = container.nestedContainer(keyedBy: InputDetailsKeys.self, forKey: .inputTokensDetails)
        try input.encode(cachedTokens, forKey: .cachedTokens)
        try input.encode(0, forKey: .cacheWriteTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
        var output = container.nestedContainer(keyedBy: OutputDetailsKeys.self, forKey: .outputTokensDetails)
        try output.encode(reasoningTokens, forKey: .reasoningTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
    }
}

/// `POST /responses/input_tokens`: how many tokens the input would take.
public struct InputTokenCount: Codable, Sendable, Equatable {
    public var inputTokens: Int

    public init(inputTokens: Int) { self.inputTokens = inputTokens }

    enum CodingKeys: String, CodingKey { case object, inputTokens = "input_tokens" }

    public init(from decoder: any Decoder) throws {
        inputTokens = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .inputTokens)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("response.input_tokens", forKey: .object)
        try container.encode(inputTokens, forKey: .inputTokens)
    }
}
