/// `POST /vector_stores/{id}/search`.
public struct VectorStoreSearchRequest: Codable, Sendable, Equatable {
    public enum Ranker: String, WireEnum { case none, auto, default20241115 = "default-2024-11-15" }

    public var queries: [String]
    public var rewriteQuery: Bool
    public var maxNumResults: Int
    public var filters: SearchFilter?
    public var ranker: Ranker
    public var scoreThreshold: Double

    public init(
        queries: [String], rewriteQuery: Bool = false, maxNumResults: Int = VectorStoreLimits.defaultSearchResults,
        filters: SearchFilter? = nil, ranker: Ranker = .auto, scoreThreshold: Double = 0
    ) {
        self.queries = queries
        self.rewriteQuery = rewriteQuery
        self.maxNumResults = maxNumResults
        self.filters = filters
        self.ranker = ranker
        self.scoreThreshold = scoreThreshold
    }

    enum CodingKeys: String, CodingKey {
        case query, rewriteQuery = "rewrite_query", maxNumResults = "max_num_results", filters, rankingOptions = "ranking_options"
    }

    enum RankingKeys: String, CodingKey { case ranker, scoreThreshold = "score_threshold" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let single = try? container.decode(String.self, forKey: .query) {
            queries = [single]
        } else {
            queries = try container.decode([String].self, forKey: .query)
            try Check.notEmpty(queries.count, param: "query")
        }
        rewriteQuery = try container.decodeNonNull(Bool.self, forKey: .rewriteQuery) ?? false
        maxNumResults = try container.decodeNonNull(Int.self, forKey: .maxNumResults) ?? VectorStoreLimits.defaultSearchResults
        try Check.integer(maxNumResults, in: VectorStoreLimits.searchResults, param: "max_num_results")
        filters = try container.decodeNonNull(SearchFilter.self, forKey: .filters)
        ranker = .auto
        scoreThreshold = 0
        if try container.decodeNonNull(JSONValue.self, forKey: .rankingOptions) != nil {
            let ranking = try container.nestedContainer(keyedBy: RankingKeys.self, forKey: .rankingOptions)
            ranker = try ranking.decodeNonNull(Ranker.self, forKey: .ranker) ?? .auto
            scoreThreshold = try ranking.decodeNonNull(Double.self, forKey: .scoreThreshold) ?? 0
            try Check.number(scoreThreshold, in: 0...1, param: ranking.param(.scoreThreshold))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if queries.count == 1 { try container.encode(queries[0], forKey: .query) } else { try container.encode(queries, forKey: .query) }
        try container.encode(rewriteQuery, forKey: .rewriteQuery)
        try container.encode(maxNumResults, forKey: .maxNumResults)
        try container.encodeIfPresent(filters, forKey: .filters)
        var ranking = container.nestedContainer(keyedBy: RankingKeys.self, forKey: .rankingOptions)
        try ranking.encode(ranker, forKey: .ranker)
        try ranking.encode(scoreThreshold, forKey: .scoreThreshold)
    }
}

/// A filter on file attributes: a comparison of one attribute with a value, or `and`/`or` of filters.
/// A file without the attribute matches only the negative comparisons (`ne`, `nin`).
public indirect enum SearchFilter: Codable, Sendable, Equatable {
    public enum Comparison: String, WireEnum { case eq, ne, gt, gte, lt, lte, `in`, nin }
    public enum Combination: String, WireEnum { case and, or }

    case compare(key: String, Comparison, FilterValue)
    case combine(Combination, [SearchFilter])

    /// Whether a file with these attributes passes the filter.
    public func matches(_ attributes: FileAttributes?) -> Bool {
        switch self {
        case .combine(.and, let filters): return filters.allSatisfy { $0.matches(attributes) }
        case .combine(.or, let filters): return filters.contains { $0.matches(attributes) }
        case .compare(let key, let comparison, let value):
            guard let actual = attributes?[key] else { return comparison == .ne || comparison == .nin }
            return Self.compare(actual, comparison, value)
        }
    }

    private static func compare(_ actual: AttributeValue, _ comparison: Comparison, _ value: FilterValue) -> Bool {
        switch (comparison, value) {
        case (.in, .list(let values)): return values.contains(actual)
        case (.nin, .list(let values)): return !values.contains(actual)
        case (.eq, .single(let expected)): return actual == expected
        case (.ne, .single(let expected)): return actual != expected
        case (_, .single(let expected)):
            guard let order = order(actual, expected) else { return false }
            switch comparison {
            case .gt: return order > 0
            case .gte: return order >= 0
            case .lt: return order < 0
            default: return order <= 0
            }
        default: return false
        }
    }

    /// Numbers compare numerically and strings lexically (ISO dates sort right); other pairs don't compare.
    private static func order(_ left: AttributeValue, _ right: AttributeValue) -> Int? {
        switch (left, right) {
        case (.number(let a), .number(let b)): a < b ? -1 : a > b ? 1 : 0
        case (.string(let a), .string(let b)): a < b ? -1 : a > b ? 1 : 0
        default: nil
        }
    }

    enum CodingKeys: String, CodingKey { case type, key, value, filters }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decodeIfPresent(String.self, forKey: .type) ?? "eq"
        if let combination = Combination(rawValue: type) {
            self = .combine(combination, try container.decode([SearchFilter].self, forKey: .filters))
            return
        }
        guard let comparison = Comparison(rawValue: type) else {
            throw APIError.invalidValue(type, param: container.param(.type), supported: Comparison.allCases.map(\.rawValue) + ["and", "or"])
        }
        let key = try container.decode(String.self, forKey: .key)
        let value = try container.decode(FilterValue.self, forKey: .value)
        switch (comparison, value) {
        case (.in, .single), (.nin, .single):
            throw APIError.invalidType(param: container.param(.value), expected: "an array", got: "a single value")
        case (.in, .list), (.nin, .list): break
        case (_, .list):
            throw APIError.invalidType(param: container.param(.value), expected: "a string, number or boolean", got: "an array")
        default: break
        }
        self = .compare(key: key, comparison, value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .compare(let key, let comparison, let value):
            try container.encode(comparison, forKey: .type)
            try container.encode(key, forKey: .key)
            try container.encode(value, forKey: .value)
        case .combine(let combination, let filters):
            try container.encode(combination, forKey: .type)
            try container.encode(filters, forKey: .filters)
        }
    }
}

