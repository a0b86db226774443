import AssistantsAPI

/// Carries a run's stream events from where the run executes to the clients streaming it, wherever they
/// are connected. Events are a live feed, not a record: a subscriber sees what is published from the
/// moment it subscribes, and a run goes on whether anyone listens or not.
///
/// Ordering: a subscriber receives a run's events in one order that every subscriber of the run agrees
/// on, with each event at most once; the events one bus publishes for a run keep the order it published
/// them in. A subscription ends after the first event that ends a stream (`endsStream`), or after the
/// event a `close` sends.
public protocol RunEventBus: Sendable {
    /// The run's events from now on, in batches. Never fails: should the bus be unable to follow the run
    /// (its database is unreachable), the subscription gets an `error` event and ends.
    func subscribe(runID: String) async -> RunEvents

    /// The run's events kept from before the call (see `RunEventRetention`), then, as `subscribe` gives
    /// them, the ones published from now on: one order, each event once, so a client can follow a stream
    /// again from its first event. `kept` ends with the first event that ends a stream, if it holds one, and
    /// `live` is then already over. Never fails: kept events that cannot be read are an `error` event that
    /// ends the subscription, as for `subscribe`.
    func replay(runID: String) async -> ReplayedRunEvents

    /// Sends `event` to the run's subscribers. Returns at once, without waiting for delivery: it is called
    /// for every token a model streams. Events are not lost while the process lives, even when delivery
    /// has to be retried.
    func publish(_ event: AssistantStreamEvent, runID: String)

    /// Ends every subscription of the run, on every node, after `event`: for a run that will publish no
    /// terminal event (it is gone).
    func close(runID: String, with event: AssistantStreamEvent)

    /// Returns once the events this bus has published for the run so far will reach every subscriber, on
    /// every node, before anything published later by anyone. Called before handing a run over to
    /// whichever node executes it, so that the node's events follow the ones that announced the run.
    func flush(runID: String) async
}

/// A subscription that starts with the events published before it.
public struct ReplayedRunEvents: Sendable {
    /// The run's events up to the moment of subscribing, as far as they are kept, in order.
    public var kept: [AssistantStreamEvent]
    /// The events published after them.
    public var live: RunEvents

    public init(kept: [AssistantStreamEvent], live: RunEvents) {
        self.kept = kept
        self.live = live
    }

    /// `events` up to and including the first that ends a stream: what a replay may hand over.
    public static func upToTheEnd(_ events: [AssistantStreamEvent]) -> (events: [AssistantStreamEvent], ended: Bool) {
        guard let end = events.firstIndex(where: \.endsStream) else { return (events, false) }
        return (Array(events[...end]), true)
    }
}
