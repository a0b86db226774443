// An agent with two local Swift tools, a calculator and a canned search, continuing its thread; with
// --responses, the same over the Responses API, continuing from its last response.
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

let model = ProcessInfo.processInfo.environment["ASSISTANTS_MODEL"] ?? "gpt-4o"
let instructions = "Use the tools to look things up and to compute; never guess numbers."
let tools: [any AgentTool] = [Calculator(), WeatherSearch()]
let question = "What's the weather in SF today divided by 2.7"
let followUp = "And what is that times 3?"

func logCall(_ name: String, _ arguments: String) { print("→ \(name)(\(arguments))") }
func logAnswer(_ name: String, _ output: String) { print("← \(name): \(output)") }

if CommandLine.arguments.contains("--responses") {
    let agent = ResponsesAgent(client: .fromEnvironment(), model: model, instructions: instructions, tools: tools)
    let log: @Sendable (ResponsesAgentEvent) async -> Void = { event in
        switch event {
        case .toolCallStarted(let call): logCall(call.name, call.arguments)
        case .toolCallFinished(let call, let output, _): logAnswer(call.name, output)
        case .stream: break
        }
    }
    let first = try await agent.run(question, onEvent: log)
    print("assistant > \(first.text)\n")
    let second = try await agent.run(followUp, previousResponseID: first.response.id, onEvent: log)
    print("assistant > \(second.text)")
} else {
    let agent = try await AssistantAgent.create(
        client: .fromEnvironment(), model: model, name: "Weather helper", instructions: instructions, tools: tools)
    let log: @Sendable (AgentEvent) async -> Void = { event in
        switch event {
        case .toolCallStarted(let call): logCall(call.function.name, call.function.arguments)
        case .toolCallFinished(let call, let output, _): logAnswer(call.function.name, output)
        case .stream: break
        }
    }
    let first = try await agent.run(question, onEvent: log)
    print("assistant > \(first.text)\n")
    let second = try await agent.run(followUp, threadID: first.threadID, onEvent: log)
    print("assistant > \(second.text)")
}
