import AssistantsStore
import PostgresNIO

/// Requests per key and minute in PostgreSQL, so that every node counts against one limit: one row per key
/// (its current minute), counted up by one statement. The table is unlogged: after a crash of the database
/// the counts start again, which only forgives the minute it happened in.
public struct PostgresRequestCounter: RequestCounter {
    let store: PostgresStore

    public init(store: PostgresStore) { self.store = store }

    public func count(key: String, window: Int) async throws -> Int {
        try await store.writeStatement { rows in
            let row = try await rows.execute("""
                INSERT INTO request_count (key, window_start, count) VALUES (\(key), \(window), 1)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN request_count.window_start = excluded.window_start THEN request_count.count + 1 ELSE 1 END,
                    window_start = excluded.window_start
                RETURNING count
                """).first
            guard let row else { preconditionFailure("an upsert with RETURNING returns its row") }
            return try row.decode(Int.self)
        }
    }
}
