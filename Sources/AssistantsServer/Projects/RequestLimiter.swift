import AssistantsAPI
import AssistantsStore

/// The requests-per-minute limit: each key's requests are counted per minute of the clock (`RequestCounter`,
/// shared by every node of a cluster), and those over its limit are refused until the next minute starts.
public struct RequestLimiter: Sendable {
    let counter: any RequestCounter
    let clock: any WallClock

    public init(counter: any RequestCounter, clock: any WallClock) {
        self.counter = counter
        self.clock = clock
    }

    /// Throws `APIError.rateLimited`, with the seconds left in the minute, for a request over the limit.
    func admit(_ caller: Caller) async throws {
        guard let limit = caller.requestsPerMinute else { return }
        let now = clock.now()
        let window = now - now % 60
        guard try await counter.count(key: caller.key, window: window) > limit else { return }
        throw APIError.rateLimited(limit: limit, retryAfter: window + 60 - now)
    }
}
