/// Whether what the server's records live in can be reached: what `GET /health` reports, so that a load
/// balancer stops sending requests to a node that has lost its database.
///
/// Load balancers call it every few seconds on every node: an implementation answers within a few seconds
/// whatever state the database is in, and may answer from a result a second or so old.
public protocol HealthCheck: Sendable {
    /// Nil when the storage answers; otherwise what is wrong, for the operator's log (it may name hosts and
    /// ports, so it is not for clients). Never throws: failing is its answer.
    func problem() async -> String?
}

/// Storage inside this process (SQLite): once open, it is there.
public struct InProcessHealthCheck: HealthCheck {
    public init() {}

    public func problem() async -> String? { nil }
}
