import AssistantsAPI
import Foundation

extension Transport {
    /// Sends a request that streams a run. Errors before the stream starts (a 404, a validation error) are
    /// thrown here; the events are then read as they arrive. Ending the iteration closes the connection.
    func runStream(_ request: APIRequest) async throws -> RunStream {
        let response = try await send(request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEvents()
                var snapshot = RunSnapshot()
                do {
                    for try await buffer in response.body {
                        for frame in parser.feed(buffer.readableBytesView) {
                            guard let event = try Self.event(frame) else { continue }
                            let changes = snapshot.apply(event)
                            continuation.yield(RunStreamEvent(event: event, changes: changes, snapshot: snapshot))
                            if case .done = event { return continuation.finish() }
                        }
                    }
                    throw AssistantsClientError.invalidResponse(detail: "the event stream ended before its done event")
                } catch {
                    if Task.isCancelled { return continuation.finish(throwing: CancellationError()) }
                    continuation.finish(throwing: error is AssistantsClientError ? error : AssistantsClientError.connection(error))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func event(_ frame: ServerSentEvents.Event) throws -> AssistantStreamEvent? {
        do {
            return try AssistantStreamEvent(name: frame.name, data: frame.data)
        } catch {
            throw AssistantsClientError.invalidResponse(detail: "event \(frame.name): \(error)")
        }
    }
}
