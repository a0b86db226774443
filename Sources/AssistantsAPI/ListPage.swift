/// `{"object": "list", "data", "first_id", "last_id", "has_more"}`, all five keys always present.
public struct ListPage<Item: Codable & Sendable>: Codable, Sendable {
    public var data: [Item]
    public var firstID: String?
    public var lastID: String?
    public var hasMore: Bool

    public init(data: [Item], firstID: String?, lastID: String?, hasMore: Bool) {
        self.data = data
        self.firstID = firstID
        self.lastID = lastID
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case object, data, firstID = "first_id", lastID = "last_id", hasMore = "has_more"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try container.decode([Item].self, forKey: .data)
        firstID = try container.decodeIfPresent(String.self, forKey: .firstID)
        lastID = try container.decodeIfPresent(String.self, forKey: .lastID)
        hasMore = try container.decode(Bool.self, forKey: .hasMore)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("list", forKey: .object)
        try container.encode(data, forKey: .data)
        try container.encode(firstID, forKey: .firstID)
        try container.encode(lastID, forKey: .lastID)
        try container.encode(hasMore, forKey: .hasMore)
    }
}

public enum SortOrder: String, WireEnum { case asc, desc }

/// `limit`, `order`, `after`, `before` of a list request, validated.
public struct ListQuery: Sendable, Equatable {
    public var limit: Int
    public var order: SortOrder
    public var after: String?
    public var before: String?

    public init(limit: Int = 20, order: SortOrder = .desc, after: String? = nil, before: String? = nil) {
        self.limit = limit
        self.order = order
        self.after = after
        self.before = before
    }

    /// Reads the query parameters; `limits` differ for files (up to 10,000, no `before`).
    public init(
        parameter: (String) -> String?, limits: ClosedRange<Int> = 1...100, defaultLimit: Int = 20, allowsBefore: Bool = true
    ) throws(APIError) {
        if let raw = parameter("limit") {
            guard let value = Int(raw) else {
                throw .invalidType(param: "limit", expected: "an integer", got: "'\(raw)'")
            }
            try Check.integer(value, in: limits, param: "limit")
            limit = value
        } else {
            limit = defaultLimit
        }
        if let raw = parameter("order") {
            guard let value = SortOrder(rawValue: raw) else {
                throw .invalidValue(raw, param: "order", supported: SortOrder.allCases.map(\.rawValue))
            }
            order = value
        } else {
            order = .desc
        }
        after = parameter("after").flatMap { $0.isEmpty ? nil : $0 }
        before = allowsBefore ? parameter("before").flatMap { $0.isEmpty ? nil : $0 } : nil
    }
}
