import AssistantsAPI
import Synchronization

/// Delivers a run's stream events to the clients streaming it. Events are not stored: a client sees
/// what happens from the moment it subscribes, and a run goes on whether anyone listens or not.
final class RunEventHub: Sendable {
    private let subscribers = Mutex<[String: [Int: RunEvents.Inbox]]>([:])
    private let nextToken = Atomic<Int>(0)

    /// The run's events, ending after the event that ends a stream (terminal or requires_action).
    func subscribe(runID: String) -> RunEvents {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let inbox = RunEvents.Inbox { [weak self] in
            self?.subscribers.withLock { subscribers in
                subscribers[runID]?[token] = nil
                if subscribers[runID]?.isEmpty == true { subscribers[runID] = nil }
            }
        }
        subscribers.withLock { $0[runID, default: [:]][token] = inbox }
        return RunEvents(inbox: inbox)
    }

    /// Ends every stream of the run after `event`: for a run that will publish no terminal event (it is gone).
    func close(runID: String, with event: AssistantStreamEvent) {
        let inboxes = subscribers.withLock { $0.removeValue(forKey: runID).map { Array($0.values) } ?? [] }
        for inbox in inboxes {
            inbox.deliver(event)
            inbox.finish()
        }
    }

    func publish(_ event: AssistantStreamEvent, runID: String) {
        let inboxes = subscribers.withLock { subscribers in
            let current = subscribers[runID].map { Array($0.values) } ?? []
            if event.endsStream { subscribers[runID] = nil }
            return current
        }
        for inbox in inboxes { inbox.deliver(event) }
    }
}

/// A subscriber's events, read in batches: everything published since the reader last asked, so a
/// reader that falls behind a fast model catches up with one write instead of one per event.
public struct RunEvents: AsyncSequence, Sendable {
    public typealias Element = [AssistantStreamEvent]

    let inbox: Inbox

    public func makeAsyncIterator() -> Iterator { Iterator(inbox: inbox) }

    public struct Iterator: AsyncIteratorProtocol {
        let inbox: Inbox

        public mutating func next() async -> [AssistantStreamEvent]? {
            let inbox = self.inbox
            return await withTaskCancellationHandler {
                await withCheckedContinuation { inbox.take($0) }
            } onCancel: {
                inbox.close()
            }
        }
    }

    final class Inbox: Sendable {
        private struct State {
            var events: [AssistantStreamEvent] = []
            var waiting: CheckedContinuation<[AssistantStreamEvent]?, Never>?
            var ended = false
        }

        private let state = Mutex(State())
        private let onClose: @Sendable () -> Void

        init(onClose: @escaping @Sendable () -> Void) {
            self.onClose = onClose
        }

        func deliver(_ event: AssistantStreamEvent) {
            let waiting = state.withLock { state -> CheckedContinuation<[AssistantStreamEvent]?, Never>? in
                guard !state.ended else { return nil }
                state.events.append(event)
                if event.endsStream { state.ended = true }
                guard let waiting = state.waiting else { return nil }
                state.waiting = nil
                return waiting
            }
            waiting?.resume(returning: take())
        }

        /// No more events: the reader gets what has arrived, then the end.
        func finish() {
            let waiting = state.withLock { state -> CheckedContinuation<[AssistantStreamEvent]?, Never>? in
                state.ended = true
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: take())
        }

        /// Hands over what has arrived, or parks the reader until something does; nil once ended.
        func take(_ continuation: CheckedContinuation<[AssistantStreamEvent]?, Never>) {
            let ready = state.withLock { state -> [AssistantStreamEvent]?? in
                if !state.events.isEmpty {
                    defer { state.events = [] }
                    return .some(state.events)
                }
                if state.ended { return .some(nil) }
                state.waiting = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }

        private func take() -> [AssistantStreamEvent]? {
            state.withLock { state in
                defer { state.events = [] }
                return state.events.isEmpty && state.ended ? nil : state.events
            }
        }

        /// The reader went away: wake it if parked, and stop receiving.
        func close() {
            let waiting = state.withLock { state in
                state.ended = true
                state.events = []
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: nil)
            onClose()
        }
    }
}
