import Logging
import PostgresNIO

/// One schema change. Add a new one for every change; never edit a shipped one.
struct Migration {
    let version: Int
    let name: String
    /// One statement each: the extended query protocol runs a single statement per query.
    let statements: [String]
}

/// Versioned migrations, recorded in `schema_migrations`.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, name: "assistants, threads, messages, files, runs, steps, vector stores", statements: [
            "CREATE TABLE assistant (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, body JSONB)",
            "CREATE TABLE thread (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, body JSONB)",
            """
            CREATE TABLE message (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                thread_id TEXT NOT NULL, run_id TEXT, body JSONB)
            """,
            "CREATE INDEX message_by_thread ON message (thread_id, seq)",
            """
            CREATE TABLE file (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                purpose TEXT NOT NULL, expires_at BIGINT, body JSONB)
            """,
            "CREATE INDEX file_by_expiry ON file (expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL",
            "CREATE INDEX file_by_purpose ON file (purpose, seq)",
            """
            CREATE TABLE run (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                thread_id TEXT NOT NULL, status TEXT NOT NULL, body JSONB)
            """,
            "CREATE INDEX run_by_thread ON run (thread_id, seq)",
            "CREATE INDEX run_active ON run (seq) WHERE status IN (\(activeStatuses))",
            """
            CREATE TABLE step (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, body JSONB)
            """,
            "CREATE INDEX step_by_run ON step (run_id, seq)",
            """
            CREATE TABLE vector_store (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, expires_at BIGINT, body JSONB)
            """,
            "CREATE INDEX vector_store_by_expiry ON vector_store (expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL",
            """
            CREATE TABLE vector_store_file (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                store_id TEXT NOT NULL, file_id TEXT NOT NULL, batch_id TEXT,
                status TEXT NOT NULL, usage_bytes BIGINT NOT NULL, body JSONB)
            """,
            "CREATE INDEX vector_store_file_by_store ON vector_store_file (store_id, seq)",
            "CREATE INDEX vector_store_file_by_file ON vector_store_file (file_id)",
            "CREATE INDEX vector_store_file_by_batch ON vector_store_file (batch_id, seq) WHERE batch_id IS NOT NULL",
            "CREATE INDEX vector_store_file_pending ON vector_store_file (seq) WHERE status = 'in_progress' AND body IS NOT NULL",
            """
            CREATE TABLE file_batch (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, store_id TEXT NOT NULL, body JSONB)
            """,
        ]),
        // Work distribution (`PostgresWorkDispatch`): the nodes and their heartbeats, which node owns a run
        // or a file being ingested, and when each cluster-wide sweep last ran.
        Migration(version: 2, name: "nodes, run and ingestion leases, sweeps", statements: [
            """
            CREATE TABLE node (
                incarnation TEXT PRIMARY KEY, node_id TEXT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL DEFAULT now(), heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
            "CREATE INDEX node_by_id ON node (node_id)",
            "ALTER TABLE run ADD COLUMN owner TEXT",
            // When the run last changed status (by the database's clock), kept by a trigger since every status
            // change goes through `UPDATE run SET status`.
            "ALTER TABLE run ADD COLUMN status_since TIMESTAMPTZ NOT NULL DEFAULT now()",
            """
            CREATE FUNCTION run_status_since() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status IS DISTINCT FROM OLD.status THEN NEW.status_since := now(); END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER run_status_since BEFORE UPDATE ON run FOR EACH ROW EXECUTE FUNCTION run_status_since()",
            "CREATE INDEX run_waiting ON run (seq) WHERE owner IS NULL AND status IN ('queued', 'cancelling')",
            "CREATE INDEX run_by_owner ON run (owner) WHERE owner IS NOT NULL",
            "ALTER TABLE vector_store_file ADD COLUMN owner TEXT",
            "CREATE INDEX vector_store_file_by_owner ON vector_store_file (owner) WHERE owner IS NOT NULL",
            "CREATE TABLE sweep (name TEXT PRIMARY KEY, last_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity')",
            "INSERT INTO sweep (name) VALUES ('nodes.recovery')",
        ]),
        // See `PostgresEventBus`: a run's stream events, numbered per run by its head row.
        Migration(version: 3, name: "run stream events", statements: [
            """
            CREATE TABLE run_event_head (
                run_id TEXT PRIMARY KEY, seq BIGINT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), pruned BOOLEAN NOT NULL DEFAULT false)
            """,
            // Pruning finds the runs whose events to delete, and a day later the runs to forget.
            "CREATE INDEX run_event_head_by_age ON run_event_head (updated_at) WHERE NOT pruned",
            "CREATE INDEX run_event_head_pruned ON run_event_head (updated_at) WHERE pruned",
            """
            CREATE TABLE run_event (
                run_id TEXT NOT NULL, seq BIGINT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
                closes BOOLEAN NOT NULL, batch TEXT NOT NULL, PRIMARY KEY (run_id, seq))
            """,
        ]),
        // `PostgresBlobStore`. Chunks are stored uncompressed out of line (`STORAGE EXTERNAL`): uploads are
        // mostly compressed formats already, and this spares PostgreSQL trying.
        Migration(version: 4, name: "blob store", statements: [
            "CREATE TABLE blob (id TEXT PRIMARY KEY, size BIGINT NOT NULL)",
            """
            CREATE TABLE blob_chunk (
                blob_id TEXT NOT NULL REFERENCES blob (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
                data BYTEA NOT NULL, PRIMARY KEY (blob_id, seq))
            """,
            "ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL",
        ]),
        Migration(version: 5, name: "vector stores' chunks and their versions", statements: [
            // Ids come from the sequence before the insert (see `PostgresChunkStorage.replace`).
            "CREATE SEQUENCE chunk_id",
            """
            CREATE TABLE chunk (
                id BIGINT PRIMARY KEY, store_id TEXT NOT NULL, file_id TEXT NOT NULL, filename TEXT NOT NULL,
                start BIGINT NOT NULL, "end" BIGINT NOT NULL, text TEXT NOT NULL, embedding BYTEA)
            """,
            "CREATE INDEX chunk_by_file ON chunk (store_id, file_id)",
            "CREATE TABLE chunk_store (store_id TEXT PRIMARY KEY, version BIGINT NOT NULL)",
        ]),
        // `PostgresSessionPlacement`: the incarnation holding each thread's code interpreter session; NULL
        // once that incarnation is over (the session was lost).
        Migration(version: 6, name: "code interpreter session placement", statements: [
            "CREATE TABLE code_session (thread_id TEXT PRIMARY KEY, incarnation TEXT)",
            "CREATE INDEX code_session_by_incarnation ON code_session (incarnation)",
        ]),
        // Responses and the conversation order of threads. Message items are their messages (converted on
        // read), so the backfill only indexes the messages that exist, in their order.
        Migration(version: 7, name: "responses and conversation items", statements: [
            """
            CREATE TABLE response (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL,
                thread_id TEXT NOT NULL, previous_response_id TEXT, private_thread BOOLEAN NOT NULL,
                ephemeral BOOLEAN NOT NULL, body JSONB)
            """,
            "CREATE INDEX response_by_thread ON response (thread_id)",
            """
            CREATE TABLE item (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
                run_id TEXT, direction TEXT, type TEXT NOT NULL, message_id TEXT, call_id TEXT,
                created_at BIGINT NOT NULL, body JSONB)
            """,
            "CREATE INDEX item_by_thread ON item (thread_id, seq)",
            "CREATE INDEX item_by_run ON item (run_id, direction, seq) WHERE run_id IS NOT NULL",
            "CREATE INDEX item_by_message ON item (message_id) WHERE message_id IS NOT NULL",
            "CREATE INDEX item_by_call ON item (call_id) WHERE call_id IS NOT NULL",
            """
            INSERT INTO item (id, thread_id, run_id, direction, type, message_id, created_at, body)
            SELECT id, thread_id, run_id, CASE WHEN run_id IS NULL THEN NULL ELSE 'output' END, 'message', id,
                   (body->>'created_at')::bigint, '{}'::jsonb
            FROM message WHERE body IS NOT NULL ORDER BY seq
            """,
        ]),
        // Containers and their files. `expires_at` is when a running container expires unless it is used
        // before (NULL once expired), so the sweep reads an index instead of every container's body.
        Migration(version: 8, name: "containers and their files", statements: [
            """
            CREATE TABLE container (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                expires_at BIGINT, body JSONB)
            """,
            "CREATE INDEX container_by_name ON container (name, seq)",
            "CREATE INDEX container_by_expiry ON container (expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL",
            """
            CREATE TABLE container_file (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, container_id TEXT NOT NULL,
                path TEXT NOT NULL, body JSONB)
            """,
            "CREATE INDEX container_file_by_container ON container_file (container_id, seq)",
            "CREATE UNIQUE INDEX container_file_by_path ON container_file (container_id, path) WHERE body IS NOT NULL",
        ]),
        // Dispatch finds the container whose code interpreter session a response's run follows
        // (`PostgresWorkDispatch.sessionElsewhere`).
        Migration(version: 9, name: "responses by run", statements: [
            "CREATE INDEX response_by_run ON response (run_id)",
        ]),
        // Projects: their keys, and the project of every object with routes of its own (what was made
        // before belongs to the default project). Lists of one project read the (project, seq) indexes.
        Migration(version: 10, name: "projects and API keys", statements: projectScopedTables.flatMap { table in
            [
                "ALTER TABLE \(table) ADD COLUMN project TEXT NOT NULL DEFAULT 'proj_default'",
                "CREATE INDEX \(table)_by_project ON \(table) (project, seq)",
            ]
        } + [
            """
            CREATE TABLE project (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, body JSONB)
            """,
            """
            CREATE TABLE api_key (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, project TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE, body JSONB)
            """,
        ]),
        Migration(version: 11, name: "requests per key and minute", statements: [
            "CREATE UNLOGGED TABLE request_count (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, count INTEGER NOT NULL)",
        ]),
        Migration(version: 12, name: "project uploads per day", statements: [
            "CREATE TABLE project_upload (project TEXT NOT NULL, day BIGINT NOT NULL, bytes BIGINT NOT NULL, PRIMARY KEY (project, day))",
        ]),
    ]

    /// Brings the schema up to date. Nodes starting together queue on a session advisory lock, so each
    /// migration runs exactly once; a node that finds it applied skips it. A node that dies mid-migration
    /// releases the lock with its connection, and its transaction rolls back.
    static func migrate(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        let rows = Rows(connection: connection, logger: logger)
        let lockKey = "swift-assistants migrations \(schema ?? "")"
        try await rows.execute("SELECT pg_advisory_lock(hashtext(\(lockKey)))")
        do {
            if let schema {
                // A checked identifier from the configuration (`PostgresStore.Configuration.schema`), never input.
                try await rows.execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""))
            }
            try await rows.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try await rows.execute("SELECT version FROM schema_migrations").map { try $0.decode(Int.self) })
            for migration in migrations where !applied.contains(migration.version) {
                logger.info("Applying database migration \(migration.version): \(migration.name)")
                try await inTransaction(rows) {
                    for statement in migration.statements { try await rows.execute(PostgresQuery(unsafeSQL: statement)) }
                    try await rows.execute("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                }
            }
        } catch {
            _ = try? await rows.execute("SELECT pg_advisory_unlock(hashtext(\(lockKey)))")
            throw error
        }
        try await rows.execute("SELECT pg_advisory_unlock(hashtext(\(lockKey)))")
    }
}

/// The tables migration 10 gave a `project` column, as they were then (not `StoredTable.projectScoped`,
/// which may grow: a shipped migration never changes).
private let projectScopedTables = ["assistant", "thread", "file", "vector_store", "response", "container"]

/// The statuses that lock a thread: the run may still write to it.
let activeStatuses = "'queued', 'in_progress', 'requires_action', 'cancelling'"

/// Runs `body` between BEGIN and COMMIT on the rows' connection, rolling back when it throws. Errors
/// come out as thrown, unwrapped, so callers see `StoreError`s as they are.
nonisolated(nonsending) func inTransaction<Result>(
    _ rows: Rows, _ begin: PostgresQuery = "BEGIN", _ body: () async throws -> Result
) async throws -> Result {
    try await rows.execute(begin)
    let result: Result
    do {
        result = try await body()
    } catch {
        do {
            try await rows.execute("ROLLBACK")
        } catch {
            // A connection that may still be inside the transaction must not go back to the pool.
            _ = try? await rows.connection.close()
        }
        throw error
    }
    try await rows.execute("COMMIT")
    return result
}
