import GRDB

/// Versioned migrations. Add a new one for every schema change; never edit a shipped one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: assistants, threads, messages, files") { db in
            try db.execute(sql: """
                CREATE TABLE assistant (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body BLOB);
                CREATE TABLE thread (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body BLOB);
                CREATE TABLE message (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                    thread_id TEXT NOT NULL, run_id TEXT, body BLOB);
                CREATE INDEX message_by_thread ON message(thread_id, seq);
                CREATE TABLE file (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                    purpose TEXT NOT NULL, expires_at INTEGER, body BLOB);
                CREATE INDEX file_by_expiry ON file(expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL;
                CREATE INDEX file_by_purpose ON file(purpose, seq);
                """)
        }
        migrator.registerMigration("v2: runs and run steps") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                    thread_id TEXT NOT NULL, status TEXT NOT NULL, body BLOB);
                CREATE INDEX run_by_thread ON run(thread_id, seq);
                CREATE INDEX run_active ON run(status) WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');
                CREATE TABLE step (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, body BLOB);
                CREATE INDEX step_by_run ON step(run_id, seq);
                """)
        }
        migrator.registerMigration("v3: vector stores, their files and file batches") { db in
            try db.execute(sql: """
                CREATE TABLE vector_store (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, expires_at INTEGER, body BLOB);
                CREATE INDEX vector_store_by_expiry ON vector_store(expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL;
                CREATE TABLE vector_store_file (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                    store_id TEXT NOT NULL, file_id TEXT NOT NULL, batch_id TEXT,
                    status TEXT NOT NULL, usage_bytes INTEGER NOT NULL, body BLOB);
                CREATE INDEX vector_store_file_by_store ON vector_store_file(store_id, seq);
                CREATE INDEX vector_store_file_by_file ON vector_store_file(file_id);
                CREATE INDEX vector_store_file_by_batch ON vector_store_file(batch_id, seq) WHERE batch_id IS NOT NULL;
                CREATE INDEX vector_store_file_pending ON vector_store_file(seq) WHERE status = 'in_progress' AND body IS NOT NULL;
                CREATE TABLE file_batch (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, store_id TEXT NOT NULL, body BLOB);
                """)
        }
        // Counting a store's files (on every read of the store) reads this index alone, not every file's row.
        migrator.registerMigration("v4: vector store file counts from an index") { db in
            try db.execute(sql: """
                CREATE INDEX vector_store_file_counts ON vector_store_file(store_id, status, usage_bytes) WHERE body IS NOT NULL;
                """)
        }
        // Responses and the conversation order of threads. Message items are their messages (converted on
        // read), so the backfill only indexes the messages that exist, in their order.
        migrator.registerMigration("v5: responses and conversation items") { db in
            try db.execute(sql: """
                CREATE TABLE response (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL,
                    thread_id TEXT NOT NULL, previous_response_id TEXT, private_thread INTEGER NOT NULL,
                    ephemeral INTEGER NOT NULL, body BLOB);
                CREATE INDEX response_by_thread ON response(thread_id);
                CREATE TABLE item (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
                    run_id TEXT, direction TEXT, type TEXT NOT NULL, message_id TEXT, call_id TEXT,
                    created_at INTEGER NOT NULL, body BLOB);
                CREATE INDEX item_by_thread ON item(thread_id, seq);
                CREATE INDEX item_by_run ON item(run_id, direction, seq) WHERE run_id IS NOT NULL;
                CREATE INDEX item_by_message ON item(message_id) WHERE message_id IS NOT NULL;
                CREATE INDEX item_by_call ON item(call_id) WHERE call_id IS NOT NULL;
                INSERT INTO item (id, thread_id, run_id, direction, type, message_id, created_at, body)
                    SELECT id, thread_id, run_id, CASE WHEN run_id IS NULL THEN NULL ELSE 'output' END, 'message', id,
                           json_extract(CAST(body AS TEXT), '$.created_at'), '{}'
                    FROM message WHERE body IS NOT NULL ORDER BY seq;
                """)
        }
        // Containers and their files. `expires_at` is when a running container expires unless it is used
        // before (NULL once expired), so the sweep reads an index instead of every container's body.
        migrator.registerMigration("v6: containers and their files") { db in
            try db.execute(sql: """
                CREATE TABLE container (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, expires_at INTEGER, body BLOB);
                CREATE INDEX container_by_name ON container(name, seq);
                CREATE INDEX container_by_expiry ON container(expires_at) WHERE expires_at IS NOT NULL AND body IS NOT NULL;
                CREATE TABLE container_file (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, container_id TEXT NOT NULL,
                    path TEXT NOT NULL, body BLOB);
                CREATE INDEX container_file_by_container ON container_file(container_id, seq);
                CREATE UNIQUE INDEX container_file_by_path ON container_file(container_id, path) WHERE body IS NOT NULL;
                """)
        }
        // Every run's stream events, kept for replaying a stream (`SQLiteStore: RunEventLog`). `position`
        // only grows, across restarts; `at` (milliseconds since 1970) is when the event was stored, for
        // retention.
        migrator.registerMigration("v7: run stream events") { db in
            try db.execute(sql: """
                CREATE TABLE run_event (
                    position INTEGER PRIMARY KEY, run_id TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
                    at INTEGER NOT NULL);
                CREATE INDEX run_event_by_run ON run_event(run_id, position);
                CREATE INDEX run_event_by_age ON run_event(at, run_id);
                CREATE INDEX response_by_run ON response(run_id);
                """)
        }
        // Projects: their keys, and the project of every object with routes of its own (what was made
        // before belongs to the default project). Lists of one project read the (project, seq) indexes.
        migrator.registerMigration("v8: projects and API keys") { db in
            for table in ["assistant", "thread", "file", "vector_store", "response", "container"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN project TEXT NOT NULL DEFAULT 'proj_default'")
                try db.execute(sql: "CREATE INDEX \(table)_by_project ON \(table)(project, seq)")
            }
            try db.execute(sql: """
                CREATE TABLE project (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, body BLOB);
                CREATE TABLE api_key (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, project TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE, body BLOB);
                """)
        }
        // Bytes of files each project added per day, for its daily upload quota.
        migrator.registerMigration("v9: project uploads per day") { db in
            try db.execute(sql: "CREATE TABLE project_upload (project TEXT NOT NULL, day INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (project, day))")
        }
        return migrator
    }
}
