import AssistantsAPI
import AssistantsStore

/// A response as clients see it, assembled from its records: the request's parameters (the response row),
/// the state of its backing run, and the output the run wrote, read from its steps in order. Nothing of
/// the state is stored twice, so the response and its run cannot disagree.
public enum ResponseOutput {
    /// The response with its run's state and output, as `include` shows it.
    public static func response(_ stored: StoredResponse, store: any AssistantsStore) async throws -> ModelResponse {
        let include = stored.record.response.include
        return response(stored, output: try await output(of: stored, store: store).map { $0.shown(include: include) })
    }

    /// The output items of the response whole (search results and code outputs included): what the model
    /// of a later response in the chain reads.
    static func output(of stored: StoredResponse, store: any AssistantsStore) async throws -> [ResponseItem] {
        let steps = try await store.allSteps(runID: stored.run.id)
        let written = try await store.runMessages(runID: stored.run.id, threadID: stored.run.threadID)
        let messages = Dictionary(written.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        return items(steps: steps, messages: messages, containerID: stored.record.response.containerID)
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
    /// searches it ran, the code it ran and the functions it called (not the outputs a client submitted:
    /// those are the next response's input).
    static func items(steps: [RunStep], messages: [String: Message], containerID: String?) -> [ResponseItem] {
        steps.flatMap { step -> [ResponseItem] in
            switch step.details {
            case .messageCreation(let id):
                return messages[id].map { [.message(ResponseMessage($0))] } ?? []
            case .toolCalls:
                return step.toolCallItems(containerID: containerID).filter { $0.direction == .output }.map(\.item)
            }
        }
    }
}
