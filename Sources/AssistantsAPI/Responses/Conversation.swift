/// `object: "conversation"`: the Conversations API's view of a thread. A conversation and a thread are one
/// stored object; this is the face it shows at `/conversations`.
public struct Conversation: Codable, Sendable, Equatable {
    public var id: String
    public var createdAt: Int
    public var metadata: Metadata

    public init(id: String, createdAt: Int, metadata: Metadata = [:]) {
        self.id = id
        self.createdAt = createdAt
        self.metadata = metadata
    }

    /// The conversation a thread is.
    public init(_ thread: AssistantThread) {
        self.init(id: thread.id, createdAt: thread.createdAt, metadata: thread.metadata)
    }

    enum CodingKeys: String, CodingKey { case id, object, createdAt = "created_at", metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("conversation", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// The Conversations API's limits.
public enum ConversationLimits {
    /// Items one request may add, at creation or later.
    public static let itemsPerRequest = 20
}

extension KeyedDecodingContainer {
    /// Items to add to a conversation: at most 20, none of them an `item_reference` (there is nothing to
    /// refer to from outside a response).
    func decodeConversationItems(_ key: Key, nullable: Bool) throws -> [ResponseItem]? {
        let items = try decodeArray([ResponseItem].self, forKey: key, maxCount: ConversationLimits.itemsPerRequest, nullable: nullable)
        if let index = items?.firstIndex(where: { if case .itemReference = $0 { true } else { false } }) {
            throw APIError.invalidValue(
                "item_reference", param: "\(param(key))[\(index)].type", supported: ResponseItem.supportedTypes.filter { $0 != "item_reference" })
        }
        return items
    }
}

/// `POST /conversations`: initial items (at most 20) and metadata, both optional.
public struct CreateConversationRequest: Codable, Sendable, Equatable {
    public var items: [ResponseItem]
    public var metadata: Metadata?

    public init(items: [ResponseItem] = [], metadata: Metadata? = nil) {
        self.items = items
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case items, metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decodeConversationItems(.items, nullable: true) ?? []
        metadata = try container.decodeMetadata(.metadata) ?? nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

/// `POST /conversations/{id}`: new metadata, required; null clears it.
public struct UpdateConversationRequest: Codable, Sendable, Equatable {
    public var metadata: Metadata?

    public init(metadata: Metadata?) {
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let metadata = try container.decodeMetadata(.metadata) else { throw APIError.missingParameter("metadata") }
        self.metadata = metadata
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// `POST /conversations/{id}/items`: 1 to 20 items, appended in order.
public struct CreateConversationItemsRequest: Codable, Sendable, Equatable {
    public var items: [ResponseItem]

    public init(items: [ResponseItem]) {
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let items = try container.decodeConversationItems(.items, nullable: false) else { throw APIError.missingParameter("items") }
        try Check.notEmpty(items.count, param: "items")
        self.items = items
    }
}
