import AssistantsAPI
import Foundation

/// A function the model may call, run locally by `AssistantAgent` or `ResponsesAgent`.
///
/// ```swift
/// struct Search: AgentTool {
///     let name = "search"
///     let description = "Searches the web."
///     let parameters = ParameterSchema.object(["query": .string("What to look for.")])
///     func call(arguments: String) async throws -> String { "68°F and sunny in SF." }
/// }
/// ```
public protocol AgentTool: Sendable {
    /// The function name the model calls: letters, digits, `_` and `-`, at most 64.
    var name: String { get }
    var description: String { get }
    /// A JSON Schema object for the arguments.
    var parameters: JSONValue { get }
    /// The tool's answer to the model. A thrown error is reported to the model as the output.
    func call(arguments: String) async throws -> String
}

/// A tool whose arguments decode into a `Decodable` struct: implement `call(_:)` and the decoding is done.
public protocol TypedAgentTool: AgentTool {
    associatedtype Arguments: Decodable & Sendable
    func call(_ arguments: Arguments) async throws -> String
}

extension TypedAgentTool {
    public func call(arguments: String) async throws -> String {
        let decoded: Arguments
        do {
            decoded = try JSONDecoder().decode(Arguments.self, from: Data((arguments.isEmpty ? "{}" : arguments).utf8))
        } catch {
            throw AgentToolError.invalidArguments(tool: name, arguments: arguments)
        }
        return try await call(decoded)
    }
}

public enum AgentToolError: Error, CustomStringConvertible {
    case invalidArguments(tool: String, arguments: String)

    public var description: String {
        switch self {
        case .invalidArguments(let tool, let arguments): "The arguments \(arguments) do not match the parameters of \(tool)."
        }
    }
}

extension AgentTool {
    /// The function definition the assistant is given.
    public var definition: AssistantTool {
        .function(FunctionDefinition(name: name, description: description, parameters: parameters))
    }

    /// The function definition a response is given. Not `strict`: `ParameterSchema.object` may leave
    /// properties out of `required`, which strict mode refuses.
    public var responseDefinition: ResponseTool {
        .function(ResponseFunctionTool(name: name, description: description, parameters: parameters, strict: false))
    }
}

/// Shorthands for the JSON Schemas of tool parameters.
public enum ParameterSchema {
    /// An object with these properties, all of them required unless `required` names fewer.
    public static func object(_ properties: [String: JSONValue], required: [String]? = nil) -> JSONValue {
        .object([
            "type": .string("object"),
            "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map { .string($0) }),
        ])
    }

    public static func string(_ description: String, oneOf values: [String]? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string("string"), "description": .string(description)]
        if let values { schema["enum"] = .array(values.map { .string($0) }) }
        return .object(schema)
    }

    public static func number(_ description: String) -> JSONValue {
        .object(["type": .string("number"), "description": .string(description)])
    }
}
