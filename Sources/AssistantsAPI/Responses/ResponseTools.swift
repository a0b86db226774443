/// A tool a response may use. Unlike an assistant's tools, these come with each request and carry their
/// resources: `file_search` names its vector stores, `code_interpreter` its container.
public enum ResponseTool: Codable, Sendable, Equatable {
    case function(ResponseFunctionTool)
    case fileSearch(ResponseFileSearchTool)
    case codeInterpreter(ResponseCodeInterpreterTool)

    public static let supportedTypes = ["function", "file_search", "code_interpreter"]

    public var type: String {
        switch self {
        case .function: "function"
        case .fileSearch: "file_search"
        case .codeInterpreter: "code_interpreter"
        }
    }

    enum CodingKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "function": self = .function(try ResponseFunctionTool(from: decoder))
        case "file_search": self = .fileSearch(try ResponseFileSearchTool(from: decoder))
        case "code_interpreter": self = .codeInterpreter(try ResponseCodeInterpreterTool(from: decoder))
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: Self.supportedTypes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .function(let tool): try tool.encode(to: encoder)
        case .fileSearch(let tool): try tool.encode(to: encoder)
        case .codeInterpreter(let tool): try tool.encode(to: encoder)
        }
    }
}

/// `{"type": "function", "name", "description", "parameters", "strict"}`: flat, where an assistant's function
/// tool nests these under `function`. `strict` defaults to true here, as in OpenAI's Responses API.
public struct ResponseFunctionTool: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var parameters: JSONValue?
    public var strict: Bool

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool = true) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey { case name, description, parameters, strict }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try Check.name(name, param: container.param(.name))
        description = try container.decodeIfPresent(String.self, forKey: .description)
        // A JSON Schema object, or null for a function without parameters.
        parameters = try container.decodeIfPresent(JSONValue.self, forKey: .parameters)
        if let parameters, parameters.objectValue == nil {
            throw APIError.invalidType(param: container.param(.parameters), expected: "an object", got: parameters.kindDescription)
        }
        strict = try container.decodeIfPresent(Bool.self, forKey: .strict) ?? true
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(strict, forKey: .strict)
    }

    /// The same function as the model endpoint and the run engine know it.
    public var definition: FunctionDefinition {
        FunctionDefinition(name: name, description: description, parameters: parameters, strict: strict)
    }
}

/// `{"type": "file_search", "vector_store_ids", "filters", "max_num_results", "ranking_options"}`.
public struct ResponseFileSearchTool: Codable, Sendable, Equatable {
    public var vectorStoreIDs: [String]
    public var filters: SearchFilter?
    public var maxNumResults: Int?
    public var ranker: VectorStoreSearchRequest.Ranker
    public var scoreThreshold: Double

    public init(
        vectorStoreIDs: [String], filters: SearchFilter? = nil, maxNumResults: Int? = nil,
        ranker: VectorStoreSearchRequest.Ranker = .auto, scoreThreshold: Double = 0
    ) {
        self.vectorStoreIDs = vectorStoreIDs
        self.filters = filters
        self.maxNumResults = maxNumResults
        self.ranker = ranker
        self.scoreThreshold = scoreThreshold
    }

    enum CodingKeys: String, CodingKey {
        case vectorStoreIDs = "vector_store_ids", filters, maxNumResults = "max_num_results", rankingOptions = "ranking_options"
    }

    enum RankingKeys: String, CodingKey { case ranker, scoreThreshold = "score_threshold" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vectorStoreIDs = try container.decode([String].self, forKey: .vectorStoreIDs)
        filters = try container.decodeIfPresent(SearchFilter.self, forKey: .filters)
        maxNumResults = try container.decodeNonNull(Int.self, forKey: .maxNumResults)
        try Check.integer(maxNumResults, in: VectorStoreLimits.searchResults, param: container.param(.maxNumResults))
        (ranker, scoreThreshold) = (.auto, 0)
        if try container.decodeNonNull(JSONValue.self, forKey: .rankingOptions) != nil {
            let ranking = try container.nestedContainer(keyedBy: RankingKeys.self, forKey: .rankingOptions)
            ranker = try ranking.decodeNonNull(VectorStoreSearchRequest.Ranker.self, forKey: .ranker) ?? .auto
            scoreThreshold = try ranking.decodeNonNull(Double.self, forKey: .scoreThreshold) ?? 0
            try Check.number(scoreThreshold, in: 0...1, param: ranking.param(.scoreThreshold))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vectorStoreIDs, forKey: .vectorStoreIDs)
        try container.encode(filters, forKey: .filters)
        try container.encode(maxNumResults ?? VectorStoreLimits.defaultSearchResults, forKey: .maxNumResults)
        var ranking = container.nestedContainer(keyedBy: RankingKeys.self, forKey: .rankingOptions)
        try ranking.encode(ranker, forKey: .ranker)
        try ranking.encode(scoreThreshold, forKey: .scoreThreshold)
    }
}

/// `{"type": "code_interpreter", "container"}`: a container by id, or `{"type": "auto", "file_ids"}` for one
/// the server makes (or reuses) for the conversation, with those files in it.
public struct ResponseCodeInterpreterTool: Codable, Sendable, Equatable {
    public enum Container: Sendable, Equatable {
        case auto(fileIDs: [String], memoryLimit: String?)
        case id(String)
    }

    public var container: Container

    public init(container: Container = .auto(fileIDs: [], memoryLimit: nil)) {
        self.container = container
    }

    enum CodingKeys: String, CodingKey { case container }
    enum AutoKeys: String, CodingKey { case type, fileIDs = "file_ids", memoryLimit = "memory_limit" }

