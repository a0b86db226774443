import AssistantsAPI
import AssistantsStore

/// A response as clients see it, assembled from its records: the request's parameters (the response row),
/// the state of its backing run, and the output the run wrote, read from its steps in order. Nothing of
/// the state is stored twice, so the response and its run cannot disagree.
public enum ResponseOutput {
    /// The response with its run's state and output.
    public static func response(_ stored: StoredResponse, store: any AssistantsStore) async throws -> ModelResponse {
        let steps = try await store.allSteps(runID: stored.run.id)
        let written = try await store.runMessages(runID: stored.run.id, threadID: stored.run.threadID)
        let messages = Dictionary(written.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        return response(stored, output: items(steps: steps, messages: messages, of: stored.record.response))
    }

    /// The response with `output` and the state of `stored.run`.
    public static func response(_ stored: StoredResponse, output: [ResponseItem]) -> ModelResponse {
        var response = stored.record.response
        let run = stored.run
        response.status = status(of: run)
        response.output = output
        response.completedAt = run.completedAt
        response.error = run.lastError.map(ResponseError.init)
        // Runs name the limit they hit after their own parameter; the response's parameter is `max_output_tokens`.
        response.incompleteDetails = run.incompleteDetails.map {
            ModelResponse.IncompleteDetails(reason: $0.reason == "max_completion_tokens" ? "max_output_tokens" : $0.reason)
        }
        response.usage = run.usage.map(ResponseUsage.init)
        return response
    }

    /// The status a response has while its run has `run.status` (a backing run never waits for tool outputs).
    public static func status(of run: Run) -> ModelResponse.Status {
        switch run.status {
        case .queued: .queued
        case .inProgress, .requiresAction: .inProgress
        case .cancelling, .cancelled: .cancelled
        case .completed: .completed
        case .incomplete: .incomplete
        case .failed, .expired: .failed
        }
    }

    /// The output items a run's steps hold, in the order the model produced them: the messages it wrote, the
    /// searches it ran, the code it ran and the functions it called. The response's `include` says whether
    /// search results and code outputs are shown.
    static func items(steps: [RunStep], messages: [String: Message], of response: ModelResponse) -> [ResponseItem] {
        let include = response.include
        return steps.flatMap { step -> [ResponseItem] in
            switch step.details {
            case .messageCreation(let id):
                return messages[id].map { [.message(ResponseMessage($0))] } ?? []
            case .toolCalls(let calls):
                // The calls, not the outputs a client submitted: those are the next response's input.
                var functionCalls: [String: ResponseItem] = [:]
                for stored in step.functionCallItems {
                    if case .functionCall(let call) = stored.item { functionCalls[call.callID] = stored.item }
                }
                return calls.compactMap { call in
                    switch call.kind {
                    case .function: functionCalls[call.id]
                    case .fileSearch(let search): .fileSearchCall(fileSearchItem(call, search, include: include))
                    case .codeInterpreter(let code): .codeInterpreterCall(codeInterpreterItem(call.id, code, of: response))
                    }
                }
            }
        }
    }

    /// Code the run ran, as the item that shows it: figures are the container's files, by the URL of their
    /// content (relative to the server: the response does not know the address clients reach it by).
    static func codeInterpreterItem(_ callID: String, _ code: CodeInterpreterCall, of response: ModelResponse) -> CodeInterpreterCallItem {
        let containerID = response.containerID ?? ""
        let outputs = code.outputs.map { output -> CodeInterpreterCallItem.Output in
            switch output {
            case .logs(let logs): .logs(logs)
            case .image(let fileID): .image(url: "/v1/containers/\(containerID)/files/\(fileID)/content")
            }
        }
        let item = CodeInterpreterCallItem(
            id: ToolCallItemID.codeInterpreterCall(callID), status: .completed, containerID: containerID, code: code.input, outputs: outputs)
        return response.include.contains(.codeInterpreterCallOutputs) ? item : item.withoutOutputs()
    }

    /// A search the run ran, as the item that shows it: its query is what the model sent (in the call's
    /// transcript, which storage keeps; empty where only the wire object travelled).
    static func fileSearchItem(_ call: ToolCall, _ search: FileSearchCall, include: [ResponseInclude]) -> FileSearchCallItem {
        let arguments = call.transcript?.arguments
        let query = arguments.flatMap { JSONValue.parse($0)?["query"]?.stringValue ?? $0 }
        let item = FileSearchCallItem(
            id: ToolCallItemID.fileSearchCall(call.id), status: .completed, queries: query.map { [$0] } ?? [],
            results: search.results.map { result in
                FileSearchCallItem.Result(
                    fileID: result.fileID, filename: result.fileName, score: result.score,
                    text: result.content?.map(\.text).joined(separator: "\n") ?? "")
            })
        return include.contains(.fileSearchCallResults) ? item : item.withoutResults()
    }
}
