import Foundation

/// Where the time of day comes from: every `created_at`, `expires_at` and deadline is read from one clock,
/// chosen at the composition root, so that tests can move time instead of waiting for it.
///
/// Leases between nodes do not use it: PostgreSQL's own clock times those, so that nodes whose clocks
/// disagree still agree on who holds what.
public protocol WallClock: Sendable {
    /// Unix seconds, as every `created_at` is.
    func now() -> Int
}

/// The system's clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Int { Int(Date().timeIntervalSince1970) }
}

extension WallClock where Self == SystemClock {
    /// The system's clock.
    public static var system: SystemClock { SystemClock() }
}
