/// `object: "assistant"`.
public struct Assistant: Codable, Sendable, Equatable {
    public var id: String
    public var createdAt: Int
    public var name: String?
    public var description: String?
    public var model: String
    public var instructions: String?
    public var tools: [AssistantTool]
    public var toolResources: ToolResources
    public var metadata: Metadata
    /// Nil when nobody set it: the model endpoint's own default applies, and the object reports 1, as
    /// OpenAI's does. Kept nil in storage so that later runs know it was never set.
    public var temperature: Double?
    /// Nil when nobody set it, like `temperature`.
    public var topP: Double?
    public var responseFormat: ResponseFormat

    public init(
        id: String, createdAt: Int, name: String? = nil, description: String? = nil, model: String,
        instructions: String? = nil, tools: [AssistantTool] = [], toolResources: ToolResources = .init(),
        metadata: Metadata = [:], temperature: Double? = nil, topP: Double? = nil, responseFormat: ResponseFormat = .auto
    ) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.description = description
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.toolResources = toolResources
        self.metadata = metadata
        self.temperature = temperature
        self.topP = topP
        self.responseFormat = responseFormat
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", name, description, model, instructions, tools
        case toolResources = "tool_resources", metadata, temperature, topP = "top_p", responseFormat = "response_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        model = try container.decode(String.self, forKey: .model)
        instructions = try container.decodeIfPresent(String.self, forKey: .instructions)
        tools = try container.decodeIfPresent([AssistantTool].self, forKey: .tools) ?? []
        toolResources = try container.decodeIfPresent(ToolResources.self, forKey: .toolResources) ?? .init()
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat) ?? .auto
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("assistant", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(model, forKey: .model)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(tools, forKey: .tools)
        try container.encode(toolResources, forKey: .toolResources)
        try container.encode(metadata, forKey: .metadata)
        // Unset sampling parameters stay nil in storage and read 1 on the wire, as OpenAI reports them.
        let stored = encoder.userInfo[.storage] as? Bool == true
        try container.encode(stored ? temperature : temperature ?? 1, forKey: .temperature)
        try container.encode(stored ? topP : topP ?? 1, forKey: .topP)
        try container.encode(responseFormat, forKey: .responseFormat)
    }
}

/// The assistant fields shared by create and modify requests, with their limits.
enum AssistantLimits {
    static let name = 256
    static let description = 512
    static let instructions = 256_000
    static let tools = 128
    static let temperature = 0.0...2.0
    static let topP = 0.0...1.0
}

/// `POST /assistants`.
public struct CreateAssistantRequest: Codable, Sendable, Equatable {
    public var model: String
    public var name: String?
    public var description: String?
    public var instructions: String?
    public var reasoningEffort: ReasoningEffort?
    public var tools: [AssistantTool]
    public var toolResources: ToolResourcesRequest?
    public var metadata: Metadata?
    public var temperature: Double?
    public var topP: Double?
    public var responseFormat: ResponseFormat?

    public init(
        model: String, name: String? = nil, description: String? = nil, instructions: String? = nil,
        reasoningEffort: ReasoningEffort? = nil, tools: [AssistantTool] = [], toolResources: ToolResourcesRequest? = nil,
        metadata: Metadata? = nil, temperature: Double? = nil, topP: Double? = nil, responseFormat: ResponseFormat? = nil
    ) {
        self.model = model
        self.name = name
        self.description = description
        self.instructions = instructions
        self.reasoningEffort = reasoningEffort
        self.tools = tools
        self.toolResources = toolResources
        self.metadata = metadata
        self.temperature = temperature
        self.topP = topP
        self.responseFormat = responseFormat
    }

    enum CodingKeys: String, CodingKey {
        case model, name, description, instructions, reasoningEffort = "reasoning_effort", tools
        case toolResources = "tool_resources", metadata, temperature, topP = "top_p", responseFormat = "response_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        guard !model.isEmpty else {
            throw APIError.invalidRequest("Invalid 'model': empty string. Expected a model name.", param: "model", code: "invalid_value")
        }
        name = try container.decodeString(.name, maxLength: AssistantLimits.name)
        description = try container.decodeString(.description, maxLength: AssistantLimits.description)
        instructions = try container.decodeString(.instructions, maxLength: AssistantLimits.instructions)
        reasoningEffort = try container.decodeIfPresent(ReasoningEffort.self, forKey: .reasoningEffort)
        tools = try container.decodeArray([AssistantTool].self, forKey: .tools, maxCount: AssistantLimits.tools) ?? []
        toolResources = try container.decodeIfPresent(ToolResourcesRequest.self, forKey: .toolResources)
        metadata = try container.decodeMetadata(.metadata) ?? nil
        temperature = try container.decodeNumber(.temperature, in: AssistantLimits.temperature) ?? nil
        topP = try container.decodeNumber(.topP, in: AssistantLimits.topP) ?? nil
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
    }
}

/// `POST /assistants/{id}`: absent fields stay as they are, `null` clears a nullable field.
public struct ModifyAssistantRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var name: String??
    public var description: String??
    public var instructions: String??
    public var reasoningEffort: ReasoningEffort??
    public var tools: [AssistantTool]?
    public var toolResources: ToolResources??
    public var metadata: Metadata??
    public var temperature: Double??
    public var topP: Double??
    public var responseFormat: ResponseFormat??

    public init() {}

    typealias CodingKeys = CreateAssistantRequest.CodingKeys

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeNonNull(String.self, forKey: .model)
        name = try container.decodeStringPatch(.name, maxLength: AssistantLimits.name)
        description = try container.decodeStringPatch(.description, maxLength: AssistantLimits.description)
        instructions = try container.decodeStringPatch(.instructions, maxLength: AssistantLimits.instructions)
        reasoningEffort = try container.decodePatch(ReasoningEffort.self, forKey: .reasoningEffort)
        tools = try container.decodeArray([AssistantTool].self, forKey: .tools, maxCount: AssistantLimits.tools)
        toolResources = try container.decodePatch(ToolResources.self, forKey: .toolResources)
        metadata = try container.decodeMetadata(.metadata)
        temperature = try container.decodeNumber(.temperature, in: AssistantLimits.temperature)
        topP = try container.decodeNumber(.topP, in: AssistantLimits.topP)
        responseFormat = try container.decodePatch(ResponseFormat.self, forKey: .responseFormat)
    }

    /// Applies the change to an assistant.
    public func apply(to assistant: inout Assistant) {
        if let model { assistant.model = model }
        if let name { assistant.name = name }
        if let description { assistant.description = description }
        if let instructions { assistant.instructions = instructions }
        if let tools { assistant.tools = tools }
        if let toolResources { assistant.toolResources = toolResources ?? .init() }
        if let metadata { assistant.metadata = metadata ?? [:] }
        if let temperature { assistant.temperature = temperature }
        if let topP { assistant.topP = topP }
        if let responseFormat { assistant.responseFormat = responseFormat ?? .auto }
    }
}

