import AssistantsAPI

/// How long runs' stream events stay kept once published, so that a background response's stream can be
/// followed again from its first event (`RunEventBus.replay`, `GET /responses/{id}?stream=true`).
///
/// A run's events are kept for `Policy.events` after its last one; those of a run backing a background
/// response for `Policy.backgroundResponses` after its last one, or until the response is deleted (the
/// store's `deleteResponse` deletes them with it). Pruning drops all of a run's events at once, never some.
public protocol RunEventRetention: Sendable {
    /// Deletes the events of the runs `policy` no longer keeps. Any node may call it at any time; a run
    /// still publishing keeps its events. Throws what the database throws; a call that throws may have
    /// pruned some runs and not others.
    func pruneEvents(_ policy: RunEventRetentionPolicy) async throws
}

/// How long kept events stay after a run's last one.
public struct RunEventRetentionPolicy: Sendable, Equatable {
    /// Any run's: long enough for a subscriber that fell behind to catch up.
    public var events: Duration
    /// A background response's run's: long enough for its client to come back to it.
    public var backgroundResponses: Duration

    public init(events: Duration = .seconds(300), backgroundResponses: Duration = .seconds(24 * 3600)) {
        self.events = events
        self.backgroundResponses = backgroundResponses
    }

    /// `duration` in whole milliseconds, as the stores compare times.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// Where a one-process bus keeps the events it publishes (`InProcessEventBus`): each event under a
/// position that only grows, across restarts, so that a replay can take exactly the events published before
/// a subscription (positions up to a mark) and leave the rest to the live feed.
public protocol RunEventLog: RunEventRetention {
    /// The largest position stored, 0 when none: the bus numbers the events it publishes after it. Read
    /// once, when the bus is made, so synchronously. Throws what the database throws.
    func lastEventPosition() throws -> Int
    /// Stores the events in one transaction, timed now for retention; each position is larger than any
    /// stored. Throws what the database throws, storing nothing then.
    func appendEvents(_ events: [LoggedRunEvent]) async throws
    /// The run's stored events at positions up to `through`, in position order; none for a run it has
    /// no events of (unknown, pruned or deleted with its response). Throws what the database throws.
    func events(runID: String, through: Int) async throws -> [AssistantStreamEvent]
}

/// An event as a one-process bus logs it.
public struct LoggedRunEvent: OutboxEvent {
    public let position: Int
    public let runID: String
    public let event: AssistantStreamEvent

    public init(position: Int, runID: String, event: AssistantStreamEvent) {
        self.position = position
        self.runID = runID
        self.event = event
    }
}
