/// `response_format`: `"auto"`, `{type: text}`, `{type: json_object}` or `{type: json_schema, json_schema}`.
public enum ResponseFormat: Codable, Sendable, Equatable {
    case auto
    case text
    case jsonObject
    case jsonSchema(JSONSchemaFormat)

    enum CodingKeys: String, CodingKey { case type, jsonSchema = "json_schema" }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let value = try? single.decode(String.self) {
            guard value == "auto" else {
                throw APIError.invalidValue(value, param: paramPath(decoder.codingPath), supported: ["auto"])
            }
            self = .auto
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text": self = .text
        case "json_object": self = .jsonObject
        case "json_schema": self = .jsonSchema(try container.decode(JSONSchemaFormat.self, forKey: .jsonSchema))
        default:
            throw APIError.invalidValue(type, param: container.param(.type), supported: ["text", "json_object", "json_schema"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .auto:
            var container = encoder.singleValueContainer()
            try container.encode("auto")
        case .text, .jsonObject:
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self == .text ? "text" : "json_object", forKey: .type)
        case .jsonSchema(let schema):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("json_schema", forKey: .type)
            try container.encode(schema, forKey: .jsonSchema)
        }
    }
}

/// `response_format.json_schema`: a name of at most 64 letters, digits, `_` or `-`, a JSON Schema that
/// is an object, and `strict` true, false or null.
public struct JSONSchemaFormat: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var schema: JSONValue?
    public var strict: Bool?

    enum CodingKeys: String, CodingKey { case name, description, schema, strict }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try Check.name(name, param: container.param(.name))
        description = try container.decodeNonNull(String.self, forKey: .description)
        schema = try container.decodeJSONObject(forKey: .schema)
        strict = try container.decodeIfPresent(Bool.self, forKey: .strict)
    }

    public init(name: String, description: String? = nil, schema: JSONValue? = nil, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.schema = schema
        self.strict = strict
    }
}

/// Accepted on assistants and runs; kept for the model call, not part of the assistant object.
public enum ReasoningEffort: String, WireEnum {
    case none, minimal, low, medium, high, xhigh, max
}
