import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

/// The `run_event` table: where the one-process bus keeps the events it publishes (`InProcessEventBus`).
extension SQLiteStore: RunEventLog {
    public func lastEventPosition() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM run_event") ?? 0 }
    }

    public func appendEvents(_ events: [LoggedRunEvent]) async throws {
        // Encoded before the write transaction, which other writers wait for.
        let rows = try events.map { ($0.position, $0.runID, $0.event.name, try $0.event.data()) }
        let at = Self.milliseconds(Date())
        try await database.write { db in
            let insert = try db.makeStatement(sql: "INSERT INTO run_event (position, run_id, name, data, at) VALUES (?, ?, ?, ?, ?)")
            for (position, runID, name, data) in rows {
                try insert.execute(arguments: [position, runID, name, data, at])
            }
        }
    }

    public func events(runID: String, through position: Int) async throws -> [AssistantStreamEvent] {
        let rows = try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT name, data FROM run_event WHERE run_id = ? AND position <= ? ORDER BY position",
                arguments: [runID, position])
        }
        // Every stored name is one `AssistantStreamEvent` has: it wrote them.
        return try rows.compactMap { row in
            let (name, data): (String, Data) = (row["name"], row["data"])
            return try AssistantStreamEvent(name: name, data: data)
        }
    }

    public func pruneEvents(_ policy: RunEventRetentionPolicy) async throws {
        let now = Self.milliseconds(Date())
        let (events, responses) = (
            now - RunEventRetentionPolicy.milliseconds(policy.events), now - RunEventRetentionPolicy.milliseconds(policy.backgroundResponses))
        try await database.write { db in
            try db.execute(
                sql: """
                    WITH last AS (SELECT run_id, max(at) AS at FROM run_event GROUP BY run_id)
                    DELETE FROM run_event WHERE run_id IN (
                        SELECT run_id FROM last WHERE at < ? AND (at < ? OR NOT EXISTS (
                            SELECT 1 FROM response WHERE response.run_id = last.run_id AND response.body IS NOT NULL
                                AND json_extract(CAST(response.body AS TEXT), '$.background') = 1)))
                    """,
                arguments: [events, responses])
        }
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
}
