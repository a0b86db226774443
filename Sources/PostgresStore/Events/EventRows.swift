import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresNIO

/// An event on its way to the table, encoded by the publisher so the writer only ships strings.
struct OutgoingEvent: OutboxEvent {
    let runID: String
    let event: AssistantStreamEvent
    let name: String
    let data: String
    /// Sent by `close`: the subscriptions end after it whatever it is.
    let closes: Bool

    init(runID: String, event: AssistantStreamEvent, closes: Bool) throws {
        self.runID = runID
        self.event = event
        self.name = event.name
        self.data = String(decoding: try event.data(), as: UTF8.self)
        self.closes = closes
    }
}

/// An event read back with its place in the run's sequence.
struct NumberedEvent: Sendable {
    let seq: Int64
    let event: AssistantStreamEvent
    let closes: Bool

    var ends: Bool { closes || event.endsStream }
}

/// The statements on `run_event_head` and `run_event`.
///
/// Why a head row per run: events are numbered 1, 2, 3... per run by `run_event_head.seq`, which a batch
/// raises with an upsert. The upsert holds the head's row lock until the batch commits, so the writers of
/// one run (the node executing it, the node where a client submitted tool outputs or cancelled) commit
/// its events one batch after another, in sequence order. A reader asking for the rows after the last
/// sequence number it saw therefore never passes an event that commits later with a smaller number, as
/// it could with one global sequence whose numbers are taken in one order and committed in another.
enum EventRows {
    /// Appends `batch` (in publish order, any number of runs) in one statement, notifying `channel` once
    /// per run with "<last seq> <run id>". Returns each run's last sequence number and event count.
    ///
    /// Heads are locked in run id order, so two nodes appending to the same runs wait rather than deadlock.
    static func append(_ batch: [OutgoingEvent], id: String, channel: String, client: PostgresClient, logger: Logger) async throws -> [String: (last: Int64, count: Int64)] {
        let runIDs = batch.map(\.runID), names = batch.map(\.name), data = batch.map(\.data), closes = batch.map(\.closes)
        let query: PostgresQuery = """
            WITH batch AS (
                SELECT e.run_id, e.name, e.data, e.closes, e.ord
                FROM unnest(\(runIDs)::text[], \(names)::text[], \(data)::text[], \(closes)::bool[])
                    WITH ORDINALITY AS e(run_id, name, data, closes, ord)
            ), counts AS (
                SELECT run_id, count(*) AS n FROM batch GROUP BY run_id
            ), heads AS (
                INSERT INTO run_event_head AS h (run_id, seq)
                SELECT run_id, n FROM counts ORDER BY run_id
                ON CONFLICT (run_id) DO UPDATE SET seq = h.seq + EXCLUDED.seq, updated_at = now(), pruned = false
                RETURNING h.run_id, h.seq
            ), inserted AS (
                INSERT INTO run_event (run_id, seq, name, data, closes, batch)
                SELECT b.run_id, heads.seq - counts.n + row_number() OVER (PARTITION BY b.run_id ORDER BY b.ord),
                    b.name, b.data, b.closes, \(id)
                FROM batch b JOIN heads USING (run_id) JOIN counts USING (run_id)
            ), notified AS (
                SELECT pg_notify(\(channel), seq::text || ' ' || run_id) FROM heads
            )
            SELECT heads.run_id, heads.seq, counts.n, (SELECT count(*) FROM notified)
            FROM heads JOIN counts USING (run_id)
            """
        var heads: [String: (last: Int64, count: Int64)] = [:]
        for try await (runID, last, count, _) in try await client.query(query, logger: logger).decode((String, Int64, Int64, Int64).self) {
            heads[runID] = (last, count)
        }
        return heads
    }

    /// Whether the batch `id` was stored: asked before trying a batch again after an error that may have
    /// come after its commit, so that it is never stored twice.
    static func contains(batch id: String, runID: String, client: PostgresClient, logger: Logger) async throws -> Bool {
        let rows = try await client.query("SELECT 1 FROM run_event WHERE run_id = \(runID) AND batch = \(id) LIMIT 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The run's last sequence number: where a subscription starting now starts.
    static func head(runID: String, client: PostgresClient, logger: Logger) async throws -> Int64 {
        let rows = try await client.query("SELECT seq FROM run_event_head WHERE run_id = \(runID)", logger: logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        return 0
    }

    /// The run's events numbered up to `last`, in order: what a replay gives before the live feed.
    static func events(runID: String, through last: Int64, client: PostgresClient, logger: Logger) async throws -> [NumberedEvent] {
        try await events(after: [runID: 0], client: client, logger: logger)[runID, default: []].filter { $0.seq <= last }
    }

    /// Each run's events after the given sequence number, in order.
    static func events(after cursors: [String: Int64], client: PostgresClient, logger: Logger) async throws -> [String: [NumberedEvent]] {
        let runIDs = Array(cursors.keys), after = runIDs.map { cursors[$0]! }
        let rows = try await client.query("""
            SELECT e.run_id, e.seq, e.name, e.data, e.closes
            FROM unnest(\(runIDs)::text[], \(after)::int8[]) AS w(run_id, seen)
            JOIN run_event e ON e.run_id = w.run_id AND e.seq > w.seen
            ORDER BY e.run_id, e.seq
            """, logger: logger)
        var events: [String: [NumberedEvent]] = [:]
        for try await (runID, seq, name, data, closes) in rows.decode((String, Int64, String, String, Bool).self) {
            // Every stored name is one `AssistantStreamEvent` has: it wrote them.
            guard let event = try AssistantStreamEvent(name: name, data: Data(data.utf8)) else { continue }
            events[runID, default: []].append(NumberedEvent(seq: seq, event: event, closes: closes))
        }
        return events
    }

    /// Deletes the events of the runs `policy` no longer keeps (see `RunEventRetention`), and forgets the
    /// runs themselves a day later. Any node may call it at any time: a run's head row lock orders it with
    /// the run's writers, and a second caller finds nothing left to do.
    static func prune(_ policy: RunEventRetentionPolicy, client: PostgresClient, logger: Logger) async throws {
        let (events, responses) = (
            RunEventRetentionPolicy.milliseconds(policy.events), RunEventRetentionPolicy.milliseconds(policy.backgroundResponses))
        _ = try await client.query("""
            WITH old AS (
                UPDATE run_event_head h SET pruned = true
                WHERE NOT pruned AND updated_at < now() - \(events) * interval '1 millisecond'
                    AND (updated_at < now() - \(responses) * interval '1 millisecond' OR NOT EXISTS (
                        SELECT 1 FROM response r
                        WHERE r.run_id = h.run_id AND r.body IS NOT NULL AND (r.body->>'background')::boolean))
                RETURNING run_id
            )
            DELETE FROM run_event WHERE run_id IN (SELECT run_id FROM old)
            """, logger: logger).collect()
        // A run forgotten too early would number its events from 1 again under a subscription that has
        // seen more: no stream stays open for a day without an event.
        _ = try await client.query(
            "DELETE FROM run_event_head WHERE pruned AND updated_at < now() - interval '1 day'", logger: logger
        ).collect()
    }
}
