import Synchronization

/// A run's event on its way to storage.
public protocol OutboxEvent: Sendable {
    var runID: String { get }
}

/// The events a node has published and not yet written, in publish order. One writer takes them in
/// batches: everything that arrived while the previous batch was being written goes in the next one, so a
/// fast model costs one statement per round trip to the database rather than one per token, and an idle
/// node writes an event as soon as it is published.
public final class EventOutbox<Event: OutboxEvent>: Sendable {
    /// The most events one statement carries.
    static var batchLimit: Int { 2000 }

    private struct State {
        var pending: [Event] = []
        /// Events ever enqueued, and ever written (or given up on), in order: `flush` waits for the second
        /// to reach the number of the run's last event.
        var enqueued = 0
        var written = 0
        /// The number of each run's last event not yet written.
        var lastOfRun: [String: Int] = [:]
        var writer: CheckedContinuation<Bool, Never>?
        var flushes: [(through: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var stopped = false
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(_ event: Event) {
        let writer = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.pending.append(event)
            state.enqueued += 1
            state.lastOfRun[event.runID] = state.enqueued
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: true)
    }

    /// The next batch for the writer, waiting for one; nil once stopped with nothing left to write.
    public func next() async -> [Event]? {
        while true {
            if let batch = state.withLock({ Self.take(&$0) }) { return batch }
            let more = await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool? in
                    if !state.pending.isEmpty { return true }
                    if state.stopped { return false }
                    state.writer = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
            if !more { return nil }
        }
    }

    private static func take(_ state: inout State) -> [Event]? {
        guard !state.pending.isEmpty else { return nil }
        let count = min(state.pending.count, batchLimit)
        defer { state.pending.removeFirst(count) }
        return Array(state.pending.prefix(count))
    }

    /// The writer is done with `batch`.
    public func written(_ batch: [Event]) {
        let done = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.written += batch.count
            let written = state.written
            for event in batch where (state.lastOfRun[event.runID] ?? .max) <= written { state.lastOfRun[event.runID] = nil }
            let done = state.flushes.filter { $0.through <= written }.map(\.continuation)
            state.flushes.removeAll { $0.through <= written }
            return done
        }
        for continuation in done { continuation.resume() }
    }

    /// Returns once the run's events enqueued before the call are written.
    public func flush(runID: String) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                guard let last = state.lastOfRun[runID], state.written < last else { return true }
                state.flushes.append((last, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// No more waiting for events: the writer writes what is pending, then stops.
    public func stop() {
        let writer = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.stopped = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: false)
    }

    public var isStopped: Bool { state.withLock { $0.stopped } }
}
