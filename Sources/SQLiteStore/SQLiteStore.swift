import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB
import Synchronization

/// The store on SQLite: one database file in WAL mode. Each object is a row holding its JSON body, with
/// the columns lists filter on beside it; `seq` gives the list order. A deleted object keeps its row with
/// a null body, so it still works as a list cursor.
public final class SQLiteStore: AssistantsStore {
    let database: any DatabaseWriter
    /// The limits of projects that set none of their own.
    let defaultLimits = Mutex(ProjectLimits())

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // In WAL mode, NORMAL keeps every commit across a crash of the process; only a power loss can
        // drop the last commits. It saves an fsync per commit, which streamed runs make many of.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        try self.init(database: DatabasePool(path: path, configuration: configuration))
    }

    /// A store that lives in memory and is gone with it: for tests.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(database: DatabaseQueue())
    }

    /// A store on any GRDB writer.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Schema.migrator.migrate(database)
    }

    /// `database.read`, with the task's project: GRDB runs `body` on a queue of its own, where the task's
    /// task-local values are not, so they are bound again there for the row operations to read.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let project = ProjectScope.current
        return try await database.read { db in try ProjectScope.$current.withValue(project) { try body(db) } }
    }

    /// `database.write`, with the task's project (see `read`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let project = ProjectScope.current
        return try await database.write { db in try ProjectScope.$current.withValue(project) { try body(db) } }
    }

    // MARK: Assistants

    public func createAssistant(_ assistant: Assistant) async throws {
        try await write { db in try db.insertRow(StoredTable.assistant, id: assistant.id, body: assistant) }
    }

    public func assistant(id: String) async throws -> Assistant? {
        try await read { db in try db.body(StoredTable.assistant, id: id) }
    }

    public func listAssistants(_ query: ListQuery) async throws -> ListPage<Assistant> {
        try await read { db in try db.page(StoredTable.assistant, query: query) }
    }

    public func updateAssistant(id: String, _ change: @escaping @Sendable (inout Assistant) throws -> Void) async throws -> Assistant? {
        try await write { db in try db.update(StoredTable.assistant, id: id, change) }
    }

    public func deleteAssistant(id: String) async throws -> Bool {
        try await write { db in try db.tombstone(StoredTable.assistant, id: id) }
    }

    // MARK: Threads

    public func createThread(_ thread: AssistantThread, messages: [Message]) async throws {
        try await write { db in
            try db.insertRow(StoredTable.thread, id: thread.id, body: thread)
            for message in messages { try db.insertMessage(message) }
        }
    }

    public func thread(id: String) async throws -> AssistantThread? {
        try await read { db in try db.body(StoredTable.thread, id: id) }
    }

    public func listThreads(_ query: ListQuery) async throws -> ListPage<AssistantThread> {
        try await read { db in
            try db.page(StoredTable.thread, condition: Self.publicThread, query: query)
        }
    }

    /// A thread no response holds as its private thread.
    static let publicThread = "NOT EXISTS (SELECT 1 FROM response WHERE response.thread_id = thread.id AND response.private_thread)"

    public func updateThread(id: String, _ change: @escaping @Sendable (inout AssistantThread) throws -> Void) async throws -> AssistantThread? {
        try await write { db in try db.update(StoredTable.thread, id: id, change) }
    }

    public func deleteThread(id: String) async throws -> Bool {
        try await write { db in
            guard try db.tombstone(StoredTable.thread, id: id) else { return false }
            try db.execute(sql: "DELETE FROM message WHERE thread_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM item WHERE thread_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM response WHERE thread_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM step WHERE run_id IN (SELECT id FROM run WHERE thread_id = ?)", arguments: [id])
            try db.execute(sql: "DELETE FROM run WHERE thread_id = ?", arguments: [id])
            return true
        }
    }

    // MARK: Messages

    public func appendMessage(_ message: Message, attaching: ThreadAttachments?) async throws {
        try await write { db in
            guard try db.exists(StoredTable.thread, id: message.threadID) else { throw StoreError.notFound(.thread, id: message.threadID) }
            if let active = try db.activeRunID(threadID: message.threadID) {
                throw StoreError.threadLocked(threadID: message.threadID, runID: active)
            }
            try db.insertMessage(message)
            if let attaching { try db.attach(attaching, toThread: message.threadID) }
        }
    }

    public func allMessages(threadID: String) async throws -> [Message] {
        try await read { db in try db.all(StoredTable.message, filters: [("thread_id", threadID)]) }
    }

    public func runMessages(runID: String, threadID: String) async throws -> [Message] {
        try await read { db in try db.all(StoredTable.message, filters: [("thread_id", threadID), ("run_id", runID)]) }
    }

    public func message(id: String, threadID: String) async throws -> Message? {
        try await read { db in try db.body(StoredTable.message, id: id, filters: [("thread_id", threadID)]) }
    }

    public func listMessages(threadID: String, runID: String?, _ query: ListQuery) async throws -> ListPage<Message> {
        try await read { db in
            try db.page(StoredTable.message, scope: [("thread_id", threadID)], filters: runID.map { [("run_id", $0)] } ?? [], query: query)
        }
    }

    public func updateMessage(id: String, threadID: String, _ change: @escaping @Sendable (inout Message) throws -> Void) async throws -> Message? {
        try await write { db in try db.update(StoredTable.message, id: id, filters: [("thread_id", threadID)], change) }
    }

    public func deleteMessage(id: String, threadID: String) async throws -> Bool {
        try await write { db in
            guard try db.tombstone(StoredTable.message, id: id, filters: [("thread_id", threadID)]) else { return false }
            try db.execute(sql: "UPDATE item SET body = NULL WHERE message_id = ?", arguments: [id])
            return true
        }
    }

    // MARK: Runs

    public func createRun(_ run: Run, additionalMessages: [Message], attaching: ThreadAttachments?) async throws {
        let limits = defaultLimits.withLock { $0 }
        return try await write { db in
            guard try db.exists(StoredTable.thread, id: run.threadID) else { throw StoreError.notFound(.thread, id: run.threadID) }
            if let active = try db.activeRunID(threadID: run.threadID) {
                throw StoreError.threadHasActiveRun(threadID: run.threadID, runID: active)
            }
            for message in additionalMessages { try db.insertMessage(message) }
            if let attaching { try db.attach(attaching, toThread: run.threadID) }
            try db.insertRun(run, defaults: limits)
        }
    }

    public func createThreadAndRun(
        _ thread: AssistantThread, messages: [Message], run: Run, attaching: ThreadAttachments?
    ) async throws -> AssistantThread {
        let limits = defaultLimits.withLock { $0 }
        return try await write { db in
            try db.insertRow(StoredTable.thread, id: thread.id, body: thread)
            for message in messages { try db.insertMessage(message) }
            try db.insertRun(run, defaults: limits)
            guard let attaching else { return thread }
            return try db.attach(attaching, toThread: thread.id)
        }
    }

    public func run(id: String, threadID: String) async throws -> Run? {
        try await read { db in try db.body(StoredTable.run, id: id, filters: [("thread_id", threadID)]) }
    }

    public func listRuns(threadID: String, _ query: ListQuery) async throws -> ListPage<Run> {
        try await read { db in try db.page(StoredTable.run, scope: [("thread_id", threadID)], query: query) }
    }

    public func updateRun(
        id: String, threadID: String, saving messages: [Message], _ steps: [RunStep],
        _ change: @escaping @Sendable (inout Run) throws -> Void
    ) async throws -> Run? {
        try await write { db in
            guard let run: Run = try db.update(StoredTable.run, id: id, filters: [("thread_id", threadID)], change) else { return nil }
            try db.execute(sql: "UPDATE run SET status = ? WHERE id = ?", arguments: [run.status.rawValue, id])
            try db.saveProgress(messages: messages, steps: steps)
            return run
        }
    }

    public func saveRunProgress(messages: [Message], steps: [RunStep]) async throws {
        try await write { db in try db.saveProgress(messages: messages, steps: steps) }
    }

    public func activeRuns() async throws -> [Run] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM run WHERE status IN (\(activeStatuses)) AND body IS NOT NULL ORDER BY seq")
                .map { try JSONDecoder().decode(Run.self, from: $0) }
        }
    }

    // MARK: Run steps

    public func step(id: String, runID: String) async throws -> RunStep? {
        try await read { db in try db.body(StoredTable.step, id: id, filters: [("run_id", runID)]) }
    }

    public func listSteps(runID: String, _ query: ListQuery) async throws -> ListPage<RunStep> {
        try await read { db in try db.page(StoredTable.step, scope: [("run_id", runID)], query: query) }
    }

    public func allSteps(runID: String) async throws -> [RunStep] {
        try await read { db in try db.all(StoredTable.step, filters: [("run_id", runID)]) }
    }

    // MARK: Files

    public func createFile(_ file: FileObject) async throws {
        let limits = defaultLimits.withLock { $0 }
        return try await write { db in
            try db.checkFileQuotas(adding: file, defaults: limits)
            try db.insertRow(StoredTable.file, id: file.id, body: file, columns: ["purpose": file.purpose, "expires_at": file.expiresAt])
        }
    }

    public func file(id: String) async throws -> FileObject? {
        try await read { db in try db.body(StoredTable.file, id: id) }
    }

    public func listFiles(purpose: String?, _ query: ListQuery) async throws -> ListPage<FileObject> {
        try await read { db in
            try db.page(StoredTable.file, filters: purpose.map { [("purpose", $0)] } ?? [], query: query)
        }
    }

    public func deleteFile(id: String) async throws -> Bool {
        try await write { db in
            guard try db.tombstone(StoredTable.file, id: id) else { return false }
            try db.execute(sql: "UPDATE vector_store_file SET body = NULL WHERE file_id = ?", arguments: [id])
            return true
        }
    }

    public func missingFiles(among ids: [String]) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let present = try await read { db in
            let project = Database.projectCondition(StoredTable.file)
            return try Set(String.fetchAll(
                db, sql: "SELECT id FROM file WHERE body IS NOT NULL AND id IN (\(databaseQuestionMarks(count: ids.count)))\(project.sql)",
                arguments: StatementArguments(ids + project.arguments)))
        }
        return ids.filter { !present.contains($0) }
    }

    public func expiredFiles(now: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM file WHERE expires_at IS NOT NULL AND expires_at <= ? AND body IS NOT NULL ORDER BY seq",
                arguments: [now])
        }
    }
}

