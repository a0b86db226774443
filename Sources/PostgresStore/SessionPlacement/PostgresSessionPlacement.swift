import AssistantsStore
import PostgresNIO

/// Session placement for nodes sharing one PostgreSQL database: a row of `code_session` names the
/// incarnation holding a session (see `PostgresWorkDispatch`, whose claims follow it). A session's key is a
/// thread's id (`code_session.thread_id`), or a container's for the code of responses. Recovery
/// of a stopped incarnation, and an incarnation leaving, set its rows' incarnation to NULL: the session
/// was lost, which the next node to start one learns.
public struct PostgresSessionPlacement: SessionPlacement {
    private let store: PostgresStore
    private let incarnation: String

    init(store: PostgresStore, incarnation: String) {
        self.store = store
        self.incarnation = incarnation
    }

    public func sessionStarting(threadID: String) async throws -> Bool {
        try await store.write { rows in
            let earlier = try await rows.execute("SELECT incarnation FROM code_session WHERE thread_id = \(threadID) FOR UPDATE")
                .first.map { try $0.decode(String?.self) }
            try await rows.execute("""
                INSERT INTO code_session (thread_id, incarnation) VALUES (\(threadID), \(incarnation))
                ON CONFLICT (thread_id) DO UPDATE SET incarnation = EXCLUDED.incarnation
                """)
            // Another incarnation's session (NULL: recovered) is gone: dispatch hands the thread's runs to a
            // live holder, so this one is not.
            guard let earlier else { return false }
            return earlier != incarnation
        }
    }

    public func sessionsToEnd(among threadIDs: [String]) async throws -> [String] {
        guard !threadIDs.isEmpty else { return [] }
        return try await store.write { rows in
            let ended = try await rows.execute("""
                SELECT held FROM unnest(\(threadIDs)::text[]) AS held
                WHERE NOT EXISTS (
                    SELECT 1 FROM code_session WHERE code_session.thread_id = held AND code_session.incarnation = \(incarnation)
                        AND \(unescaped: liveSessionKey("held")))
                """).map { try $0.decode(String.self) }
            if !ended.isEmpty {
                try await rows.execute("DELETE FROM code_session WHERE thread_id = ANY(\(ended)) AND incarnation = \(incarnation)")
            }
            return ended
        }
    }

    public func threadDeleted(_ threadID: String) async throws {
        try await store.writeStatement { rows in
            try await rows.execute("DELETE FROM code_session WHERE thread_id = \(threadID)")
        }
    }
}

/// SQL true while the session key `key` (an SQL expression) names a live thread or a running container:
/// its session is still wanted.
func liveSessionKey(_ key: String) -> String {
    """
    (EXISTS (SELECT 1 FROM thread WHERE thread.id = \(key) AND thread.body IS NOT NULL)
        OR EXISTS (SELECT 1 FROM container WHERE container.id = \(key) AND container.body IS NOT NULL AND container.expires_at IS NOT NULL))
    """
}
