import AssistantsAPI
import Synchronization

/// The event bus of a single process: events go straight from the publisher to the subscribers' inboxes,
/// nothing is stored.
public final class InProcessEventBus: RunEventBus {
    private let subscribers = Mutex<[String: [Int: RunEvents.Inbox]]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

    public func subscribe(runID: String) async -> RunEvents {
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

    public func close(runID: String, with event: AssistantStreamEvent) {
        let inboxes = subscribers.withLock { $0.removeValue(forKey: runID).map { Array($0.values) } ?? [] }
        for inbox in inboxes {
            inbox.deliver(event)
            inbox.finish()
        }
    }

    public func publish(_ event: AssistantStreamEvent, runID: String) {
        let inboxes = subscribers.withLock { subscribers in
            let current = subscribers[runID].map { Array($0.values) } ?? []
            if event.endsStream { subscribers[runID] = nil }
            return current
        }
        for inbox in inboxes { inbox.deliver(event) }
    }

    /// Delivery is done when `publish` returns.
    public func flush(runID: String) async {}
}