    public static let memoryLimits = ["1g", "4g", "16g", "64g"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try? container.decode(String.self, forKey: .container) {
            self.container = .id(id)
            return
        }
        let auto = try container.nestedContainer(keyedBy: AutoKeys.self, forKey: .container)
        let type = try auto.decode(String.self, forKey: .type)
        guard type == "auto" else { throw APIError.invalidValue(type, param: auto.param(.type), supported: ["auto"]) }
        let fileIDs = try auto.decodeArray([String].self, forKey: .fileIDs, maxCount: 50, nullable: true) ?? []
        let memoryLimit = try auto.decodeIfPresent(String.self, forKey: .memoryLimit)
        if let memoryLimit, !Self.memoryLimits.contains(memoryLimit) {
            throw APIError.invalidValue(memoryLimit, param: auto.param(.memoryLimit), supported: Self.memoryLimits)
        }
        self.container = .auto(fileIDs: fileIDs, memoryLimit: memoryLimit)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self.container {
        case .id(let id):
            try container.encode(id, forKey: .container)
        case .auto(let fileIDs, let memoryLimit):
            var auto = container.nestedContainer(keyedBy: AutoKeys.self, forKey: .container)
            try auto.encode("auto", forKey: .type)
            try auto.encode(fileIDs, forKey: .fileIDs)
            try auto.encodeIfPresent(memoryLimit, forKey: .memoryLimit)
        }
    }
}

/// `tool_choice`: `"none" | "auto" | "required"`, `{"type": "function", "name"}` (flat, unlike runs'), or a
/// built-in tool by type.
public enum ResponseToolChoice: Codable, Sendable, Equatable {
    case none, auto, required
    case function(String)
    case fileSearch, codeInterpreter

    enum CodingKeys: String, CodingKey { case type, name }

    public init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(String.self) {
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
        case "function": self = .function(try container.decode(String.self, forKey: .name))
        case "file_search": self = .fileSearch
        case "code_interpreter": self = .codeInterpreter
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: ["function", "file_search", "code_interpreter"])
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
            try container.encode(name, forKey: .name)
        case .fileSearch, .codeInterpreter:
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self == .fileSearch ? "file_search" : "code_interpreter", forKey: .type)
        }
    }

    /// The same choice as runs express it, for the engine.
    public var runToolChoice: ToolChoice {
        switch self {
        case .none: .none
        case .auto: .auto
        case .required: .required
        case .function(let name): .function(name)
        case .fileSearch: .fileSearch
        case .codeInterpreter: .codeInterpreter
        }
    }
}

/// `text`: the output's format, `{"format": {"type": "text" | "json_object" | "json_schema", ...}}`, with the
/// JSON schema's fields flat in `format` (runs nest them under `json_schema`).
public struct ResponseTextConfig: Codable, Sendable, Equatable {
    public var format: ResponseFormat
    /// `low`, `medium` (the default) or `high`; accepted and reported, not acted on.
    public var verbosity: String

    public init(format: ResponseFormat = .text, verbosity: String = "medium") {
        self.format = format
        self.verbosity = verbosity
    }

    enum CodingKeys: String, CodingKey { case format, verbosity }
    enum FormatKeys: String, CodingKey { case type, name, description, schema, strict }

    public static let verbosities = ["low", "medium", "high"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verbosity = try container.decodeIfPresent(String.self, forKey: .verbosity) ?? "medium"
        if !Self.verbosities.contains(verbosity) {
            throw APIError.invalidValue(verbosity, param: container.param(.verbosity), supported: Self.verbosities)
        }
        guard try container.decodeNonNull(JSONValue.self, forKey: .format) != nil else {
            format = .text
            return
        }
        let format = try container.nestedContainer(keyedBy: FormatKeys.self, forKey: .format)
        let type = try format.decode(String.self, forKey: .type)
        switch type {
        case "text": self.format = .text
        case "json_object": self.format = .jsonObject
        case "json_schema":
            // The Responses API requires the schema, where runs' `json_schema` may leave it out.
            guard format.contains(.schema) else { throw APIError.missingParameter(format.param(.schema)) }
            self.format = .jsonSchema(try JSONSchemaFormat(from: try container.superDecoder(forKey: .format)))
        default:
            throw APIError.invalidValue(type, param: format.param(.type), supported: ["text", "json_object", "json_schema"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var format = container.nestedContainer(keyedBy: FormatKeys.self, forKey: .format)
        switch self.format {
        case .auto, .text: try format.encode("text", forKey: .type)
        case .jsonObject: try format.encode("json_object", forKey: .type)
        case .jsonSchema(let schema):
            try format.encode("json_schema", forKey: .type)
            try format.encode(schema.name, forKey: .name)
            try format.encodeIfPresent(schema.description, forKey: .description)
            try format.encode(schema.schema, forKey: .schema)
            try format.encode(schema.strict ?? false, forKey: .strict)
        }
        try container.encode(verbosity, forKey: .verbosity)
    }
}

/// `include[]`: extra data for responses and items. Every value of the spec is accepted, since SDKs send
/// some by default; the two about built-in tools this server runs take effect, the rest have nothing to add.
public enum ResponseInclude: String, WireEnum {
    case fileSearchCallResults = "file_search_call.results"
    case codeInterpreterCallOutputs = "code_interpreter_call.outputs"
    case webSearchCallResults = "web_search_call.results"
    case webSearchCallActionSources = "web_search_call.action.sources"
    case messageInputImageURL = "message.input_image.image_url"
    case computerCallOutputImageURL = "computer_call_output.output.image_url"
    case reasoningEncryptedContent = "reasoning.encrypted_content"
    case messageOutputTextLogprobs = "message.output_text.logprobs"
}