/// The statuses that lock a thread: the run may still write to it.
let activeStatuses = "'queued', 'in_progress', 'requires_action', 'cancelling'"

extension Database {
    func insertMessage(_ message: Message) throws {
        try indexMessage(message)
        try insertRow(StoredTable.message, id: message.id, body: message, columns: ["thread_id": message.threadID, "run_id": message.runID])
    }

    fileprivate func saveProgress(messages: [Message], steps: [RunStep]) throws {
        for message in messages {
            try indexMessage(message)
            try upsertRow(StoredTable.message, id: message.id, body: message, columns: ["thread_id": message.threadID, "run_id": message.runID])
        }
        for step in steps {
            try upsertRow(StoredTable.step, id: step.id, body: step, columns: ["run_id": step.runID])
            for item in step.toolCallItems() { try insertItem(item, replacing: true) }
        }
    }

    /// Checks the task's project's file quotas for a new file (its own, else `defaults`), and counts its
    /// bytes in the project's uploads of its day.
    func checkFileQuotas(adding file: FileObject, defaults: ProjectLimits) throws {
        let project = ProjectScope.stamp
        let day = file.createdAt / 86_400
        let limits = defaults.overridden(by: try storedProject(project))
        if let limit = limits.storageBytes {
            let used = try Int.fetchOne(
                self, sql: "SELECT COALESCE(SUM(json_extract(CAST(body AS TEXT), '$.bytes')), 0) FROM file WHERE project = ? AND body IS NOT NULL",
                arguments: [project]) ?? 0
            guard used + file.bytes <= limit else { throw StoreError.quotaExceeded(.storage, limit: limit, used: used) }
        }
        if let limit = limits.uploadBytesPerDay {
            let used = try Int.fetchOne(self, sql: "SELECT bytes FROM project_upload WHERE project = ? AND day = ?", arguments: [project, day]) ?? 0
            guard used + file.bytes <= limit else { throw StoreError.quotaExceeded(.uploads, limit: limit, used: used) }
        }
        try execute(
            sql: "INSERT INTO project_upload (project, day, bytes) VALUES (?, ?, ?) ON CONFLICT (project, day) DO UPDATE SET bytes = bytes + excluded.bytes",
            arguments: [project, day, file.bytes])
    }

