import AssistantsAPI
import Logging
import ServiceLifecycle
import Synchronization

/// The event bus of a single process: events go straight from the publisher to the subscribers' inboxes.
///
/// With a `log`, every event is also kept there, numbered by a position that grows across restarts and
/// written in batches by one writer (`EventOutbox`), so that `replay` can give a run's events from its first
/// one: it marks the last position published, waits until the log holds it, and reads the run's events up
/// to the mark, while the ones published after the mark reach the new subscriber live. Without a log nothing
/// is kept and `replay` gives the live events only.
///
/// Run it as a `Service` (after the log's store, before the services that publish) so that it writes the
/// last events before the process stops.
public final class InProcessEventBus: RunEventBus, Service {
    private struct State {
        var subscribers: [String: [Int: RunEvents.Inbox]] = [:]
        var nextToken = 0
        /// The position of the last event published (kept only with a log).
        var position: Int
    }

    private let state: Mutex<State>
    private let log: (any RunEventLog)?
    private let outbox: EventOutbox<LoggedRunEvent>
    private let writer: Task<Void, Never>?
    private let logger: Logger

    /// A bus that keeps nothing.
    public convenience init() {
        self.init(state: State(position: 0), log: nil, logger: Logger(label: "events"))
    }

    /// A bus that keeps every event in `log`. Throws what reading the log's last position throws.
    public convenience init(log: any RunEventLog, logger: Logger) throws {
        self.init(state: State(position: try log.lastEventPosition()), log: log, logger: logger)
    }

    private init(state: State, log: (any RunEventLog)?, logger: Logger) {
        let outbox = EventOutbox<LoggedRunEvent>()
        self.state = Mutex(state)
        self.log = log
        self.logger = logger
        self.outbox = outbox
        writer = log.map { log in
            Task.detached {
                while let batch = await outbox.next() {
                    await Self.write(batch, to: log, outbox: outbox, logger: logger)
                    outbox.written(batch)
                }
            }
        }
    }

    deinit {
        outbox.stop()
    }

    public func subscribe(runID: String) async -> RunEvents {
        RunEvents(inbox: register(runID: runID).inbox)
    }

    /// Ends a subscription that will get nothing more.
    private func end(_ inbox: RunEvents.Inbox, token: Int, runID: String) {
        forget(token: token, runID: runID)
        inbox.finish()
    }

    private func forget(token: Int, runID: String) {
        state.withLock { state in
            state.subscribers[runID]?[token] = nil
            if state.subscribers[runID]?.isEmpty == true { state.subscribers[runID] = nil }
        }
    }

    public func replay(runID: String) async -> ReplayedRunEvents {
        let (inbox, token, mark) = register(runID: runID)
        guard let log else { return ReplayedRunEvents(kept: [], live: RunEvents(inbox: inbox)) }
        // Every event of the run up to the mark was enqueued before it was taken: once written, the log
        // holds them, and the inbox has what came after.
        await outbox.flush(runID: runID)
        do {
            let (kept, ended) = ReplayedRunEvents.upToTheEnd(try await log.events(runID: runID, through: mark))
            if ended { end(inbox, token: token, runID: runID) }
            return ReplayedRunEvents(kept: kept, live: RunEvents(inbox: inbox))
        } catch {
            logger.error("Could not read a run's kept events", metadata: ["run_id": "\(runID)", "error": "\(error)"])
            end(inbox, token: token, runID: runID)
            return ReplayedRunEvents(
                kept: [.error(.init(message: "The run's events could not be read. Retrieve it to see how it goes on.", type: "server_error", param: nil, code: "server_error"))],
                live: RunEvents(inbox: inbox))
        }
    }

    /// A new subscriber of the run, and the position of the last event published before it.
    private func register(runID: String) -> (inbox: RunEvents.Inbox, token: Int, mark: Int) {
        state.withLock { state in
            state.nextToken += 1
            let token = state.nextToken
            let inbox = RunEvents.Inbox { [weak self] in self?.forget(token: token, runID: runID) }
            state.subscribers[runID, default: [:]][token] = inbox
            return (inbox, token, state.position)
        }
    }

    public func close(runID: String, with event: AssistantStreamEvent) {
        let inboxes = state.withLock { $0.subscribers.removeValue(forKey: runID).map { Array($0.values) } ?? [] }
        for inbox in inboxes {
            inbox.deliver(event)
            inbox.finish()
        }
    }

    public func publish(_ event: AssistantStreamEvent, runID: String) {
        // Numbered, logged and delivered under one lock: the log's order is the order subscribers see, and
        // a replay's mark falls between two events, never inside one.
        state.withLock { state in
            if log != nil {
                state.position += 1
                outbox.enqueue(LoggedRunEvent(position: state.position, runID: runID, event: event))
            }
            for inbox in state.subscribers[runID].map({ Array($0.values) }) ?? [] { inbox.deliver(event) }
            if event.endsStream { state.subscribers[runID] = nil }
        }
    }

    /// Delivery is done when `publish` returns.
    public func flush(runID: String) async {}

    /// Writes what is still to write, then stops writing.
    public func close() async {
        outbox.stop()
        await writer?.value
    }

    /// Runs until the service group shuts down, then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Stores a batch, trying again a few times (the database may be busy), then giving up on it: events
    /// are a feed first, the log only helps clients that come back.
    private static func write(_ batch: [LoggedRunEvent], to log: any RunEventLog, outbox: EventOutbox<LoggedRunEvent>, logger: Logger) async {
        for attempt in 1...5 {
            do {
                return try await log.appendEvents(batch)
            } catch {
                if attempt == 5 {
                    logger.error("Run events were not kept", metadata: ["count": "\(batch.count)", "error": "\(error)"])
                } else {
                    try? await Task.sleep(for: .milliseconds(50 << attempt))
                }
            }
        }
    }
}
