import AssistantsStore
import Foundation
import Logging
import PostgresNIO
@testable import PostgresStore
import SQLiteStore
import Testing

/// Every store implementation the contract suite runs against. A new backend adds itself here.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteInMemory
    case sqliteFile
    /// A fresh schema in the database `ASSISTANTS_TEST_POSTGRES_URL` names (scripts/test starts one).
    case postgres

    var testDescription: String { rawValue }

    /// The backends the suites run on. PostgreSQL is left out only when no database is given outside CI,
    /// so that no case claims to pass without having run; `PostgresStoreTests` then says why it was skipped.
    /// Under CI its cases run and fail, saying how to give one.
    static var allCases: [StoreBackend] {
        PostgresTestDatabase.url != nil || PostgresTestDatabase.isCI ? [.sqliteInMemory, .sqliteFile, .postgres] : [.sqliteInMemory, .sqliteFile]
    }

    /// A new, empty store, closed (and on PostgreSQL dropped) when the test case ends: the suites using it
    /// carry the `.closesStores` trait.
    func make() async throws -> any AssistantsStore {
        switch self {
        case .sqliteInMemory:
            return try SQLiteStore.inMemory()
        case .sqliteFile:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        case .postgres:
            return try await PostgresTestDatabase.makeStore()
        }
    }
}

/// The PostgreSQL database the tests use, from `ASSISTANTS_TEST_POSTGRES_URL`. Without it the PostgreSQL
/// cases are skipped, saying why; under CI (`CI=true`) they fail instead, so a CI run never passes without them.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["ASSISTANTS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "ASSISTANTS_TEST_POSTGRES_URL is not set, so the PostgreSQL store is untested: run scripts/test, which starts a "
                + "throwaway PostgreSQL when its binaries are installed, or set the URL to a database the tests may use."
        }
    }

    /// Each store gets its own schema, so tests running in parallel never see each other's rows.
    static func makeStore() async throws -> PostgresStore {
        try await makeStore(configuration: try configuration())
    }

    /// A configuration for a new schema of the test database.
    static func configuration() throws -> PostgresStore.Configuration {
        guard let url else {
            if isCI { throw NotConfigured() }
            try Test.cancel(Comment(rawValue: NotConfigured().description))
        }
        // A small pool per store: the cases run in parallel against one server's connection limit.
        var configuration = try PostgresStore.Configuration(url: url, poolSize: 8)
        configuration.schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return configuration
    }

    /// A store on `configuration`, closed and its schema dropped when the test case ends.
    static func makeStore(configuration: PostgresStore.Configuration) async throws -> PostgresStore {
        let store = try await PostgresStore(configuration: configuration, logger: Logger(label: "test-postgres-store"))
        if let made = MadeStores.current {
            await made.add(store, schema: configuration.schema!)
        }
        return store
    }
}

/// The PostgreSQL stores one test case made, to drop and close when it ends.
actor MadeStores {
    @TaskLocal static var current: MadeStores?

    private var stores: [(PostgresStore, String)] = []

    func add(_ store: PostgresStore, schema: String) { stores.append((store, schema)) }

    func closeAll() async {
        // Each schema is dropped through the last store made on it: a test may have closed earlier ones.
        var lastStore: [String: PostgresStore] = [:]
        for (store, schema) in stores { lastStore[schema] = store }
        for (schema, store) in lastStore {
            // The schema name is one the tests generated: letters and digits only.
            _ = try? await store.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
        }
        for (store, _) in stores { await store.close() }
        stores = []
    }
}

/// Closes the stores each test case made and drops their PostgreSQL schemas, whether the case passed or not.
struct ClosesStores: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        let made = MadeStores()
        do {
            try await MadeStores.$current.withValue(made) { try await function() }
        } catch {
            await made.closeAll()
            throw error
        }
        await made.closeAll()
    }
}

extension Trait where Self == ClosesStores {
    /// See `ClosesStores`.
    static var closesStores: Self { ClosesStores() }
}
