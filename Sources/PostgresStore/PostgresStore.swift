import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The store on PostgreSQL, for several nodes sharing one database. Each object is a row holding its JSON
/// body (`jsonb`), with the columns lists filter on beside it; `seq` gives the list order. A deleted object
/// keeps its row with a null body, so it still works as a list cursor.
///
/// Every call runs on one pooled connection, in one transaction, or as one statement where one suffices
/// (each is a round trip, and round trips are most of what a call costs). Read-modify-write calls lock the
/// row they change (`SELECT ... FOR UPDATE`), or write it only if it is still the version they read (runs);
/// calls that depend on a thread's runs lock the thread's row first; inserts into a list hold that list's
/// advisory lock until commit (see `Rows.lockLists`). Reads of runs, which clients poll, are coalesced.
///
/// The store owns its connection pool: it opens it when created and closes it on `close()`, or, run as a
/// `Service`, when the service group shuts down; list it before the services that use it so it closes last.
public final class PostgresStore: AssistantsStore, Service {
    let client: PostgresClient
    let logger: Logger
    /// The schema holding the tables, if not `public`.
    let schema: String?
    /// The limits of projects that set none of their own.
    let defaultLimits = Mutex(ProjectLimits())
    private let pool: Task<Void, Never>
    /// Runs as clients poll them: each run's thread and JSON body, read together (see `run(id:threadID:)`).
    private let polledRuns: CoalescedReads<String, (threadID: String, body: String)>

