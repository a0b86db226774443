import AssistantsAPI
import Foundation
import Logging
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Testing

/// What only the PostgreSQL backend has: its URL, migrations shared by nodes, data outliving the process.
@Suite(.closesStores) struct PostgresStoreTests {
    @Test func readsTheDatabaseURL() throws {
        let remote = try PostgresStore.Configuration(url: "postgres://app:p%40ss@db.example.com:6543/assistants?sslmode=require", poolSize: 8)
        #expect(remote.host == "db.example.com" && remote.port == 6543)
        #expect(remote.username == "app" && remote.password == "p@ss" && remote.database == "assistants")
        #expect(remote.tls == .require && remote.poolSize == 8)

        let local = try PostgresStore.Configuration(url: "postgresql://me@127.0.0.1")
        #expect(local.port == 5432 && local.database == "me" && local.password == nil)
        #expect(local.tls == .disable, "loopback defaults to plain TCP")
        #expect(try PostgresStore.Configuration(url: "postgres://me@db.internal/x").tls == .prefer)
        #expect(try PostgresStore.Configuration(url: "postgres://me@127.0.0.1/x?sslmode=prefer").tls == .prefer)

        for invalid in ["postgres://db.example.com/x", "postgres://me@/x", "postgres://me@h/x?sslmode=verify-ca",
                        "postgres://me@h/x?search_path=y", "mysql://me@h/x"] {
            #expect(throws: PostgresStore.ConfigurationError.self, "\(invalid)") { try PostgresStore.Configuration(url: invalid) }
        }
        #expect(throws: PostgresStore.ConfigurationError.self) { try PostgresStore.Configuration(url: "postgres://me@h/x", poolSize: 0) }
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresTestDatabase.makeStore(configuration: configuration) } }
            return try await group.reduce(into: [PostgresStore]()) { $0.append($1) }
        }
        let rows = try await stores[0].client.query("SELECT version FROM schema_migrations ORDER BY version")
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        #expect(versions == Schema.migrations.map(\.version))
    }

    @Test func dataOutlivesTheStore() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "Persisted", model: "m")
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let message = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: "hi"))])
        let first = try await PostgresTestDatabase.makeStore(configuration: configuration)
        try await first.createAssistant(assistant)
        try await first.createThread(thread, messages: [message])
        await first.close()

        let reopened = try await PostgresTestDatabase.makeStore(configuration: configuration)
        #expect(try await reopened.assistant(id: assistant.id) == assistant)
        #expect(try await reopened.message(id: message.id, threadID: thread.id) == message)
    }
}
