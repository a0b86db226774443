/// The limits of the Responses API's create request.
enum ResponseLimits {
    static let tools = 128
    static let temperature = 0.0...2.0
    static let topP = 0.0...1.0
    /// OpenAI refuses fewer: a response must have room for some output.
    static let maxOutputTokens = 16...Int.max
    static let maxToolCalls = 1...Int.max
    /// `safety_identifier`'s length in the spec; `user` and `prompt_cache_key` have none.
    static let safetyIdentifier = 64
}

/// `input`: a string (one user message) or a list of items.
public enum ResponseInput: Codable, Sendable, Equatable {
    case text(String)
    case items([ResponseItem])

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self = .text(text)
        } else {
            self = .items(try decoder.singleValueContainer().decode([ResponseItem].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .items(let items): try container.encode(items)
        }
    }

    /// The input as items: a string is one user message.
    public var items: [ResponseItem] {
        switch self {
        case .text(let text): [.message(ResponseMessage(role: .user, content: [.inputText(text)]))]
        case .items(let items): items
        }
    }
}

/// `conversation`: an id, or `{"id"}`.
struct ConversationParameter: Decodable {
    var id: String

    enum CodingKeys: String, CodingKey { case id }

    init(from decoder: any Decoder) throws {
        if let id = try? decoder.singleValueContainer().decode(String.self) {
            self.id = id
        } else {
            id = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .id)
        }
    }
}

/// The fields of `POST /responses` that say what the model sees, shared with `POST /responses/input_tokens`.
public struct ResponseContextParameters: Encodable, Sendable, Equatable {
    public var model: String?
    public var input: ResponseInput?
    public var instructions: String?
    public var tools: [ResponseTool]
    public var toolChoice: ResponseToolChoice?
    public var parallelToolCalls: Bool?
    public var previousResponseID: String?
    public var conversationID: String?
    public var text: ResponseTextConfig?
    public var truncation: ModelResponse.Truncation?

    public init(
        model: String? = nil, input: ResponseInput? = nil, instructions: String? = nil, tools: [ResponseTool] = [],
        toolChoice: ResponseToolChoice? = nil, parallelToolCalls: Bool? = nil, previousResponseID: String? = nil,
        conversationID: String? = nil, text: ResponseTextConfig? = nil, truncation: ModelResponse.Truncation? = nil
    ) {
        self.model = model
        self.input = input
        self.instructions = instructions
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.previousResponseID = previousResponseID
        self.conversationID = conversationID
        self.text = text
        self.truncation = truncation
    }

    enum CodingKeys: String, CodingKey {
        case model, input, instructions, tools, toolChoice = "tool_choice", parallelToolCalls = "parallel_tool_calls"
        case previousResponseID = "previous_response_id", conversation, text, truncation
    }

    init(from container: KeyedDecodingContainer<CodingKeys>) throws {
        model = try container.decodeIfPresent(String.self, forKey: .model)
        if let model, model.isEmpty {
            throw APIError.invalidRequest("Invalid 'model': empty string. Expected a model name.", param: "model", code: "invalid_value")
        }
        input = try container.decodeIfPresent(ResponseInput.self, forKey: .input)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions)
        tools = try container.decodeArray([ResponseTool].self, forKey: .tools, maxCount: ResponseLimits.tools, nullable: true) ?? []
        toolChoice = try container.decodeIfPresent(ResponseToolChoice.self, forKey: .toolChoice)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls)
        previousResponseID = try container.decodeIfPresent(String.self, forKey: .previousResponseID)
        conversationID = try container.decodeIfPresent(ConversationParameter.self, forKey: .conversation)?.id
        text = try container.decodeIfPresent(ResponseTextConfig.self, forKey: .text)
        truncation = try container.decodeIfPresent(ModelResponse.Truncation.self, forKey: .truncation)
        // A conversation keeps its own history; a chain of responses is another one. Not both at once.
        if previousResponseID != nil && conversationID != nil {
            throw APIError.invalidRequest(
                "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
                param: nil, code: "mutually_exclusive_parameters")
        }
        if case .function(let name) = toolChoice, !tools.contains(where: { if case .function(let tool) = $0 { tool.name == name } else { false } }) {
            throw APIError.invalidRequest("Tool choice 'function' not found in 'tools' parameter.", param: "tool_choice", code: "invalid_value")
        }
        for (choice, type) in [(ResponseToolChoice.fileSearch, "file_search"), (.codeInterpreter, "code_interpreter")]
        where toolChoice == choice && !tools.contains(where: { $0.type == type }) {
            throw APIError.invalidRequest("Tool choice '\(type)' not found in 'tools' parameter.", param: "tool_choice", code: "invalid_value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(input, forKey: .input)
        try container.encodeIfPresent(instructions, forKey: .instructions)
        if !tools.isEmpty { try container.encode(tools, forKey: .tools) }
        try container.encodeIfPresent(toolChoice, forKey: .toolChoice)
        try container.encodeIfPresent(parallelToolCalls, forKey: .parallelToolCalls)
        try container.encodeIfPresent(previousResponseID, forKey: .previousResponseID)
        try container.encodeIfPresent(conversationID, forKey: .conversation)
        try container.encodeIfPresent(text, forKey: .text)
        try container.encodeIfPresent(truncation, forKey: .truncation)
    }
}

