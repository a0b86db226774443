import AssistantsAPI
import AssistantsStore
import Synchronization

/// A node's subscriptions, each with the last sequence number of its run that it has been given, and the
/// runs that may have events to read (a notification named them, or a poll is due).
///
/// Events reach a subscription from two sides: read back from the table, or straight from this node's
/// writer once they are stored. Both go through `deliver`, which hands a subscription only the events after
/// its cursor, so nothing arrives twice or out of order whichever side comes first.
final class EventSubscriptions: Sendable {
    private struct Subscriber {
        let inbox: RunEvents.Inbox
        var after: Int64
    }

    private struct State {
        var runs: [String: [Int: Subscriber]] = [:]
        var nextToken = 0
        var dirty: Set<String> = []
        var reader: CheckedContinuation<Bool, Never>?
        var stopped = false
    }

    private let state = Mutex(State())

    /// A token for a subscription about to be added.
    func makeToken() -> Int {
        state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
    }

    /// Adds a subscription that has seen the run's events up to `after`.
    func add(runID: String, token: Int, after: Int64, inbox: RunEvents.Inbox) {
        let reader = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.runs[runID, default: [:]][token] = Subscriber(inbox: inbox, after: after)
            // Events stored between reading `after` and now were announced to nobody here: read them.
            return Self.markDirty(runID, &state)
        }
        reader?.resume(returning: true)
    }

    func remove(runID: String, token: Int) {
        state.withLock { state in
            state.runs[runID]?[token] = nil
            if state.runs[runID]?.isEmpty == true { state.runs[runID] = nil }
        }
    }

    /// A notification: the run's events go up to `seq`. Ignored unless a subscription here lacks some.
    func notified(runID: String, seq: Int64) {
        let reader = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let subscribers = state.runs[runID], subscribers.values.contains(where: { $0.after < seq }) else { return nil }
            return Self.markDirty(runID, &state)
        }
        reader?.resume(returning: true)
    }

    /// Every subscribed run is read again: a poll, or notifications may have been missed.
    func markAllDirty() {
        let reader = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            var reader: CheckedContinuation<Bool, Never>?
            for runID in state.runs.keys { reader = Self.markDirty(runID, &state) ?? reader }
            return reader
        }
        reader?.resume(returning: true)
    }

    func markDirty(_ runIDs: some Sequence<String>) {
        let reader = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            var reader: CheckedContinuation<Bool, Never>?
            for runID in runIDs where state.runs[runID] != nil { reader = Self.markDirty(runID, &state) ?? reader }
            return reader
        }
        reader?.resume(returning: true)
    }

    private static func markDirty(_ runID: String, _ state: inout State) -> CheckedContinuation<Bool, Never>? {
        state.dirty.insert(runID)
        defer { state.reader = nil }
        return state.reader
    }

    /// The runs to read, each from the smallest cursor of its subscriptions, waiting for some; nil once
    /// stopped.
    func nextReads() async -> [String: Int64]? {
        while true {
            let reads = state.withLock { state -> [String: Int64]? in
                if state.stopped { return nil }
                var reads: [String: Int64] = [:]
                for runID in state.dirty {
                    if let cursor = state.runs[runID]?.values.map(\.after).min() { reads[runID] = cursor }
                }
                state.dirty = []
                return reads
            }
            guard let reads else { return nil }
            if !reads.isEmpty { return reads }
            let more = await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool? in
                    if state.stopped { return false }
                    if !state.dirty.isEmpty { return true }
                    state.reader = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
            if !more { return nil }
        }
    }

    /// Hands each subscription of the run the events after its cursor. `events` run without a gap from
    /// their first sequence number to their last; `complete` says they are all the run's events after the
    /// smallest cursor (a read), otherwise (the writer's own events) a subscription whose cursor is before
    /// the first has missed some that another node wrote, and the run is read instead.
    func deliver(runID: String, _ events: [NumberedEvent], complete: Bool) {
        guard let first = events.first?.seq, let last = events.last?.seq else { return }
        let reader = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard var subscribers = state.runs[runID] else { return nil }
            var reader: CheckedContinuation<Bool, Never>?
            for (token, var subscriber) in subscribers where subscriber.after < last {
                if !complete && subscriber.after < first - 1 {
                    reader = Self.markDirty(runID, &state) ?? reader
                    continue
                }
                var ended = false
                for event in events where event.seq > subscriber.after {
                    subscriber.inbox.deliver(event.event)
                    subscriber.after = event.seq
                    if event.ends {
                        ended = true
                        break
                    }
                }
                if ended {
                    subscriber.inbox.finish()
                    subscribers[token] = nil
                } else {
                    subscribers[token] = subscriber
                }
            }
            state.runs[runID] = subscribers.isEmpty ? nil : subscribers
            return reader
        }
        reader?.resume(returning: true)
    }

    /// Ends every subscription (the bus is closing) and the reader's wait.
    func stop() {
        let (inboxes, reader) = state.withLock { state in
            state.stopped = true
            let inboxes = state.runs.values.flatMap { $0.values.map(\.inbox) }
            state.runs = [:]
            defer { state.reader = nil }
            return (inboxes, state.reader)
        }
        for inbox in inboxes { inbox.finish() }
        reader?.resume(returning: false)
    }
}
