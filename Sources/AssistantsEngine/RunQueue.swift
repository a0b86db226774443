import AssistantsStore
import Metrics

/// Runs this process is to execute, first in first out. Workers wait in `next()` until there is one.
///
/// A run is held from `push` until its worker calls `finished`. Pushed again while held (queued again by
/// a tool output submission while its worker winds down, or cancelled while it waits here), it is not
/// handed to a second worker; `finished` says to execute it once more instead.
actor RunQueue {
    typealias Entry = RunReference

    private var pending: [Entry] = []
    private var waiting: [CheckedContinuation<Entry?, Never>] = []
    private var held: Set<String> = []
    private var again: Set<String> = []
    private var closed = false
    /// `pending.count`, for the metrics endpoint.
    private let depth: Meter

    init(depth: Meter = EngineMetrics.none.queueDepth) {
        self.depth = depth
    }

    /// Runs pushed and not yet finished: waiting here or executing.
    var load: Int { held.count }

    func push(_ entry: Entry) {
        guard !closed else { return }
        guard held.insert(entry.runID).inserted else {
            again.insert(entry.runID)
            return
        }
        if waiting.isEmpty {
            pending.append(entry)
            depth.set(pending.count)
        } else {
            waiting.removeFirst().resume(returning: entry)
        }
    }

    /// The next run, or nil once the queue is closed.
    func next() async -> Entry? {
        if closed { return nil }
        if !pending.isEmpty {
            defer { depth.set(pending.count) }
            return pending.removeFirst()
        }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// A worker is done with `entry`; true when it was pushed again meanwhile and is to execute again.
    func finished(_ entry: Entry) -> Bool {
        held.remove(entry.runID)
        return again.remove(entry.runID) != nil
    }

    /// Stops handing out runs at once (on shutdown); waiting workers get nil. Returns the runs still
    /// pending: they stay `queued` in the store, where the next start (or another node) picks them up.
    func close() -> [Entry] {
        closed = true
        for continuation in waiting { continuation.resume(returning: nil) }
        waiting = []
        defer { pending = []; depth.set(0) }
        return pending
    }
}