/// `POST /responses`. Fields the server has no use for (`reasoning.summary`, `prompt_cache_retention`,
/// `service_tier`, `stream_options`, `top_logprobs`, ...) are accepted and ignored, since SDKs send some of
/// them by default.
public struct CreateResponseRequest: Codable, Sendable, Equatable {
    public var context: ResponseContextParameters
    public var model: String { context.model ?? "" }
    public var include: [ResponseInclude]
    public var maxOutputTokens: Int?
    public var maxToolCalls: Int?
    public var metadata: Metadata?
    public var temperature: Double?
    public var topP: Double?
    public var reasoningEffort: ReasoningEffort?
    /// Whether the response and its items are kept (default true). Unstored responses leave nothing behind.
    public var store: Bool
    /// Whether the request returns at once with a `queued` response that executes on its own.
    public var background: Bool
    public var stream: Bool
    public var user: String?
    public var safetyIdentifier: String?
    public var promptCacheKey: String?

    /// A request as the SDK builds it; `context.model` must be set.
    public init(
        context: ResponseContextParameters, include: [ResponseInclude] = [], maxOutputTokens: Int? = nil, maxToolCalls: Int? = nil,
        metadata: Metadata? = nil, temperature: Double? = nil, topP: Double? = nil, reasoningEffort: ReasoningEffort? = nil,
        store: Bool = true, background: Bool = false, stream: Bool = false, user: String? = nil, safetyIdentifier: String? = nil,
        promptCacheKey: String? = nil
    ) {
        self.context = context
        self.include = include
        self.maxOutputTokens = maxOutputTokens
        self.maxToolCalls = maxToolCalls
        self.metadata = metadata
        self.temperature = temperature
        self.topP = topP
        self.reasoningEffort = reasoningEffort
        self.store = store
        self.background = background
        self.stream = stream
        self.user = user
        self.safetyIdentifier = safetyIdentifier
        self.promptCacheKey = promptCacheKey
    }

    enum CodingKeys: String, CodingKey {
        case include, maxOutputTokens = "max_output_tokens", maxToolCalls = "max_tool_calls", metadata, temperature, topP = "top_p"
        case reasoning, store, background, stream, user, safetyIdentifier = "safety_identifier", promptCacheKey = "prompt_cache_key"
    }

    enum ReasoningKeys: String, CodingKey { case effort }

