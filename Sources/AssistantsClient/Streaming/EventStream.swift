import AssistantsAPI
import Foundation

/// Turns a stream's server-sent events into the updates a caller iterates, keeping whatever state the
/// updates carry (a snapshot) between events.
protocol EventReader: Sendable {
    associatedtype Update: Sendable
    /// The update one event makes, if any, and whether it is the stream's last.
    mutating func read(_ frame: ServerSentEvents.Event) throws -> (update: Update?, isLast: Bool)
    /// What it means when the body ends before the last event: nil, a normal end; else the error to throw.
    var earlyEnd: AssistantsClientError? { get }
}

extension Transport {
    /// Sends a request that answers with server-sent events. Errors before the stream starts (a 404, a
    /// validation error) are thrown here; the events are then read as they arrive. Ending the iteration
    /// closes the connection.
    func eventStream<Reader: EventReader>(_ request: APIRequest, reader: Reader) async throws -> AsyncThrowingStream<Reader.Update, any Error> {
        let response = try await send(request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEvents()
                var reader = reader
                do {
                    for try await buffer in response.body {
                        for frame in parser.feed(buffer.readableBytesView) {
                            let (update, isLast) = try reader.read(frame)
                            if let update { continuation.yield(update) }
                            if isLast { return continuation.finish() }
                        }
                    }
                    if let error = reader.earlyEnd { throw error }
                    continuation.finish()
                } catch {
                    if Task.isCancelled { return continuation.finish(throwing: CancellationError()) }
                    continuation.finish(throwing: error is AssistantsClientError ? error : AssistantsClientError.connection(error))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends a request that streams a run.
    func runStream(_ request: APIRequest) async throws -> RunStream {
        try await eventStream(request, reader: RunEventReader())
    }
}

/// A run's events, up to `done`.
private struct RunEventReader: EventReader {
    var snapshot = RunSnapshot()

    var earlyEnd: AssistantsClientError? { .invalidResponse(detail: "the event stream ended before its done event") }

    mutating func read(_ frame: ServerSentEvents.Event) throws -> (update: RunStreamEvent?, isLast: Bool) {
        let event: AssistantStreamEvent?
        do {
            event = try AssistantStreamEvent(name: frame.name, data: frame.data)
        } catch {
            throw AssistantsClientError.invalidResponse(detail: "event \(frame.name): \(error)")
        }
        guard let event else { return (nil, false) }
        let changes = snapshot.apply(event)
        if case .done = event { return (RunStreamEvent(event: event, changes: changes, snapshot: snapshot), true) }
        return (RunStreamEvent(event: event, changes: changes, snapshot: snapshot), false)
    }
}