    /// Connects to the database, brings its schema up to date and keeps a pool of connections open.
    public init(configuration: Configuration, logger: Logger) async throws {
        try configuration.validate()
        // One connection first, outside the pool: the pool retries a failing connection for a minute and
        // then fails without the cause. This fails within the connect timeout and says why.
        do {
            let probe = try await PostgresConnection.connect(configuration: try configuration.probe, id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw ConfigurationError(
                "Could not connect to the PostgreSQL database \(configuration.database) at \(configuration.host):\(configuration.port) "
                    + "(is the server up, and are the URL's user, password and sslmode right?): \(Self.describe(error))")
        }
        let client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.schema = configuration.schema
        polledRuns = CoalescedReads { [logger] ids in
            try await client.withConnection { connection in
                let rows = try await Rows(connection: connection, logger: logger)
                    .execute("SELECT id, thread_id, body::text FROM run WHERE body IS NOT NULL AND id = ANY(\(ids)::text[])")
                return try Dictionary(rows.map { row in
                    let (id, threadID, body) = try row.decode((String, String, String).self)
                    return (id, (threadID, body))
                }, uniquingKeysWith: { first, _ in first })
            }
        }
        // Detached, so that the pool outlives whatever task creates the store and only `close()` ends it;
        // immediate, so that the pool is running before the first connection is asked for.
        pool = Task.immediateDetached { await client.run() }
        do {
            try await client.withConnection { connection in
                try await Schema.migrate(connection, schema: configuration.schema, logger: logger)
            }
        } catch {
            await close()
            // Connection failures reach us from the pool only after it has retried for a minute, and
            // without their cause: say what to check.
            throw ConfigurationError(
                "Could not open the PostgreSQL database \(configuration.database) at \(configuration.host):\(configuration.port) "
                    + "(is the server up, and are the URL's user, password and sslmode right?): \(String(reflecting: error))")
        }
    }

    /// What went wrong, in words an operator can act on: the server's message, or the network's error.
    /// (PSQLError's own description hides everything, in case it reaches a client.)
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return String(describing: underlying) }
        return "\(error.code)"
    }

    /// Keeps the pool open until the service group shuts down, then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every connection; the store cannot be used afterwards.
    public func close() async {
        pool.cancel()
        await pool.value
    }

    deinit { pool.cancel() }

    /// One call's transaction (READ COMMITTED, PostgreSQL's default): committed when `body` returns,
    /// rolled back when it throws.
    /// Two transactions that lock the same rows in a different order (a file deleted from every store while
    /// one of its stores adds it again) can deadlock; PostgreSQL then aborts one, which is tried again.
    @discardableResult
    func write<Result: Sendable>(_ body: (Rows) async throws -> Result) async throws -> Result {
        try await retryingDeadlocks { rows in try await inTransaction(rows) { try await body(rows) } }
    }

    /// One statement that changes rows, atomic on its own: it runs without `BEGIN` and `COMMIT`, which would
    /// be two more round trips to the database. `body` must run exactly one statement.
    @discardableResult
    func writeStatement<Result: Sendable>(_ body: (Rows) async throws -> Result) async throws -> Result {
        try await retryingDeadlocks(body)
    }

    private func retryingDeadlocks<Result: Sendable>(_ body: (Rows) async throws -> Result) async throws -> Result {
        var attempts = 0
        while true {
            do {
                return try await client.withConnection { connection in try await body(Rows(connection: connection, logger: logger, defaultLimits: defaultLimits.withLock { $0 })) }
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempts < 3 {
                attempts += 1
                logger.debug("Deadlock between transactions, trying again")
            }
        }
    }

    /// Reads outside a transaction: each statement sees what was committed when it started. A page's
    /// cursor lookup and its rows may be two statements: a cursor's `seq` never changes, and list locks
    /// keep rows from appearing behind it.
    func read<Result: Sendable>(_ body: (Rows) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in try await body(Rows(connection: connection, logger: logger, defaultLimits: defaultLimits.withLock { $0 })) }
    }

    /// Reads whose statements must agree (a store and the counts of its files) see one snapshot.
    func snapshot<Result: Sendable>(_ body: (Rows) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            let rows = Rows(connection: connection, logger: logger, defaultLimits: defaultLimits.withLock { $0 })
            return try await inTransaction(rows, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try await body(rows) }
        }
    }

    // MARK: Assistants

    public func createAssistant(_ assistant: Assistant) async throws {
        try await write { rows in
            try await rows.lockLists([Rows.list(StoredTable.assistant)])
            try await rows.insert(StoredTable.assistant, id: assistant.id, body: assistant)
        }
    }

    public func assistant(id: String) async throws -> Assistant? {
        try await read { rows in try await rows.body(StoredTable.assistant, id: id) }
    }

    public func listAssistants(_ query: ListQuery) async throws -> ListPage<Assistant> {
        try await read { rows in try await rows.page(StoredTable.assistant, query: query) }
    }

    public func updateAssistant(id: String, _ change: @escaping @Sendable (inout Assistant) throws -> Void) async throws -> Assistant? {
        try await write { rows in try await rows.update(StoredTable.assistant, id: id, change) }
    }

    public func deleteAssistant(id: String) async throws -> Bool {
        try await write { rows in try await rows.tombstone(StoredTable.assistant, id: id) }
    }

    // MARK: Threads

    public func createThread(_ thread: AssistantThread, messages: [Message]) async throws {
        try await write { rows in
            try await rows.insertMessages(messages)
            try await rows.insertThread(thread)
        }
    }

    public func thread(id: String) async throws -> AssistantThread? {
        try await read { rows in try await rows.body(StoredTable.thread, id: id) }
    }

    public func listThreads(_ query: ListQuery) async throws -> ListPage<AssistantThread> {
        try await read { rows in try await rows.page(StoredTable.thread, condition: Self.publicThread, query: query) }
    }

    /// A thread no response holds as its private thread.
    static let publicThread = "NOT EXISTS (SELECT 1 FROM response WHERE response.thread_id = thread.id AND response.private_thread)"

    public func updateThread(id: String, _ change: @escaping @Sendable (inout AssistantThread) throws -> Void) async throws -> AssistantThread? {
        try await write { rows in try await rows.update(StoredTable.thread, id: id, change) }
    }

    public func deleteThread(id: String) async throws -> Bool {
        try await write { rows in
            guard try await rows.tombstone(StoredTable.thread, id: id) else { return false }
            try await rows.execute("DELETE FROM message WHERE thread_id = \(id)")
            try await rows.execute("DELETE FROM item WHERE thread_id = \(id)")
            try await rows.execute("DELETE FROM response WHERE thread_id = \(id)")
            try await rows.execute("DELETE FROM step WHERE run_id IN (SELECT id FROM run WHERE thread_id = \(id))")
            try await rows.execute("DELETE FROM run WHERE thread_id = \(id)")
            return true
        }
    }

    // MARK: Messages

    public func appendMessage(_ message: Message, attaching: ThreadAttachments?) async throws {
        try await write { rows in
            try await rows.lockThread(message.threadID)
            if let active = try await rows.activeRunID(threadID: message.threadID) {
                throw StoreError.threadLocked(threadID: message.threadID, runID: active)
            }
            try await rows.lockLists([message.list])
            try await rows.insertMessages([message])
            if let attaching { try await rows.attach(attaching, toThread: message.threadID) }
        }
    }

    public func allMessages(threadID: String) async throws -> [Message] {
        try await read { rows in try await rows.all(StoredTable.message, filters: [("thread_id", threadID)]) }
    }

    public func runMessages(runID: String, threadID: String) async throws -> [Message] {
        try await read { rows in try await rows.all(StoredTable.message, filters: [("thread_id", threadID), ("run_id", runID)]) }
    }

    public func message(id: String, threadID: String) async throws -> Message? {
        try await read { rows in try await rows.body(StoredTable.message, id: id, filters: [("thread_id", threadID)]) }
    }

    public func listMessages(threadID: String, runID: String?, _ query: ListQuery) async throws -> ListPage<Message> {
        try await read { rows in
            try await rows.page(
                StoredTable.message, scope: [("thread_id", threadID)], filters: runID.map { [("run_id", $0)] } ?? [], query: query)
        }
    }

    public func updateMessage(id: String, threadID: String, _ change: @escaping @Sendable (inout Message) throws -> Void) async throws -> Message? {
        try await write { rows in try await rows.update(StoredTable.message, id: id, filters: [("thread_id", threadID)], change) }
    }

    public func deleteMessage(id: String, threadID: String) async throws -> Bool {
        try await write { rows in
            guard try await rows.tombstone(StoredTable.message, id: id, filters: [("thread_id", threadID)]) else { return false }
            try await rows.execute("UPDATE item SET body = NULL WHERE message_id = \(id)")
            return true
        }
    }

    // MARK: Runs

    public func createRun(_ run: Run, additionalMessages: [Message], attaching: ThreadAttachments?) async throws {
        try await write { rows in
            try await rows.lockThread(run.threadID)
            if let active = try await rows.activeRunID(threadID: run.threadID) {
                throw StoreError.threadHasActiveRun(threadID: run.threadID, runID: active)
            }
            try await rows.lockLists([run.list] + additionalMessages.map(\.list))
            try await rows.insertMessages(additionalMessages)
            if let attaching { try await rows.attach(attaching, toThread: run.threadID) }
            try await rows.insertRun(run)
        }
    }

    public func createThreadAndRun(
        _ thread: AssistantThread, messages: [Message], run: Run, attaching: ThreadAttachments?
    ) async throws -> AssistantThread {
        try await write { rows in
            try await rows.insertMessages(messages)
            try await rows.insertRun(run)
            try await rows.insertThread(thread)
            guard let attaching else { return thread }
            return try await rows.attach(attaching, toThread: thread.id)
        }
    }

    /// Coalesced with the other reads of runs in flight: this is the read clients poll.
    public func run(id: String, threadID: String) async throws -> Run? {
        guard let row = try await polledRuns.value(for: id), row.threadID == threadID else { return nil }
        return try decodeBody(row.body)
    }

    public func listRuns(threadID: String, _ query: ListQuery) async throws -> ListPage<Run> {
        try await read { rows in try await rows.page(StoredTable.run, scope: [("thread_id", threadID)], query: query) }
    }

    /// Reads the run with its version (`xmin`, the transaction that last wrote the row, which any later
    /// write changes), changes it, and writes it back with the progress in one statement that applies only
    /// if the row is still that version; otherwise reads again and applies `change` anew, so concurrent
    /// changes lose nothing, as under a row lock. Two round trips and no transaction, instead of `BEGIN`,
    /// `SELECT ... FOR UPDATE`, the writes and `COMMIT`.
    public func updateRun(
        id: String, threadID: String, saving messages: [Message], _ steps: [RunStep],
        _ change: @escaping @Sendable (inout Run) throws -> Void
    ) async throws -> Run? {
        while true {
            guard let (read, version): (Run, String) = try await read({ rows in
                try await rows.versionedBody(StoredTable.run, id: id, filters: [("thread_id", threadID)])
            }) else { return nil }
            var run = read
            try change(&run)
            let changed = run
            if try await writeStatement({ rows in try await rows.saveProgress(messages: messages, steps: steps, run: (changed, version)) }) {
                return run
            }
        }
    }

    /// The columns of a run's row derived from its body.
    static func runColumns(_ run: Run) -> [(String, any PostgresDynamicTypeEncodable)] { [("status", run.status.rawValue)] }

    public func saveRunProgress(messages: [Message], steps: [RunStep]) async throws {
        try await writeStatement { rows in try await rows.saveProgress(messages: messages, steps: steps) }
    }

    public func activeRuns() async throws -> [Run] {
        try await read { rows in
            try await rows.bodies("SELECT body::text FROM run WHERE status IN (\(unescaped: activeStatuses)) AND body IS NOT NULL ORDER BY seq")
        }
    }

    // MARK: Run steps

    public func step(id: String, runID: String) async throws -> RunStep? {
        try await read { rows in try await rows.body(StoredTable.step, id: id, filters: [("run_id", runID)]) }
    }

    public func listSteps(runID: String, _ query: ListQuery) async throws -> ListPage<RunStep> {
        try await read { rows in try await rows.page(StoredTable.step, scope: [("run_id", runID)], query: query) }
    }

    public func allSteps(runID: String) async throws -> [RunStep] {
        try await read { rows in try await rows.all(StoredTable.step, filters: [("run_id", runID)]) }
    }

    // MARK: Files

    public func createFile(_ file: FileObject) async throws {
        try await write { rows in
            try await rows.checkFileQuotas(adding: file)
            try await rows.lockLists([Rows.list(StoredTable.file)])
            try await rows.insert(StoredTable.file, id: file.id, body: file, columns: [("purpose", file.purpose)], numbers: [("expires_at", file.expiresAt)])
        }
    }

    public func file(id: String) async throws -> FileObject? {
        try await read { rows in try await rows.body(StoredTable.file, id: id) }
    }

    public func listFiles(purpose: String?, _ query: ListQuery) async throws -> ListPage<FileObject> {
        try await read { rows in try await rows.page(StoredTable.file, filters: purpose.map { [("purpose", $0)] } ?? [], query: query) }
    }

    public func deleteFile(id: String) async throws -> Bool {
        try await write { rows in
            guard try await rows.tombstone(StoredTable.file, id: id) else { return false }
            try await rows.execute("UPDATE vector_store_file SET body = NULL WHERE file_id = \(id)")
            return true
        }
    }

    public func missingFiles(among ids: [String]) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let present = try await read { rows in
            let project = StoredTable.projectFilter(StoredTable.file)
            return Set(try await rows.strings(
                "SELECT id FROM file WHERE body IS NOT NULL AND id = ANY(\(ids)) AND (\(project)::text IS NULL OR project = \(project))"))
        }
        return ids.filter { !present.contains($0) }
    }

    public func expiredFiles(now: Int) async throws -> [String] {
        try await read { rows in
            try await rows.strings("""
                SELECT id FROM file WHERE expires_at IS NOT NULL AND expires_at <= \(now) AND body IS NOT NULL ORDER BY seq
                """)
        }
    }
}
