import AssistantsStore
import Foundation
import PostgresTestSupport
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
        PostgresTestDatabase.isListed ? [.sqliteInMemory, .sqliteFile, .postgres] : [.sqliteInMemory, .sqliteFile]
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