    /// The project's record, for its own limits; the default project has none (no read).
    private func storedProject(_ projectID: String) throws -> Project? {
        projectID == ProjectScope.defaultProjectID ? nil : try body(StoredTable.project, id: projectID)
    }

    /// Inserts a new run, within its project's limit of active runs (its own, else `defaults`'s; the one
    /// writer counts them).
    func insertRun(_ run: Run, defaults: ProjectLimits) throws {
        if let project = run.project, let limit = defaults.overridden(by: try storedProject(project)).maxActiveRuns {
            let active = try Int.fetchOne(
                self,
                sql: "SELECT count(*) FROM run WHERE status IN (\(activeStatuses)) AND body IS NOT NULL AND json_extract(CAST(body AS TEXT), '$._project') = ?",
                arguments: [project]) ?? 0
            guard active < limit else { throw StoreError.tooManyActiveRuns(limit: limit) }
        }
        try insertRow(StoredTable.run, id: run.id, body: run, columns: ["thread_id": run.threadID, "status": run.status.rawValue])
    }

    func activeRunID(threadID: String) throws -> String? {
        try String.fetchOne(
            self, sql: "SELECT id FROM run WHERE thread_id = ? AND status IN (\(activeStatuses)) AND body IS NOT NULL LIMIT 1",
            arguments: [threadID])
    }
}
