import AssistantsAPI
import Foundation

/// The JSON our encoder writes for `value`, as a tree to compare.
func encodedJSON(_ value: some Encodable) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
}

func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

/// Decodes a request body the way the server does, returning the error it would answer with.
func requestError<T: Decodable>(_ type: T.Type, _ body: String) -> APIError? {
    do {
        _ = try RequestDecoder.decode(type, from: Data(body.utf8))
        return nil
    } catch {
        return error
    }
}

extension JSONValue {
    var keys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }
}
