import Synchronization

/// Point reads by key that arrive while one is in flight are answered together by the next statement, one
/// round trip for all of them instead of one each.
///
/// Why: clients poll. Every SDK's `create_and_poll` reads its run again and again until it ends, and with
/// many clients polling, those reads outnumber everything else a node sends its database. Each is a round
/// trip to a backend process sharing the node's cores.
///
/// The answers stay exact: a read waiting here is answered by a statement that starts after it arrived, so
/// it sees every write committed before it was asked (a cancel made through another node, say), as a
/// statement of its own would. A read that arrives while nothing is in flight starts at once.
final class CoalescedReads<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    typealias Fetch = @Sendable ([Key]) async throws -> [Key: Value]

    private struct State {
        var waiting: [Key: [CheckedContinuation<Value?, any Error>]] = [:]
        var fetching = false
    }

    private let fetch: Fetch
    private let state = Mutex(State())

    /// `fetch` reads the values of the keys it is given, leaving out those that name nothing. It runs
    /// detached, outside the task-local context of any reader (its project, its log metadata).
    init(_ fetch: @escaping Fetch) { self.fetch = fetch }

    func value(for key: Key) async throws -> Value? {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting[key, default: []].append(continuation)
                guard !state.fetching else { return false }
                state.fetching = true
                return true
            }
            guard starts else { return }
            Task.detached { await self.drain() }
        }
    }

    /// How many reads wait for the next fetch (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.values.reduce(0) { $0 + $1.count } } }

    /// Fetches until nothing waits: each statement answers whatever arrived while the one before it ran.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                guard !state.waiting.isEmpty else {
                    state.fetching = false
                    return [Key: [CheckedContinuation<Value?, any Error>]]()
                }
                defer { state.waiting = [:] }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            do {
                let values = try await fetch(Array(batch.keys))
                for (key, continuations) in batch {
                    for continuation in continuations { continuation.resume(returning: values[key]) }
                }
            } catch {
                for continuation in batch.values.joined() { continuation.resume(throwing: error) }
            }
        }
    }
}
