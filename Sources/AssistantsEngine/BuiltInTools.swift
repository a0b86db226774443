import AssistantsAPI
import Foundation

/// A tool the server runs itself (`code_interpreter`, `file_search`), offered to the model as a function.
public protocol BuiltInTool: Sendable {
    /// The reserved function name: `code_interpreter` or `file_search`.
    var name: String { get }
    /// What the model is told the function does and takes.
    var definition: FunctionDefinition { get }
    /// Runs a call. Failures of the call itself (a traceback, no results) are output, not errors.
    func call(arguments: String, context: ToolCallContext) async throws -> BuiltInToolResult
    /// Lets go of whatever the tool keeps for a thread, or a container, that no longer exists (or has
    /// expired): `id` is the thread's or the container's.
    func ownerDeleted(_ id: String) async
    /// Called on each of the engine's polls when several nodes share the work: lets go of what the tool
    /// keeps for threads and containers that other nodes deleted.
    func reconcile() async
}

extension BuiltInTool {
    public func ownerDeleted(_ id: String) async {}
    public func reconcile() async {}
}

public struct ToolCallContext: Sendable {
    public var run: Run
    public var callID: String
    /// How many `file_search` calls the run made before this call: `file_search` numbers its citations by it.
    public var searchesBefore: Int
}

public struct BuiltInToolResult: Sendable {
    /// The step's tool call as clients see it.
    public var call: ToolCall.Kind
    /// What the model is told.
    public var output: String
    /// Files the call produced, by the path the model knows them under, to annotate the run's message.
    public var files: [String: String]
    /// The container a response's code ran in.
    public var containerID: String?

    public init(call: ToolCall.Kind, output: String, files: [String: String] = [:], containerID: String? = nil) {
        self.call = call
        self.output = output
        self.files = files
        self.containerID = containerID
    }
}

/// The reserved functions, for tools that have no executor on this server yet.
enum ReservedTools {
    static let codeInterpreter = FunctionDefinition(
        name: "code_interpreter",
        description: "Runs Python code in a stateful sandbox and returns its output. Files are under /mnt/data.",
        parameters: .object([
            "type": .string("object"),
            "properties": .object(["code": .object(["type": .string("string"), "description": .string("The Python code to run.")])]),
            "required": .array([.string("code")]),
        ]))

    static let fileSearch = FunctionDefinition(
        name: "file_search",
        description: "Searches the files available to the assistant and returns the most relevant passages.",
        parameters: .object([
            "type": .string("object"),
            "properties": .object(["query": .object(["type": .string("string"), "description": .string("What to search for.")])]),
            "required": .array([.string("query")]),
        ]))

    /// The call as a step records it, and what the model is told, when the tool cannot run here.
    static func unavailable(_ name: String, arguments: String) -> BuiltInToolResult {
        notRun(name, arguments: arguments, output: "The \(name) tool is not available on this server. Answer without it.")
    }

    /// What the model is told of a built-in call beyond its response's `max_tool_calls`.
    static func limitReached(_ limit: Int) -> String {
        "Not run: this response may make at most \(limit) built-in tool call\(limit == 1 ? "" : "s") (max_tool_calls), and has made them. Answer with what you have."
    }

    /// A call that was not run, as a step records it, with `output` as what the model is told: code with
    /// `output` as its log, a search with no results.
    static func notRun(_ name: String, arguments: String, output: String) -> BuiltInToolResult {
        let argument = JSONValue.parse(arguments)
        switch name {
        case "code_interpreter":
            let code = argument?["code"]?.stringValue ?? arguments
            return BuiltInToolResult(call: .codeInterpreter(.init(input: code, outputs: [.logs(output)])), output: output)
        default:
            return BuiltInToolResult(call: .fileSearch(.init()), output: output)
        }
    }
}

extension JSONValue {
    static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
