import Foundation
import Logging
import PostgresNIO
@testable import PostgresStore
import Testing

/// The PostgreSQL database the tests use, from `ASSISTANTS_TEST_POSTGRES_URL` (scripts/test and
/// scripts/postgres-for-tests start a throwaway one). Without it the PostgreSQL cases are skipped, saying why;
/// under CI (`CI=true`) they fail instead, so a CI run never passes without them.
public enum PostgresTestDatabase {
    public static let url = ProcessInfo.processInfo.environment["ASSISTANTS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether suites should list their PostgreSQL cases: left out only when no database is given outside
    /// CI, so that no case claims to pass without having run.
    public static var isListed: Bool { url != nil || isCI }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "ASSISTANTS_TEST_POSTGRES_URL is not set, so the PostgreSQL backend is untested: run scripts/test, which starts a "
                + "throwaway PostgreSQL when its binaries are installed, or set the URL to a database the tests may use."
        }
    }

    /// The test database's URL; skips the test case (fails it under CI) when none is given.
    public static func requireURL() throws -> String {
        guard let url else {
            if isCI { throw NotConfigured() }
            try Test.cancel(Comment(rawValue: NotConfigured().description))
        }
        return url
    }

    /// A configuration for a new schema of the test database, so that tests running in parallel never see
    /// each other's rows. A small pool by default: the cases run in parallel against one server's
    /// connection limit.
    public static func configuration(poolSize: Int = 8, schemaPrefix: String = "test_") throws -> PostgresStore.Configuration {
        var configuration = try PostgresStore.Configuration(url: try requireURL(), poolSize: poolSize)
        configuration.schema = schemaPrefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return configuration
    }

    /// A store on a new schema of the test database.
    public static func makeStore() async throws -> PostgresStore {
        try await makeStore(configuration: try configuration())
    }

    /// A store on `configuration`, closed and its schema dropped when the test case ends, under the
    /// `.closesStores` trait.
    public static func makeStore(configuration: PostgresStore.Configuration, label: String = "test-postgres-store") async throws -> PostgresStore {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let store = try await PostgresStore(configuration: configuration, logger: logger)
        if let made = MadeStores.current, let schema = configuration.schema {
            await made.add(store, schema: schema)
        }
        return store
    }
}

/// The PostgreSQL stores one test case made, to drop and close when it ends.
public actor MadeStores {
    @TaskLocal public static var current: MadeStores?

    private var stores: [(PostgresStore, String)] = []

    public init() {}

    func add(_ store: PostgresStore, schema: String) { stores.append((store, schema)) }

    public func closeAll() async {
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
public struct ClosesStores: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
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
    public static var closesStores: Self { ClosesStores() }
}
