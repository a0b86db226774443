import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The event bus of nodes sharing one PostgreSQL database: a client streams a run from any node, whichever
/// node executes it.
///
/// Publishing appends the event to `run_event`, numbered per run (see `EventRows`), in batches written by
/// one writer per node (see `EventOutbox`); each batch notifies a channel with the runs it extended. Each
/// node keeps one connection listening on that channel for all its subscriptions, and reads the rows after
/// the last sequence number each subscription has seen: so a missed notification loses nothing, it only
/// waits for the next poll (`Options.pollInterval`), and a row read twice is handed over once. Events
/// published on the node a client streams from are handed over as soon as they are stored, without a read.
///
/// Runs' events are kept as `RunEventRetention` says (`PostgresStore.pruneEvents`), so that `replay` can
/// give a run's events from its first one.
///
/// Created from a `PostgresStore` (same database, schema and pool); its background work starts at once
/// and ends on `close()`, or, run as a `Service`, when the service group shuts down: list it after the
/// store and before the services that publish, so that it writes their last events before it stops.
public final class PostgresEventBus: RunEventBus, Service {
    public struct Options: Sendable {
        /// How often subscribed runs are read without being notified.
        public var pollInterval: Duration
        /// Whether to listen for notifications; without, subscriptions rely on polling alone.
        public var listens: Bool

        public init(pollInterval: Duration = .milliseconds(500), listens: Bool = true) {
            self.pollInterval = pollInterval
            self.listens = listens
        }
    }

    private let client: PostgresClient
    private let logger: Logger
    private let outbox: EventOutbox<OutgoingEvent>
    private let subscriptions: EventSubscriptions
    private let writer: Task<Void, Never>
    private let background: Task<Void, Never>

