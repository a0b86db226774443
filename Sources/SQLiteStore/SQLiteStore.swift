import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

/// The store on SQLite: one database file in WAL mode. Each object is a row holding its JSON body, with
/// the columns lists filter on beside it; `seq` gives the list order. A deleted object keeps its row with
/// a null body, so it still works as a list cursor.
public final class SQLiteStore: AssistantsStore {
    let database: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
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

    // MARK: Assistants

    public func createAssistant(_ assistant: Assistant) async throws {
        try await database.write { db in try db.insertRow(Table.assistant, id: assistant.id, body: assistant) }
    }

    public func assistant(id: String) async throws -> Assistant? {
        try await database.read { db in try db.body(Table.assistant, id: id) }
    }

    public func listAssistants(_ query: ListQuery) async throws -> ListPage<Assistant> {
        try await database.read { db in try db.page(Table.assistant, query: query) }
    }

    public func updateAssistant(id: String, _ change: @escaping @Sendable (inout Assistant) throws -> Void) async throws -> Assistant? {
        try await database.write { db in try db.update(Table.assistant, id: id, change) }
    }

    public func deleteAssistant(id: String) async throws -> Bool {
        try await database.write { db in try db.tombstone(Table.assistant, id: id) }
    }

    // MARK: Threads

    public func createThread(_ thread: AssistantThread, messages: [Message]) async throws {
        try await database.write { db in
            try db.insertRow(Table.thread, id: thread.id, body: thread)
            for message in messages { try db.insertMessage(message) }
        }
    }

    public func thread(id: String) async throws -> AssistantThread? {
        try await database.read { db in try db.body(Table.thread, id: id) }
    }

    public func updateThread(id: String, _ change: @escaping @Sendable (inout AssistantThread) throws -> Void) async throws -> AssistantThread? {
        try await database.write { db in try db.update(Table.thread, id: id, change) }
    }

    public func deleteThread(id: String) async throws -> Bool {
        try await database.write { db in
            guard try db.tombstone(Table.thread, id: id) else { return false }
            try db.execute(sql: "DELETE FROM message WHERE thread_id = ?", arguments: [id])
            return true
        }
    }

    // MARK: Messages

    public func appendMessage(_ message: Message) async throws {
        try await database.write { db in
            guard try db.exists(Table.thread, id: message.threadID) else { throw StoreError.notFound(.thread, id: message.threadID) }
            try db.insertMessage(message)
        }
    }

    public func message(id: String, threadID: String) async throws -> Message? {
        try await database.read { db in try db.body(Table.message, id: id, filters: [("thread_id", threadID)]) }
    }

    public func listMessages(threadID: String, runID: String?, _ query: ListQuery) async throws -> ListPage<Message> {
        try await database.read { db in
            var filters: [(String, any DatabaseValueConvertible)] = [("thread_id", threadID)]
            if let runID { filters.append(("run_id", runID)) }
            return try db.page(Table.message, filters: filters, query: query)
        }
    }

    public func updateMessage(id: String, threadID: String, _ change: @escaping @Sendable (inout Message) throws -> Void) async throws -> Message? {
        try await database.write { db in try db.update(Table.message, id: id, filters: [("thread_id", threadID)], change) }
    }

    public func deleteMessage(id: String, threadID: String) async throws -> Bool {
        try await database.write { db in try db.tombstone(Table.message, id: id, filters: [("thread_id", threadID)]) }
    }

    // MARK: Files

    public func createFile(_ file: FileObject) async throws {
        try await database.write { db in
            try db.insertRow(Table.file, id: file.id, body: file, columns: ["purpose": file.purpose, "expires_at": file.expiresAt])
        }
    }

    public func file(id: String) async throws -> FileObject? {
        try await database.read { db in try db.body(Table.file, id: id) }
    }

    public func listFiles(purpose: String?, _ query: ListQuery) async throws -> ListPage<FileObject> {
        try await database.read { db in
            try db.page(Table.file, filters: purpose.map { [("purpose", $0)] } ?? [], query: query)
        }
    }

    public func deleteFile(id: String) async throws -> Bool {
        try await database.write { db in try db.tombstone(Table.file, id: id) }
    }

    public func missingFiles(among ids: [String]) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let present = try await database.read { db in
            try Set(String.fetchAll(
                db, sql: "SELECT id FROM file WHERE body IS NOT NULL AND id IN (\(databaseQuestionMarks(count: ids.count)))",
                arguments: StatementArguments(ids)))
        }
        return ids.filter { !present.contains($0) }
    }

    public func deleteExpiredFiles(now: Int) async throws -> [String] {
        try await database.write { db in
            let condition = "expires_at IS NOT NULL AND expires_at <= ? AND body IS NOT NULL"
            let ids = try String.fetchAll(db, sql: "SELECT id FROM file WHERE \(condition)", arguments: [now])
            try db.execute(sql: "UPDATE file SET body = NULL WHERE \(condition)", arguments: [now])
            return ids
        }
    }
}

extension Database {
    fileprivate func insertMessage(_ message: Message) throws {
        try insertRow(Table.message, id: message.id, body: message, columns: ["thread_id": message.threadID, "run_id": message.runID])
    }
}
