import GRDB

/// Table names, as constants: they are interpolated into SQL, so they never come from input.
enum Table {
    static let assistant = "assistant"
    static let thread = "thread"
    static let message = "message"
    static let file = "file"
}

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
        return migrator
    }
}
