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
