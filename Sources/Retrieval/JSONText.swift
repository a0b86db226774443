import Foundation

/// A JSON document as searchable text: one `path: value` line per string, number or boolean, so
/// both keys and values can be matched.
enum JSONText {
    static func text(of data: Data, filename: String) throws(ExtractionError) -> String {
        guard data.count <= ExtractionLimits.maxJSONBytes else {
            throw .invalid("\(filename) is larger than \(ExtractionLimits.mebibytes(ExtractionLimits.maxJSONBytes)), the limit for a .json file.")
        }
        let root: Value
        do {
            root = try JSONDecoder().decode(Value.self, from: data)
        } catch {
            throw .invalid("\(filename) is not valid JSON.")
        }
        var lines: [String] = []
        root.walk(path: "", into: &lines)
        return lines.joined(separator: "\n")
    }

    /// Decoded as a tree rather than with JSONSerialization, so booleans and numbers stay distinct.
    private enum Value: Decodable {
        case object([String: Value]), array([Value]), scalar(String), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .scalar(String(value)) }
            else if let value = try? container.decode(Int64.self) { self = .scalar(String(value)) }
            else if let value = try? container.decode(Double.self) { self = .scalar(String(value)) }
            else if let value = try? container.decode(String.self) { self = .scalar(value) }
            else if let value = try? container.decode([Value].self) { self = .array(value) }
            else { self = .object(try container.decode([String: Value].self)) }
        }

        func walk(path: String, into lines: inout [String]) {
            switch self {
            case .object(let object):
                for key in object.keys.sorted() {
                    object[key]!.walk(path: path.isEmpty ? key : path + "." + key, into: &lines)
                }
            case .array(let array):
                for element in array { element.walk(path: path, into: &lines) }
            case .scalar(let text):
                lines.append(path.isEmpty ? text : path + ": " + text)
            case .null:
                break
            }
        }
    }
}
