import AssistantsAPI
import AssistantsStore

/// Turns run requests into runs: the assistant's settings, overridden by the request's.
struct RunPlanner {
    let store: any AssistantsStore
    /// How long a run may wait in `queued` or `requires_action` before it expires.
    static let lifetime = 600

    func assistant(_ id: String) async throws -> Assistant {
        guard let assistant = try await store.assistant(id: id) else { throw APIError.notFound(.assistant, id: id) }
        return assistant
    }

    func run(
        threadID: String, assistant: Assistant, parameters: RunParameters, additionalInstructions: String?, now: Int
    ) throws -> Run {
        let tools = parameters.tools ?? assistant.tools
        let toolChoice = parameters.toolChoice ?? .auto
        try check(toolChoice, against: tools)
        let base = parameters.instructions ?? assistant.instructions ?? ""
        let instructions = [base, additionalInstructions ?? ""].filter { !$0.isEmpty }.joined(separator: "\n\n")
        var run = Run(
            id: ObjectKind.run.newID(), createdAt: now, threadID: threadID, assistantID: assistant.id, expiresAt: now + Self.lifetime,
            model: parameters.model ?? assistant.model, instructions: instructions, tools: tools,
            metadata: parameters.metadata ?? [:], temperature: parameters.temperature ?? assistant.temperature,
            topP: parameters.topP ?? assistant.topP, maxPromptTokens: parameters.maxPromptTokens,
            maxCompletionTokens: parameters.maxCompletionTokens, truncationStrategy: parameters.truncationStrategy ?? .init(),
            toolChoice: toolChoice, parallelToolCalls: parameters.parallelToolCalls ?? true,
            responseFormat: parameters.responseFormat ?? assistant.responseFormat, reasoningEffort: parameters.reasoningEffort)
        run.project = ProjectScope.current
        return run
    }

    /// A named tool choice must name one of the run's tools.
    private func check(_ choice: ToolChoice, against tools: [AssistantTool]) throws {
        let available: Bool
        switch choice {
        case .function(let name): available = tools.contains { if case .function(let f) = $0 { f.name == name } else { false } }
        case .codeInterpreter: available = tools.contains(.codeInterpreter)
        case .fileSearch: available = tools.contains { if case .fileSearch = $0 { true } else { false } }
        case .none, .auto, .required: available = true
        }
        guard available else {
            throw APIError.invalidRequest("Invalid 'tool_choice': the tool it names is not among the run's tools.", param: "tool_choice", code: "invalid_value")
        }
    }
}
