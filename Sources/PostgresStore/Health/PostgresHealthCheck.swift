import AssistantsStore
import Logging
import PostgresNIO
import Synchronization

/// Whether the store's database answers `SELECT 1` within `timeout`. The answer is kept for `reuseFor`, and
/// callers arriving while a check runs wait for that check, so that however often load balancers ask, the
/// database sees at most about one query a second from each node.
public actor PostgresHealthCheck: HealthCheck {
    private let client: PostgresClient
    private let logger: Logger
    private let timeout: Duration
    private let reuseFor: Duration
    private var last: (at: ContinuousClock.Instant, problem: String?)?
    private var running: Task<String?, Never>?

    public init(store: PostgresStore, timeout: Duration = .seconds(2), reuseFor: Duration = .seconds(1)) {
        self.client = store.client
        self.logger = store.logger
        self.timeout = timeout
        self.reuseFor = reuseFor
    }

    public func problem() async -> String? {
        if let last, last.at.duration(to: .now) < reuseFor { return last.problem }
        if let running { return await running.value }
        let check = Task { [client, timeout] in await Self.check(client, timeout: timeout) }
        running = check
        let problem = await check.value
        running = nil
        if problem != last?.problem {
            if let problem { logger.warning("database unreachable", metadata: ["error": "\(problem)"]) }
            else if last != nil { logger.notice("database reachable again") }
        }
        last = (.now, problem)
        return problem
    }

    /// The query's answer, or the timeout's, whichever comes first. At the timeout the query is cancelled
    /// (waiting for a pooled connection stops at once) but not waited for: a query sent on a connection to
    /// a server that stopped answering may hang until the connection breaks, and the answer must not.
    private static func check(_ client: PostgresClient, timeout: Duration) async -> String? {
        await withCheckedContinuation { continuation in
            let first = FirstAnswer(continuation)
            let query = Task {
                do {
                    _ = try await client.query("SELECT 1").collect()
                    first.give(nil)
                } catch {
                    first.give(PostgresStore.describe(error))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                first.give("no answer to SELECT 1 within \(timeout)")
                query.cancel()
            }
        }
    }
}

/// Resumes a continuation once, with the first answer given; later ones are dropped.
private final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<String?, Never>?>

    init(_ continuation: CheckedContinuation<String?, Never>) { self.continuation = Mutex(continuation) }

    func give(_ answer: String?) {
        continuation.withLock { $0.take() }?.resume(returning: answer)
    }
}
