import Foundation

/// Decodes request bodies into wire types. Every failure becomes a 400 in OpenAI's words, naming the
/// offending parameter by its path (`tools[0].type`), because the SDKs surface `param` to users.
public enum RequestDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        // An empty body is an empty object: `POST /threads` may be sent with no body at all.
        let body = data.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } ? Data("{}".utf8) : data
        let decoder = JSONDecoder()
        let root: JSONValue
        do {
            root = try decoder.decode(JSONValue.self, from: body)
        } catch {
            throw .malformedJSON
        }
        do {
            return try decoder.decode(T.self, from: body)
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            throw apiError(for: error, in: root)
        } catch {
            throw .malformedJSON
        }
    }

    static func apiError(for error: DecodingError, in root: JSONValue) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingParameter(paramPath(context.codingPath + [key]))
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .invalidRequest("Invalid request body: expected a JSON object, but got \(root.kindDescription) instead.")
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let got = root.value(at: context.codingPath)?.kindDescription ?? "a value of another type"
            return .invalidType(param: paramPath(context.codingPath), expected: describe(expected), got: got)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformedJSON }
            let param = paramPath(context.codingPath)
            return .invalidRequest("Invalid '\(param)': \(context.debugDescription)", param: param, code: "invalid_value")
        @unknown default:
            return .malformedJSON
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

/// `tools[0].function.name` from a decoding path.
public func paramPath(_ path: [any CodingKey]) -> String {
    var result = ""
    for key in path {
        if let index = key.intValue {
            result += "[\(index)]"
        } else {
            result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return result
}

/// A string enum of the wire. Decoding an unknown value fails with OpenAI's "Invalid value" message.
public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw APIError.invalidValue(raw, param: paramPath(decoder.codingPath), supported: Self.allCases.map(\.rawValue))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension KeyedDecodingContainer {
    /// The parameter path of `key`, for error messages.
    public func param(_ key: Key) -> String { paramPath(codingPath + [key]) }

    /// An optional value the spec does not let be null: absent is nil, `null` is a 400 naming the param.
    public func decodeNonNull<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw APIError.invalidType(param: param(key), expected: RequestDecoder.describe(T.self), got: "null")
        }
        return try decode(T.self, forKey: key)
    }

    /// An optional JSON object (a JSON Schema): absent is nil; null or any other kind of value is refused,
    /// naming the key.
    public func decodeJSONObject(forKey key: Key) throws -> JSONValue? {
        guard let value = try decodeNonNull(JSONValue.self, forKey: key) else { return nil }
        guard case .object = value else {
            throw APIError.invalidType(param: param(key), expected: "an object", got: value.kindDescription)
        }
        return value
    }

    /// Tells an absent key (nil) from an explicit null (`.some(nil)`): modify requests treat them differently.
    public func decodePatch<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T?? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return .some(nil) }
        return .some(try decode(T.self, forKey: key))
    }

    /// An optional string with a length limit; `null` reads as absent only where the spec allows it.
    public func decodeString(_ key: Key, maxLength: Int, nullable: Bool = true) throws -> String? {
        let value = nullable ? try decodeIfPresent(String.self, forKey: key) : try decodeNonNull(String.self, forKey: key)
        try Check.length(value, max: maxLength, param: param(key))
        return value
    }

    /// A nullable string with a length limit, for modify requests.
    public func decodeStringPatch(_ key: Key, maxLength: Int) throws -> String?? {
        let value = try decodePatch(String.self, forKey: key)
        try Check.length(value ?? nil, max: maxLength, param: param(key))
        return value
    }

    /// Metadata, checked against its limits.
    public func decodeMetadata(_ key: Key) throws -> Metadata?? {
        let value = try decodePatch(Metadata.self, forKey: key)
        try Check.metadata(value ?? nil, param: param(key))
        return value
    }

    /// A number within a closed range.
    public func decodeNumber(_ key: Key, in range: ClosedRange<Double>) throws -> Double?? {
        let value = try decodePatch(Double.self, forKey: key)
        try Check.number(value ?? nil, in: range, param: param(key))
        return value
    }

    /// An array with at most `maxCount` items; `null` is refused unless the spec allows it.
    public func decodeArray<T: Decodable>(_ type: [T].Type, forKey key: Key, maxCount: Int, nullable: Bool = false) throws -> [T]? {
        let value = nullable ? try decodeIfPresent(type, forKey: key) : try decodeNonNull(type, forKey: key)
        try Check.count(value?.count ?? 0, max: maxCount, param: param(key))
        return value
    }
}
