/// `object: "thread"`.
public struct AssistantThread: Codable, Sendable, Equatable {
    public var id: String
    public var createdAt: Int
    public var toolResources: ToolResources
    public var metadata: Metadata

    public init(id: String, createdAt: Int, toolResources: ToolResources = .init(), metadata: Metadata = [:]) {
        self.id = id
        self.createdAt = createdAt
        self.toolResources = toolResources
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", toolResources = "tool_resources", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        toolResources = try container.decodeIfPresent(ToolResources.self, forKey: .toolResources) ?? .init()
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(toolResources, forKey: .toolResources)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// `POST /threads`: every field optional, the body itself too.
public struct CreateThreadRequest: Codable, Sendable, Equatable {
    public var messages: [CreateMessageRequest]
    public var toolResources: ToolResourcesRequest?
    public var metadata: Metadata?

    public init(messages: [CreateMessageRequest] = [], toolResources: ToolResourcesRequest? = nil, metadata: Metadata? = nil) {
        self.messages = messages
        self.toolResources = toolResources
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case messages, toolResources = "tool_resources", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decodeNonNull([CreateMessageRequest].self, forKey: .messages) ?? []
        toolResources = try container.decodeIfPresent(ToolResourcesRequest.self, forKey: .toolResources)
        metadata = try container.decodeMetadata(.metadata) ?? nil
    }
}

/// `POST /threads/{id}`.
public struct ModifyThreadRequest: Codable, Sendable, Equatable {
    public var toolResources: ToolResources??
    public var metadata: Metadata??

    public init(toolResources: ToolResources?? = nil, metadata: Metadata?? = nil) {
        self.toolResources = toolResources
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case toolResources = "tool_resources", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        toolResources = try container.decodePatch(ToolResources.self, forKey: .toolResources)
        metadata = try container.decodeMetadata(.metadata)
    }

    public func apply(to thread: inout AssistantThread) {
        if let toolResources { thread.toolResources = toolResources ?? .init() }
        if let metadata { thread.metadata = metadata ?? [:] }
    }
}

/// `{id, object, deleted}` answered by every delete.
public struct DeletionStatus: Codable, Sendable, Equatable {
    public var id: String
    public var object: String
    public var deleted: Bool

    public init(id: String, object: String, deleted: Bool = true) {
        self.id = id
        self.object = object
        self.deleted = deleted
    }
}
