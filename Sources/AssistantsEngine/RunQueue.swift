
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
        if !pending.isEmpty { return pending.removeFirst() }
        if closed { return nil }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Stops handing out runs; waiting workers get nil. Runs left queued are picked up at the next start.
    func close() {
        closed = true
        for continuation in waiting { continuation.resume(returning: nil) }
        waiting = []
    }
}
