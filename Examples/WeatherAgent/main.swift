// An agent with two local Swift tools, a calculator and a canned search, continuing its thread.
// ASSISTANTS_BASE_URL (default http://localhost:8080/v1), ASSISTANTS_API_KEY, ASSISTANTS_MODEL (default gpt-4o).
import AssistantAgent
import AssistantsClient
import Foundation

/// Arithmetic on two numbers.
struct Calculator: TypedAgentTool {
    struct Arguments: Decodable {
        var a: Double
        var b: Double
        var operation: String
    }

    let name = "calculator"
    let description = "Computes a op b, where op is add, subtract, multiply, divide or power."
    let parameters = ParameterSchema.object([
        "a": ParameterSchema.number("The left operand."),
        "b": ParameterSchema.number("The right operand."),
        "operation": ParameterSchema.string("What to compute.", oneOf: ["add", "subtract", "multiply", "divide", "power"]),
    ])

    struct UnknownOperation: Error { var operation: String }

    func call(_ arguments: Arguments) async throws -> String {
        let (a, b) = (arguments.a, arguments.b)
        switch arguments.operation {
        case "add": return "\(a + b)"
        case "subtract": return "\(a - b)"
        case "multiply": return "\(a * b)"
        case "divide": return "\(a / b)"
        case "power": return "\(pow(a, b))"
        default: throw UnknownOperation(operation: arguments.operation)
        }
    }
}

/// A web search that always knows the same thing.
struct WeatherSearch: TypedAgentTool {
    struct Arguments: Decodable { var query: String }

    let name = "search"
    let description = "Searches the web for current information."
    let parameters = ParameterSchema.object(["query": ParameterSchema.string("What to search for.")])

    func call(_ arguments: Arguments) async throws -> String {
        "Weather in San Francisco today: 64 degrees Fahrenheit, fog clearing by noon."
    }
}

let agent = try await AssistantAgent.create(
    client: .fromEnvironment(), model: ProcessInfo.processInfo.environment["ASSISTANTS_MODEL"] ?? "gpt-4o",
    name: "Weather helper", instructions: "Use the tools to look things up and to compute; never guess numbers.",
    tools: [Calculator(), WeatherSearch()])

let log: @Sendable (AgentEvent) async -> Void = { event in
    switch event {
    case .toolCallStarted(let call): print("→ \(call.function.name)(\(call.function.arguments))")
    case .toolCallFinished(let call, let output, _): print("← \(call.function.name): \(output)")
    case .stream: break
    }
}

let first = try await agent.run("What's the weather in SF today divided by 2.7", onEvent: log)
print("assistant > \(first.text)\n")
let second = try await agent.run("And what is that times 3?", threadID: first.threadID, onEvent: log)
print("assistant > \(second.text)")
