import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB
import PostgresNIO
import PostgresTestSupport
@testable import PostgresStore
@testable import SQLiteStore
import Testing

/// The migration that adds conversation items indexes the messages of every existing thread, in order,
/// leaving out deleted ones. Each test writes messages, undoes that migration, and opens the store again.
@Suite(.closesStores) struct ItemBackfillTests {
    /// Two threads' messages, the second message of the first thread deleted; what the items must read.
    func writeMessages(_ store: any AssistantsStore) async throws -> [String: [String]] {
        let first = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let second = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        func message(_ text: String, _ thread: AssistantThread, role: Message.Role = .user) -> Message {
            Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: role, content: [.text(.init(value: text))],
                    runID: role == .assistant ? "run_1" : nil)
        }
        let deleted = message("deleted", first)
        try await store.createThread(first, messages: [message("one", first), deleted])
        try await store.createThread(second, messages: [message("elsewhere", second)])
        try await store.appendMessage(message("two", first))
        try await store.saveRunProgress(messages: [message("three", first, role: .assistant)], steps: [])
        #expect(try await store.deleteMessage(id: deleted.id, threadID: first.id))
        return [first.id: ["one", "two", "three"], second.id: ["elsewhere"]]
    }

    func texts(_ store: any AssistantsStore, threadID: String) async throws -> [String] {
        try await store.allItems(threadID: threadID).map { stored in
            guard case .message(let message) = stored.item else { return "" }
            return message.content.map { part in
                switch part {
                case .inputText(let text): text
                case .outputText(let text): text.text
                default: ""
                }
            }.joined()
        }
    }

    @Test func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backfill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("db.sqlite").path
        let expected = try await writeMessages(try SQLiteStore(path: path))
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: """
                DROP TABLE item; DROP TABLE response;
                DELETE FROM grdb_migrations WHERE identifier = 'v5: responses and conversation items';
                """)
        }
        try database.close()

        let migrated = try SQLiteStore(path: path)
        for (threadID, texts) in expected {
            #expect(try await self.texts(migrated, threadID: threadID) == texts)
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isListed)) func postgres() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let store = try await PostgresTestDatabase.makeStore(configuration: configuration)
        let expected = try await writeMessages(store)
        for statement: PostgresQuery in ["DROP TABLE item", "DROP TABLE response", "DELETE FROM schema_migrations WHERE version = 7"] {
            _ = try await store.client.query(statement)
        }

        let migrated = try await PostgresTestDatabase.makeStore(configuration: configuration)
        for (threadID, texts) in expected {
            #expect(try await self.texts(migrated, threadID: threadID) == texts)
        }
    }
}
