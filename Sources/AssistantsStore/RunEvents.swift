import AssistantsAPI
import Synchronization

/// A subscriber's events, read in batches: everything published since the reader last asked, so a
/// reader that falls behind a fast model catches up with one write instead of one per event.
public struct RunEvents: AsyncSequence, Sendable {
    public typealias Element = [AssistantStreamEvent]

    let inbox: Inbox

    /// The events `inbox` receives.
    public init(inbox: Inbox) { self.inbox = inbox }

    public func makeAsyncIterator() -> Iterator { Iterator(inbox: inbox) }

    /// The reader is done before the subscription ended: the bus forgets it.
    public func close() { inbox.close() }

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

    /// Where a bus puts a subscriber's events until the subscriber reads them. It stops taking events
    /// after one that ends a stream, after `finish`, or once the reader has gone away.
    public final class Inbox: Sendable {
        private struct State {
            var events: [AssistantStreamEvent] = []
            var waiting: CheckedContinuation<[AssistantStreamEvent]?, Never>?
            var ended = false
        }

        private let state = Mutex(State())
        private let onClose: @Sendable () -> Void

        /// `onClose` is called once the reader has gone away (its task was cancelled): the bus forgets it.
        public init(onClose: @escaping @Sendable () -> Void) {
            self.onClose = onClose
        }

        public func deliver(_ event: AssistantStreamEvent) {
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
        public func finish() {
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