    public init(from decoder: any Decoder) throws {
        context = try ResponseContextParameters(from: decoder.container(keyedBy: ResponseContextParameters.CodingKeys.self))
        guard context.model != nil else { throw APIError.missingParameter("model") }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        include = try container.decodeIfPresent([ResponseInclude].self, forKey: .include) ?? []
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        try Check.integer(maxOutputTokens, in: ResponseLimits.maxOutputTokens, param: "max_output_tokens")
        maxToolCalls = try container.decodeIfPresent(Int.self, forKey: .maxToolCalls)
        try Check.integer(maxToolCalls, in: ResponseLimits.maxToolCalls, param: "max_tool_calls")
        metadata = try container.decodeMetadata(.metadata) ?? nil
        temperature = try container.decodeNumber(.temperature, in: ResponseLimits.temperature) ?? nil
        topP = try container.decodeNumber(.topP, in: ResponseLimits.topP) ?? nil
        if try container.decodeIfPresent(JSONValue.self, forKey: .reasoning) != nil {
            reasoningEffort = try container.nestedContainer(keyedBy: ReasoningKeys.self, forKey: .reasoning)
                .decodeIfPresent(ReasoningEffort.self, forKey: .effort)
        }
        store = try container.decodeIfPresent(Bool.self, forKey: .store) ?? true
        background = try container.decodeIfPresent(Bool.self, forKey: .background) ?? false
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        user = try container.decodeIfPresent(String.self, forKey: .user)
        safetyIdentifier = try container.decodeString(.safetyIdentifier, maxLength: ResponseLimits.safetyIdentifier)
        promptCacheKey = try container.decodeIfPresent(String.self, forKey: .promptCacheKey)
        guard context.input != nil || context.previousResponseID != nil || context.conversationID != nil else {
            throw APIError.missingParameter("input")
        }
        // A background response is fetched and resumed later, which needs it stored.
        if background && !store {
            throw APIError.invalidRequest("Background mode requires 'store' to be true.", param: "background", code: "invalid_value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try context.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !include.isEmpty { try container.encode(include, forKey: .include) }
        try container.encodeIfPresent(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encodeIfPresent(maxToolCalls, forKey: .maxToolCalls)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(topP, forKey: .topP)
        if let reasoningEffort {
            var reasoning = container.nestedContainer(keyedBy: ReasoningKeys.self, forKey: .reasoning)
            try reasoning.encode(reasoningEffort, forKey: .effort)
        }
        try container.encode(store, forKey: .store)
        try container.encode(background, forKey: .background)
        try container.encode(stream, forKey: .stream)
        try container.encodeIfPresent(user, forKey: .user)
        try container.encodeIfPresent(safetyIdentifier, forKey: .safetyIdentifier)
        try container.encodeIfPresent(promptCacheKey, forKey: .promptCacheKey)
    }
}

/// `POST /responses/input_tokens`: the same context as a create request; nothing is required.
public struct InputTokensRequest: Codable, Sendable, Equatable {
    public var context: ResponseContextParameters

    public init(context: ResponseContextParameters) {
        self.context = context
    }

    public init(from decoder: any Decoder) throws {
        context = try ResponseContextParameters(from: decoder.container(keyedBy: ResponseContextParameters.CodingKeys.self))
    }

    public func encode(to encoder: any Encoder) throws {
        try context.encode(to: encoder)
    }
}

/// `GET /responses/{id}` and the input item lists: `include[]`, and for a stream, `stream` and
/// `starting_after` (the sequence number after which to resume).
public struct RetrieveResponseQuery: Sendable, Equatable {
    public var include: [ResponseInclude]
    public var stream: Bool
    public var startingAfter: Int?

    /// Reads the query's values, each as the client wrote it; a malformed one is a 400 naming it.
    public init(include: [String], stream: String?, startingAfter: String?) throws(APIError) {
        self.include = try include.map { value throws(APIError) in
            guard let include = ResponseInclude(rawValue: value) else {
                throw .invalidValue(value, param: "include", supported: ResponseInclude.allCases.map(\.rawValue))
            }
            return include
        }
        switch stream {
        case nil, "false": self.stream = false
        case "true": self.stream = true
        case let other?: throw .invalidType(param: "stream", expected: "a boolean", got: "'\(other)'")
        }
        if let startingAfter {
            guard let value = Int(startingAfter), value >= 0 else {
                throw .invalidType(param: "starting_after", expected: "an integer", got: "'\(startingAfter)'")
            }
            self.startingAfter = value
        } else {
            self.startingAfter = nil
        }
    }
}
