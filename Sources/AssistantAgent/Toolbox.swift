import AssistantsAPI

/// A call the model asks for: a run's required tool call or a response's `function_call` item.
protocol ToolCallRequest: Sendable {
    var name: String { get }
    var arguments: String { get }
}

extension RequiredToolCall: ToolCallRequest {
    var name: String { function.name }
    var arguments: String { function.arguments }
}

extension FunctionCallItem: ToolCallRequest {}

/// What both agents do with the model's calls, so that runs and responses treat tools alike.
@usableFromInline struct Toolbox: Sendable {
    /// How many rounds of tool outputs an agent's `run` sends before it gives up, unless told otherwise.
    @usableFromInline static let defaultMaxIterations = 15

    let tools: [any AgentTool]

    /// Calls every one of `calls` at once, and answers with their outputs in the order of the calls. A tool
    /// that throws, or a name no tool has, gives an output that tells the model so: the model can recover,
    /// where an error would end the whole run.
    func outputs<Call: ToolCallRequest>(
        of calls: [Call], started: @escaping @Sendable (Call) async -> Void,
        finished: @escaping @Sendable (Call, _ output: String, _ failed: Bool) async -> Void
    ) async -> [String] {
        await withTaskGroup(of: (Int, String).self) { group in
            for (position, call) in calls.enumerated() {
                group.addTask {
                    await started(call)
                    let (output, failed) = await output(of: call)
                    await finished(call, output, failed)
                    return (position, output)
                }
            }
            var outputs = [String](repeating: "", count: calls.count)
            for await (position, output) in group { outputs[position] = output }
            return outputs
        }
    }

    private func output(of call: some ToolCallRequest) async -> (String, failed: Bool) {
        guard let tool = tools.first(where: { $0.name == call.name }) else {
            return ("Error: \(call.name) is not a valid tool, try one of [\(tools.map(\.name).joined(separator: ", "))].", true)
        }
        do {
            return (try await tool.call(arguments: call.arguments), false)
        } catch {
            return ("Error: \(error)", true)
        }
    }
}
