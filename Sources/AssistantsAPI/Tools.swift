/// A tool an assistant or run may use: `{"type": "code_interpreter" | "file_search" | "function", ...}`.
public enum AssistantTool: Codable, Sendable, Equatable {
    case codeInterpreter
    case fileSearch(FileSearchToolOptions)
    case function(FunctionDefinition)

    public static let supportedTypes = ["code_interpreter", "file_search", "function"]

    public var type: String {
        switch self {
        case .codeInterpreter: "code_interpreter"
        case .fileSearch: "file_search"
        case .function: "function"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, fileSearch = "file_search", function
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "code_interpreter":
            self = .codeInterpreter
        case "file_search":
            self = .fileSearch(try container.decodeNonNull(FileSearchToolOptions.self, forKey: .fileSearch) ?? .init())
        case "function":
            self = .function(try container.decode(FunctionDefinition.self, forKey: .function))
        default:
            throw APIError.invalidValue(type, param: container.param(.type), supported: Self.supportedTypes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .codeInterpreter: break
        case .fileSearch(let options): try container.encode(options, forKey: .fileSearch)
        case .function(let function): try container.encode(function, forKey: .function)
        }
    }
}

/// `file_search` options: how many results, and how they are ranked.
public struct FileSearchToolOptions: Codable, Sendable, Equatable {
    public var maxNumResults: Int?
    public var rankingOptions: FileSearchRankingOptions

    public init(maxNumResults: Int? = nil, rankingOptions: FileSearchRankingOptions = .init()) {
        self.maxNumResults = maxNumResults
        self.rankingOptions = rankingOptions
    }

    enum CodingKeys: String, CodingKey {
        case maxNumResults = "max_num_results", rankingOptions = "ranking_options"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxNumResults = try container.decodeNonNull(Int.self, forKey: .maxNumResults)
        try Check.integer(maxNumResults, in: 1...50, param: container.param(.maxNumResults))
        rankingOptions = try container.decodeNonNull(FileSearchRankingOptions.self, forKey: .rankingOptions) ?? .init()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(maxNumResults, forKey: .maxNumResults)
        try container.encode(rankingOptions, forKey: .rankingOptions)
    }
}

public struct FileSearchRankingOptions: Codable, Sendable, Equatable {
    public enum Ranker: String, WireEnum {
        case auto
        case default20240821 = "default_2024_08_21"
    }

    public var ranker: Ranker
    public var scoreThreshold: Double

    public init(ranker: Ranker = .auto, scoreThreshold: Double = 0) {
        self.ranker = ranker
        self.scoreThreshold = scoreThreshold
    }

    enum CodingKeys: String, CodingKey {
        case ranker, scoreThreshold = "score_threshold"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ranker = try container.decodeNonNull(Ranker.self, forKey: .ranker) ?? .auto
        scoreThreshold = try container.decode(Double.self, forKey: .scoreThreshold)
        try Check.number(scoreThreshold, in: 0...1, param: container.param(.scoreThreshold))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ranker, forKey: .ranker)
        try container.encode(scoreThreshold, forKey: .scoreThreshold)
    }
}

/// A function the model may call; `parameters` is a JSON Schema object passed through as given.
public struct FunctionDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var parameters: JSONValue?
    public var strict: Bool

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool = false) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey {
        case name, description, parameters, strict
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try Check.name(name, param: container.param(.name))
        description = try container.decodeNonNull(String.self, forKey: .description)
        parameters = try container.decodeJSONObject(forKey: .parameters)
        strict = try container.decodeIfPresent(Bool.self, forKey: .strict) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(parameters ?? .object([:]), forKey: .parameters)
        try container.encode(strict, forKey: .strict)
    }
}
