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

/// `requestError` for a type known only at run time.
func anyRequestError(_ type: any Decodable.Type, _ body: String) -> APIError? {
    func open<T: Decodable>(_ type: T.Type) -> APIError? { requestError(T.self, body) }
    return open(type)
}

extension JSONValue {
    var keys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }
}

/// The paths at which `example` has a value that `encoded` lacks or holds differently: empty when every
/// key of the example is in the encoding with the same value. Arrays must match element by element.
func differences(from example: JSONValue, in encoded: JSONValue, at path: String = "$") -> [String] {
    switch (example, encoded) {
    case (.object(let expected), .object(let actual)):
        return expected.keys.sorted().flatMap { key -> [String] in
            guard let value = actual[key] else { return ["\(path).\(key) missing"] }
            return differences(from: expected[key]!, in: value, at: "\(path).\(key)")
        }
    case (.array(let expected), .array(let actual)):
        guard expected.count == actual.count else { return ["\(path): \(actual.count) elements, expected \(expected.count)"] }
        return zip(expected, actual).enumerated().flatMap { differences(from: $1.0, in: $1.1, at: "\(path)[\($0)]") }
    case (.integer(let expected), .number(let actual)), (.number(let actual), .integer(let expected)):
        return Double(expected) == actual ? [] : ["\(path): \(actual), expected \(expected)"]
    default:
        return example == encoded ? [] : ["\(path): \(encoded), expected \(example)"]
    }
}
