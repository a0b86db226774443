import AssistantsAPI
import Synchronization

/// Delivers a run's stream events to the clients streaming it. Events are not stored: a client sees
/// what happens from the moment it subscribes, and a run goes on whether anyone listens or not.
final class RunEventHub: Sendable {
    typealias Continuation = AsyncStream<AssistantStreamEvent>.Continuation
    private let subscribers = Mutex<[String: [Int: Continuation]]>([:])
    private let nextToken = Atomic<Int>(0)

    /// A stream of the run's events, ending after the event that ends a stream (terminal or requires_action).
    func subscribe(runID: String) -> AsyncStream<AssistantStreamEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: AssistantStreamEvent.self)
        let token = nextToken.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[runID, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { subscribers in
                subscribers[runID]?[token] = nil
                if subscribers[runID]?.isEmpty == true { subscribers[runID] = nil }
            }
        }
        return stream
    }

    func publish(_ event: AssistantStreamEvent, runID: String) {
        let continuations = subscribers.withLock { subscribers in
            let current = subscribers[runID].map { Array($0.values) } ?? []
            if event.endsStream { subscribers[runID] = nil }
            return current
        }
        for continuation in continuations {
            continuation.yield(event)
            if event.endsStream { continuation.finish() }
        }
    }
}
