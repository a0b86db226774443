import Foundation
import Logging
import PostgresNIO
@testable import PostgresStore
import Retrieval
import Testing

/// Every `ChunkStorage` the search suites run against. A new one adds itself here.
enum StorageBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// A fresh schema in the database `ASSISTANTS_TEST_POSTGRES_URL` names (scripts/postgres-for-tests starts one).
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["ASSISTANTS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// PostgreSQL is left out only when no database is given outside CI, so that no case claims to pass
    /// without having run; under CI its cases run and fail, saying how to give one.
    static var allCases: [StorageBackend] { postgresURL != nil || isCI ? [.sqlite, .postgres] : [.sqlite] }

    /// A new, empty index; on PostgreSQL in a schema of its own, dropped when the test case ends (the
    /// suites using it carry the `.dropsSchemas` trait).
    func makeIndex() async throws -> SearchIndex {
        try await makeNodes(1)[0]
    }

    /// `count` indexes on one new, empty storage, as `count` nodes would have: on PostgreSQL each with its
    /// own connection pool.
    func makeNodes(_ count: Int) async throws -> [SearchIndex] {
        switch self {
        case .sqlite:
            let index = try SearchIndex()
            return Array(repeating: index, count: count)
        case .postgres:
            guard let url = Self.postgresURL else {
                if Self.isCI { throw NotConfigured() }
                try Test.cancel(Comment(rawValue: NotConfigured().description))
            }
            var configuration = try PostgresStore.Configuration(url: url, poolSize: 4)
            configuration.schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var logger = Logger(label: "test-chunk-storage")
            logger.logLevel = .warning
            var indexes: [SearchIndex] = []
            for _ in 0..<count {
                let store = try await PostgresStore(configuration: configuration, logger: logger)
                await OpenedStores.current?.add(store, schema: configuration.schema!)
                indexes.append(SearchIndex(storage: store.makeChunkStorage()))
            }
            return indexes
        }
    }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "ASSISTANTS_TEST_POSTGRES_URL is not set, so the PostgreSQL chunk storage is untested: run the tests under "
                + "scripts/postgres-for-tests, or set the URL to a database the tests may use."
        }
    }
}

/// The PostgreSQL stores one test case opened, to close, and whose schemas to drop, when it ends.
actor OpenedStores {
    @TaskLocal static var current: OpenedStores?

    private var stores: [(PostgresStore, String)] = []

    func add(_ store: PostgresStore, schema: String) { stores.append((store, schema)) }

    func closeAll() async {
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

/// Closes the PostgreSQL stores each test case opened and drops their schemas, whether it passed or not.
struct DropsSchemas: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        let opened = OpenedStores()
        do {
            try await OpenedStores.$current.withValue(opened) { try await function() }
        } catch {
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }
}

extension Trait where Self == DropsSchemas {
    /// See `DropsSchemas`.
    static var dropsSchemas: Self { DropsSchemas() }
}
