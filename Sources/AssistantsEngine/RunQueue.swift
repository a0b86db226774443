
/// Runs waiting for a worker, first in first out. Workers wait in `next()` until there is one.
actor RunQueue {
    struct Entry: Sendable, Hashable {
        var runID: String
        var threadID: String
    }

    private var pending: [Entry] = []
    private var waiting: [CheckedContinuation<Entry?, Never>] = []
    private var closed = false

    func push(_ entry: Entry) {
        guard !closed else { return }
        if waiting.isEmpty {
            pending.append(entry)
        } else {
            waiting.removeFirst().resume(returning: entry)
        }
    }

    /// The next run, or nil once the queue is closed.
    func next() async -> Entry? {
        if closed { return nil }
        if !pending.isEmpty { return pending.removeFirst() }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Stops handing out runs at once (on shutdown); waiting workers get nil. Runs still pending stay
    /// `queued` in the store, where the next start picks them up.
    func close() {
        closed = true
        for continuation in waiting { continuation.resume(returning: nil) }
        waiting = []
    }
}
