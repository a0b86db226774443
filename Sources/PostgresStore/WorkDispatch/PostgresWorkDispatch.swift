import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Dispatch for nodes sharing one PostgreSQL database.
///
/// Each process is one incarnation of its node: a row of `node` with a heartbeat this service refreshes. A
/// run or a vector store file belongs to the incarnation named in its `owner` column. An incarnation is
/// alive while its heartbeat is younger than `leaseTTL` (by the database's clock, so nodes' clocks do not
/// matter). A node that starts declares its earlier incarnations over at once, so a restarted node recovers
/// its own leftovers without waiting for their lease to run out.
///
/// Claims are single `UPDATE ... RETURNING` statements that only take rows owned by none (`FOR UPDATE SKIP
/// LOCKED` for batches): two nodes never get one row. Recovery runs in one transaction under the row lock of
/// `sweep`'s `nodes.recovery` row, so one node at a time does it.
///
/// A thread whose code interpreter session a live incarnation holds (`code_session`, see
/// `PostgresSessionPlacement`) has its runs claimed by that incarnation only, which takes them on its next
/// poll without the hand-off delay.
public final class PostgresWorkDispatch: WorkDispatch, Service {
    public struct Configuration: Sendable {
        public var nodeID: String
        /// How long a node's work stays its own after its last heartbeat.
        public var leaseTTL: Duration
        /// How often the heartbeat is refreshed: well within `leaseTTL`.
        public var heartbeatInterval: Duration
        /// How often the engine looks for waiting runs and for cancels of the runs it executes.
        public var pollInterval: Duration
        /// How long a run just queued is left to the node that queued it before the others may take it: that
        /// node claims it at once, and its clients' streams and the thread's code interpreter session are there.
        public var handOffDelay: Duration

        public init(
            nodeID: String, leaseTTL: Duration = .seconds(15), heartbeatInterval: Duration? = nil,
            pollInterval: Duration = .milliseconds(250), handOffDelay: Duration = .seconds(1)
        ) {
            self.nodeID = nodeID
            self.leaseTTL = leaseTTL
            self.heartbeatInterval = heartbeatInterval ?? leaseTTL / 5
            self.pollInterval = pollInterval
            self.handOffDelay = handOffDelay
        }
    }

    public var nodeID: String { configuration.nodeID }
    public var pollInterval: Duration? { configuration.pollInterval }
    /// This process's incarnation of the node: what `owner` columns name.
    public let incarnation: String
    let configuration: Configuration
    private let store: PostgresStore
    private var logger: Logger { store.logger }
    private var ttl: Double { configuration.leaseTTL.seconds }

    /// Joins the cluster as a new incarnation of `configuration.nodeID`; earlier incarnations of the node
    /// are over from now on. Run the service to keep the heartbeat going.
    public init(store: PostgresStore, configuration: Configuration) async throws {
        self.store = store
        self.configuration = configuration
        incarnation = "\(configuration.nodeID)/\(UUID().uuidString.lowercased())"
        try await store.write { rows in
            try await rows.execute("UPDATE node SET heartbeat_at = '-infinity' WHERE node_id = \(configuration.nodeID)")
            try await rows.execute("INSERT INTO node (incarnation, node_id) VALUES (\(incarnation), \(configuration.nodeID))")
        }
        store.logger.info("node joined", metadata: ["node_id": "\(configuration.nodeID)", "incarnation": "\(incarnation)"])
    }