    public init(store: PostgresStore, options: Options = .init()) {
        let (client, logger, outbox, subscriptions) = (store.client, store.logger, EventOutbox<OutgoingEvent>(), EventSubscriptions())
        // One channel per schema: notifications are database-wide.
        let channel = "run_events" + (store.schema.map { "_" + $0 } ?? "")
        self.client = client
        self.logger = logger
        self.outbox = outbox
        self.subscriptions = subscriptions
        writer = Task.detached {
            while let batch = await outbox.next() {
                await Self.write(batch, channel: channel, outbox: outbox, subscriptions: subscriptions, client: client, logger: logger)
                outbox.written(batch)
            }
        }
        background = Task.detached {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.read(subscriptions: subscriptions, client: client, logger: logger) }
                if options.listens {
                    group.addTask { await Self.listen(channel: channel, subscriptions: subscriptions, client: client, logger: logger) }
                }
                group.addTask {
                    while (try? await Task.sleep(for: options.pollInterval)) != nil { subscriptions.markAllDirty() }
                }
            }
        }
    }

    deinit {
        outbox.stop()
        subscriptions.stop()
        background.cancel()
    }

    // MARK: RunEventBus

    public func subscribe(runID: String) async -> RunEvents {
        RunEvents(inbox: await subscription(runID: runID).inbox)
    }

    /// Subscribes from the run's head, then reads the events up to it: the live feed starts after the last
    /// of them, so none is missed or given twice.
    public func replay(runID: String) async -> ReplayedRunEvents {
        let (inbox, token, head) = await subscription(runID: runID)
        let live = RunEvents(inbox: inbox)
        guard let head, head > 0 else { return ReplayedRunEvents(kept: [], live: live) }
        // Nothing more will come for it: the subscription goes at once rather than be read at every poll.
        let end = { [subscriptions] in
            subscriptions.remove(runID: runID, token: token)
            inbox.finish()
        }
        do {
            let stored = try await EventRows.events(runID: runID, through: head, client: client, logger: logger)
            var kept: [AssistantStreamEvent] = []
            for event in stored {
                kept.append(event.event)
                if event.ends {
                    end()
                    break
                }
            }
            return ReplayedRunEvents(kept: kept, live: live)
        } catch {
            logger.error("Could not read a run's kept events", metadata: ["run_id": "\(runID)", "error": "\(logged(error))"])
            end()
            return ReplayedRunEvents(kept: [Self.unreachable], live: live)
        }
    }

    private static let unreachable = AssistantStreamEvent.error(.init(
        message: "The run's events could not be followed: the database is unreachable. Retrieve the run to see how it goes on.",
        type: "server_error", param: nil, code: "server_error"))

    /// A subscription from the run's head, and that head; nil when it could not be read (the subscription
    /// has ended with an error event).
    private func subscription(runID: String) async -> (inbox: RunEvents.Inbox, token: Int, head: Int64?) {
        // What this node published for the run before the call is not "from now": let it be numbered first.
        await outbox.flush(runID: runID)
        let subscriptions = subscriptions
        let token = subscriptions.makeToken()
        let inbox = RunEvents.Inbox { subscriptions.remove(runID: runID, token: token) }
        do {
            let head = try await EventRows.head(runID: runID, client: client, logger: logger)
            subscriptions.add(runID: runID, token: token, after: head, inbox: inbox)
            return (inbox, token, head)
        } catch {
            logger.error("Could not subscribe to a run's events", metadata: ["run_id": "\(runID)", "error": "\(logged(error))"])
            inbox.deliver(Self.unreachable)
            inbox.finish()
            return (inbox, token, nil)
        }
    }

    public func publish(_ event: AssistantStreamEvent, runID: String) {
        enqueue(event, runID: runID, closes: false)
    }

    public func close(runID: String, with event: AssistantStreamEvent) {
        enqueue(event, runID: runID, closes: true)
    }

    public func flush(runID: String) async {
        await outbox.flush(runID: runID)
    }

    private func enqueue(_ event: AssistantStreamEvent, runID: String, closes: Bool) {
        do {
            outbox.enqueue(try OutgoingEvent(runID: runID, event: event, closes: closes))
        } catch {
            logger.error("A run event could not be encoded", metadata: ["run_id": "\(runID)", "event": "\(event.name)", "error": "\(error)"])
        }
    }

    // MARK: Lifecycle

    /// Writes what is still to write, then ends every subscription on this node and stops.
    public func close() async {
        outbox.stop()
        await writer.value
        subscriptions.stop()
        background.cancel()
        await background.value
    }

    /// Runs until the service group shuts down, then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: Background work

    /// Stores a batch, trying again until it is stored (events must not be lost while the database is
    /// briefly away), or, once the bus is closing, giving up after a few tries.
    private static func write(
        _ batch: [OutgoingEvent], channel: String, outbox: EventOutbox<OutgoingEvent>, subscriptions: EventSubscriptions,
        client: PostgresClient, logger: Logger
    ) async {
        let id = UUID().uuidString
        var attempts = 0
        while true {
            do {
                // An error may have come after the commit: look before storing the batch a second time.
                if attempts > 0, try await EventRows.contains(batch: id, runID: batch[0].runID, client: client, logger: logger) {
                    subscriptions.markDirty(Set(batch.map(\.runID)))
                    return
                }
                let heads = try await EventRows.append(batch, id: id, channel: channel, client: client, logger: logger)
                deliver(batch, heads: heads, to: subscriptions)
                return
            } catch {
                attempts += 1
                if outbox.isStopped && attempts >= 3 {
                    logger.error("Run events were lost: the database is unreachable", metadata: ["count": "\(batch.count)", "error": "\(logged(error))"])
                    return
                }
                logger.warning("Storing run events failed, trying again", metadata: ["error": "\(logged(error))"])
                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(attempts, 6))))
            }
        }
    }

    /// Hands this node's subscriptions the batch they follow, numbered as stored.
    private static func deliver(_ batch: [OutgoingEvent], heads: [String: (last: Int64, count: Int64)], to subscriptions: EventSubscriptions) {
        var byRun: [String: [AssistantStreamEvent]] = [:]
        var closing: [String: [Bool]] = [:]
        for event in batch {
            byRun[event.runID, default: []].append(event.event)
            closing[event.runID, default: []].append(event.closes)
        }
        for (runID, events) in byRun {
            guard let head = heads[runID] else { continue }
            let first = head.last - head.count + 1
            let numbered = zip(events, closing[runID]!).enumerated().map { index, pair in
                NumberedEvent(seq: first + Int64(index), event: pair.0, closes: pair.1)
            }
            subscriptions.deliver(runID: runID, numbered, complete: false)
        }
    }

    /// Reads the runs that may have new events, one statement for all of them, until stopped.
    private static func read(subscriptions: EventSubscriptions, client: PostgresClient, logger: Logger) async {
        while let reads = await subscriptions.nextReads() {
            do {
                let events = try await EventRows.events(after: reads, client: client, logger: logger)
                for (runID, events) in events { subscriptions.deliver(runID: runID, events, complete: true) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("Reading run events failed, trying again", metadata: ["error": "\(logged(error))"])
                subscriptions.markDirty(reads.keys)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Listens on one pooled connection for the whole node; listens again when the connection is lost.
    private static func listen(channel: String, subscriptions: EventSubscriptions, client: PostgresClient, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        // Whatever was stored while nobody listened.
                        subscriptions.markAllDirty()
                        for try await notification in notifications {
                            let parts = notification.payload.split(separator: " ", maxSplits: 1)
                            guard parts.count == 2, let seq = Int64(parts[0]) else { continue }
                            subscriptions.notified(runID: String(parts[1]), seq: seq)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("Listening for run events failed, listening again", metadata: ["error": "\(logged(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// An error as the log shows it: the server's message without the statement, whose bound values would be
/// a whole batch of events.
private func logged(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return String(reflecting: error) }
    if let message = error.serverInfo?[.message] { return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))" }
    return "\(error.code)"
}
