import Foundation
import PostgresStore
import PostgresTestSupport
import Retrieval
import Testing

/// Every `ChunkStorage` the search suites run against. A new one adds itself here.
enum StorageBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// A fresh schema in the database `ASSISTANTS_TEST_POSTGRES_URL` names (scripts/postgres-for-tests starts one).
    case postgres

    var testDescription: String { rawValue }

    /// PostgreSQL is left out only when no database is given outside CI, so that no case claims to pass
    /// without having run; under CI its cases run and fail, saying how to give one.
    static var allCases: [StorageBackend] { PostgresTestDatabase.isListed ? [.sqlite, .postgres] : [.sqlite] }

    /// A new, empty index; on PostgreSQL in a schema of its own, dropped when the test case ends (the
    /// suites using it carry the `.closesStores` trait).
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
            let configuration = try PostgresTestDatabase.configuration(poolSize: 4)
            var indexes: [SearchIndex] = []
            for _ in 0..<count {
                let store = try await PostgresTestDatabase.makeStore(configuration: configuration, label: "test-chunk-storage")
                indexes.append(SearchIndex(storage: store.makeChunkStorage()))
            }
            return indexes
        }
    }
}
