import Synchronization

/// Counts requests per API key and minute, for the requests-per-minute limit, across every node that
/// shares the store: a limit holds for a key whichever node its requests reach.
public protocol RequestCounter: Sendable {
    /// Counts one request of `key` in the minute starting at `window` (Unix seconds, a multiple of 60) and
    /// returns how many the key has made in that minute, this one included. A key's count starts again at
    /// 1 in each new minute. Atomic: concurrent calls, on any node, each count once.
    func count(key: String, window: Int) async throws -> Int
}

/// The counter of a single node: in memory, one entry per key (its current minute).
public final class InProcessRequestCounter: RequestCounter {
    private let counts = Mutex<[String: (window: Int, count: Int)]>([:])

    public init() {}

    public func count(key: String, window: Int) async throws -> Int {
        counts.withLock { counts in
            let count = counts[key].map { $0.window == window ? $0.count + 1 : 1 } ?? 1
            counts[key] = (window, count)
            return count
        }
    }
}
