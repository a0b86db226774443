import AssistantsStore
import Foundation
import SQLiteStore
import Testing

/// Every store implementation the contract suite runs against. A new backend adds itself here.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteInMemory
    case sqliteFile

    var testDescription: String { rawValue }

    func make() throws -> any AssistantsStore {
        switch self {
        case .sqliteInMemory:
            return try SQLiteStore.inMemory()
        case .sqliteFile:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path)
        }
    }
}