    /// Keeps the heartbeat until the service group shuts down (it shuts down after the services that use
    /// it), then leaves: waiting work goes to other nodes at once, and runs still executing are theirs to
    /// recover.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.configuration.heartbeatInterval)
                do {
                    try await self.heartbeat()
                } catch {
                    self.logger.error("node heartbeat failed", metadata: ["node_id": "\(self.nodeID)", "error": "\(error)"])
                }
            }
        }
        // A fresh task: leaving must happen even when this one was cancelled.
        await Task { await self.leave() }.value
    }

    /// Refreshes this incarnation's heartbeat. If it had already run out, other nodes may have taken its
    /// work; it is back from now on, with whatever it claims afresh.
    public func heartbeat() async throws {
        let refreshed = try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE node SET heartbeat_at = now() WHERE incarnation = \(incarnation) AND heartbeat_at > now() - make_interval(secs => \(ttl))
                RETURNING incarnation
                """).isEmpty == false
        }
        guard !refreshed else { return }
        logger.warning("node heartbeat had run out: other nodes may have taken over its work", metadata: ["node_id": "\(nodeID)"])
        try await store.writeStatement { rows in
            try await rows.execute("""
                INSERT INTO node (incarnation, node_id) VALUES (\(incarnation), \(nodeID))
                ON CONFLICT (incarnation) DO UPDATE SET heartbeat_at = now()
                """)
        }
    }

    /// Hands waiting work to other nodes and declares this incarnation over.
    func leave() async {
        do {
            try await store.write { rows in
                try await rows.execute("UPDATE run SET owner = NULL WHERE owner = \(incarnation) AND status IN ('queued', 'cancelling')")
                try await rows.execute("UPDATE vector_store_file SET owner = NULL WHERE owner = \(incarnation)")
                // Its code interpreter sessions end with the process.
                try await rows.execute("UPDATE code_session SET incarnation = NULL WHERE incarnation = \(incarnation)")
                try await rows.execute("UPDATE node SET heartbeat_at = '-infinity' WHERE incarnation = \(incarnation)")
            }
            logger.info("node left", metadata: ["node_id": "\(nodeID)"])
        } catch {
            logger.error("leaving the cluster failed; other nodes take over once the lease runs out", metadata: ["error": "\(error)"])
        }
    }

    /// Where this incarnation's threads' code interpreter sessions are recorded, for claims to follow.
    public func makeSessionPlacement() -> PostgresSessionPlacement {
        PostgresSessionPlacement(store: store, incarnation: incarnation)
    }

    // MARK: Runs

    /// SQL true when a live incarnation other than this one holds the code interpreter session of `run` (a
    /// table name or alias): its thread's, or its response's container's.
    private func sessionElsewhere(_ run: String) -> String {
        """
        EXISTS (SELECT 1 FROM code_session JOIN node ON node.incarnation = code_session.incarnation
            WHERE code_session.thread_id IN (\(run).thread_id, \(responseContainer(run)))
                AND code_session.incarnation <> '\(incarnation.replacingOccurrences(of: "'", with: "''"))'
                AND node.heartbeat_at > now() - make_interval(secs => \(ttl)))
        """
    }

    /// SQL for the container the code of `run`'s response runs in; NULL for other runs.
    private func responseContainer(_ run: String) -> String {
        "(SELECT response.body->>'_container_id' FROM response WHERE response.run_id = \(run).id)"
    }

    public func claim(_ run: RunReference) async throws -> Bool {
        try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE run SET owner = \(incarnation)
                WHERE id = \(run.runID) AND body IS NOT NULL AND status IN (\(unescaped: activeStatuses))
                    AND (owner = \(incarnation) OR (owner IS NULL AND NOT \(unescaped: sessionElsewhere("run"))))
                RETURNING id
                """).isEmpty == false
        }
    }

    public func claimWaiting(limit: Int) async throws -> [RunReference] {
        guard limit > 0 else { return [] }
        let claimed = try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE run SET owner = \(incarnation)
                WHERE id IN (
                    SELECT id FROM run WHERE owner IS NULL AND status IN ('queued', 'cancelling') AND body IS NOT NULL
                        AND (thread_id IN (SELECT thread_id FROM code_session WHERE incarnation = \(incarnation))
                            OR \(unescaped: responseContainer("run")) IN (SELECT thread_id FROM code_session WHERE incarnation = \(incarnation))
                            OR (status_since <= now() - make_interval(secs => \(configuration.handOffDelay.seconds))
                                AND NOT \(unescaped: sessionElsewhere("run"))))
                    ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING seq, id, thread_id
                """).map { try $0.decode((Int, String, String).self) }
        }
        return claimed.sorted { $0.0 < $1.0 }.map { RunReference(runID: $0.1, threadID: $0.2) }
    }

    /// A run left `in_progress` stays this incarnation's (the process is stopping without finishing it), for
    /// recovery to fail once this incarnation is over.
    public func release(_ run: RunReference) async throws -> Bool {
        let status = try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE run SET owner = CASE WHEN status IN ('queued', 'cancelling', 'in_progress') THEN owner END
                WHERE id = \(run.runID) AND owner = \(incarnation)
                RETURNING status
                """).first.map { try $0.decode(String.self) }
        }
        return status == Run.Status.queued.rawValue || status == Run.Status.cancelling.rawValue
    }

    public func handBack(_ runs: [RunReference]) async throws {
        guard !runs.isEmpty else { return }
        try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE run SET owner = NULL
                WHERE id = ANY(\(runs.map(\.runID))) AND owner = \(incarnation) AND status IN ('queued', 'cancelling')
                """)
        }
    }

    public func recover() async throws -> RecoveredWork {
        let interrupted = try await store.write { rows -> [RecoveredWork.Interrupted] in
            // One node at a time; the others skip, as the work is being done.
            guard try await rows.execute("SELECT name FROM sweep WHERE name = 'nodes.recovery' FOR UPDATE SKIP LOCKED").isEmpty == false else {
                return []
            }
            let orphans = try await rows.execute("""
                WITH orphan AS (
                    SELECT id, owner FROM run
                    WHERE owner IS NOT NULL
                        AND owner NOT IN (SELECT incarnation FROM node WHERE heartbeat_at > now() - make_interval(secs => \(ttl)))
                    FOR UPDATE)
                UPDATE run SET owner = CASE WHEN run.status = 'in_progress' THEN \(incarnation) END
                FROM orphan LEFT JOIN node ON node.incarnation = orphan.owner
                WHERE run.id = orphan.id
                RETURNING run.id, run.thread_id, run.status, COALESCE(node.node_id, orphan.owner)
                """)
            try await rows.execute("""
                UPDATE vector_store_file SET owner = NULL
                WHERE owner IS NOT NULL
                    AND owner NOT IN (SELECT incarnation FROM node WHERE heartbeat_at > now() - make_interval(secs => \(ttl)))
                """)
            // Their code interpreter sessions are lost: their threads' runs go to any node, which starts a
            // new session and says so. Lost sessions of deleted threads are forgotten.
            try await rows.execute("""
                UPDATE code_session SET incarnation = NULL
                WHERE incarnation NOT IN (SELECT incarnation FROM node WHERE heartbeat_at > now() - make_interval(secs => \(ttl)))
                """)
            try await rows.execute("""
                DELETE FROM code_session WHERE incarnation IS NULL AND NOT \(unescaped: liveSessionKey("code_session.thread_id"))
                """)
            // Their work is handed on: the rows of incarnations that are over can go. Each statement sees the
            // database as it is when it starts, so an incarnation can end between the statements above and
            // this one: its row stays while it owns anything, for the recovery that takes its work to name it.
            try await rows.execute("""
                DELETE FROM node WHERE heartbeat_at <= now() - make_interval(secs => \(ttl))
                    AND NOT EXISTS (SELECT 1 FROM run WHERE run.owner = node.incarnation)
                    AND NOT EXISTS (SELECT 1 FROM vector_store_file WHERE vector_store_file.owner = node.incarnation)
                """)
            return try orphans.compactMap { row in
                let (id, threadID, status, node) = try row.decode((String, String, String, String).self)
                guard status == Run.Status.inProgress.rawValue else { return nil }
                return RecoveredWork.Interrupted(run: RunReference(runID: id, threadID: threadID), node: node)
            }
        }
        for run in interrupted {
            logger.warning("taking over a run a stopped node left in progress", metadata: [
                "run_id": "\(run.run.runID)", "stopped_node_id": "\(run.node ?? "")", "node_id": "\(nodeID)",
            ])
        }
        return RecoveredWork(interrupted: interrupted)
    }

    public func stopRequests(among runIDs: [String], now: Int) async throws -> [String: RunStopReason] {
        guard !runIDs.isEmpty else { return [:] }
        let rows = try await store.read { rows in
            try await rows.execute("""
                SELECT id, status FROM run
                WHERE id = ANY(\(runIDs)) AND owner = \(incarnation) AND body IS NOT NULL
                    AND (status = 'cancelling' OR (status IN (\(unescaped: activeStatuses)) AND (body->>'expires_at')::bigint <= \(now)))
                """).map { try $0.decode((String, String).self) }
        }
        return Dictionary(rows.map { ($0.0, $0.1 == Run.Status.cancelling.rawValue ? .cancelled : .expired) }, uniquingKeysWith: { $1 })
    }

    // MARK: Sweeps

    public func claimSweep(_ name: String, every interval: Duration) async throws -> Bool {
        try await store.write { rows in
            try await rows.execute("INSERT INTO sweep (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING")
            // Concurrent updates of the row queue on its lock; the later ones then see the new `last_at`.
            return try await rows.execute("""
                UPDATE sweep SET last_at = now() WHERE name = \(name) AND last_at <= now() - make_interval(secs => \(interval.seconds))
                RETURNING name
                """).isEmpty == false
        }
    }

    // MARK: Vector store files

    public func claimPendingFiles(limit: Int) async throws -> [VectorStoreFile] {
        guard limit > 0 else { return [] }
        let claimed = try await store.writeStatement { rows in
            try await rows.execute("""
                UPDATE vector_store_file SET owner = \(incarnation)
                WHERE seq IN (
                    SELECT seq FROM vector_store_file WHERE status = 'in_progress' AND body IS NOT NULL AND owner IS NULL
                    ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING seq, body::text
                """).map { try $0.decode((Int, String).self) }
        }
        return try claimed.sorted { $0.0 < $1.0 }.map { try decodeBody($0.1) }
    }

    public func releaseFiles(_ files: [VectorStoreFile]) async throws {
        guard !files.isEmpty else { return }
        let rowIDs = files.map { StoredTable.vectorStoreFileRow($0.vectorStoreID, $0.id) }
        try await store.writeStatement { rows in
            try await rows.execute("UPDATE vector_store_file SET owner = NULL WHERE owner = \(incarnation) AND id = ANY(\(rowIDs))")
        }
    }
}

extension Duration {
    /// In seconds, fractions included.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