/// A comparison's operand: one value, or a list for `in` and `nin`.
public enum FilterValue: Codable, Sendable, Equatable {
    case single(AttributeValue)
    case list([AttributeValue])

    public init(from decoder: any Decoder) throws {
        if let values = try? decoder.singleValueContainer().decode([AttributeValue].self) {
            self = .list(values)
        } else {
            self = .single(try AttributeValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let value): try value.encode(to: encoder)
        case .list(let values): try values.encode(to: encoder)
        }
    }
}

/// `object: "vector_store.search_results.page"`.
public struct VectorStoreSearchResults: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var fileID: String
        public var filename: String
        public var score: Double
        public var attributes: FileAttributes?
        public var content: [TextContent]

        public init(fileID: String, filename: String, score: Double, attributes: FileAttributes?, content: [TextContent]) {
            self.fileID = fileID
            self.filename = filename
            self.score = score
            self.attributes = attributes
            self.content = content
        }

        enum CodingKeys: String, CodingKey { case fileID = "file_id", filename, score, attributes, content }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(fileID, forKey: .fileID)
            try container.encode(filename, forKey: .filename)
            try container.encode(score, forKey: .score)
            try container.encode(attributes, forKey: .attributes)
            try container.encode(content, forKey: .content)
        }
    }

    public var searchQuery: [String]
    public var data: [Item]

    public init(searchQuery: [String], data: [Item]) {
        self.searchQuery = searchQuery
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case object, searchQuery = "search_query", data, hasMore = "has_more", nextPage = "next_page" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        searchQuery = try container.decode([String].self, forKey: .searchQuery)
        data = try container.decode([Item].self, forKey: .data)
    }

    /// All results come in one page: `max_num_results` is at most 50.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("vector_store.search_results.page", forKey: .object)
        try container.encode(searchQuery, forKey: .searchQuery)
        try container.encode(data, forKey: .data)
        try container.encode(false, forKey: .hasMore)
        try container.encodeNil(forKey: .nextPage)
    }
}

/// `{type: "text", text}`: a passage of a file's text.
public struct TextContent: Codable, Sendable, Equatable {
    public var type = "text"
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

/// `object: "vector_store.file_content.page"`: a vector store file's extracted text.
public struct VectorStoreFileContent: Codable, Sendable, Equatable {
    public var data: [TextContent]

    public init(data: [TextContent]) {
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case object, data, hasMore = "has_more", nextPage = "next_page" }

    public init(from decoder: any Decoder) throws {
        data = try decoder.container(keyedBy: CodingKeys.self).decode([TextContent].self, forKey: .data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("vector_store.file_content.page", forKey: .object)
        try container.encode(data, forKey: .data)
        try container.encode(false, forKey: .hasMore)
        try container.encodeNil(forKey: .nextPage)
    }
}
