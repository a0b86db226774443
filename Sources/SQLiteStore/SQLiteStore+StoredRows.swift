import AssistantsStore
import Foundation
import GRDB

/// Rows read out as stored, for copying a deployment to another backend.
extension SQLiteStore: StoredRowsSource {
    public func rows(of table: String, after position: Int64?, limit: Int) async throws -> (rows: [StoredRow], last: Int64?) {
        guard let layout = StoredTables.copied.first(where: { $0.name == table }) else {
            preconditionFailure("\(table) is not a copied table")
        }
        let names = (["seq", "id", "body"] + layout.columns.map(\.name)).map { "\"\($0)\"" }.joined(separator: ", ")
        return try await read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(names) FROM \(layout.name) WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [position ?? 0, limit])
            let stored = rows.map { row in
                var columns: [String: StoredValue] = [:]
                for column in layout.columns {
                    switch column {
                    case .text(let name): columns[name] = .text(row[name])
                    case .integer(let name): columns[name] = .integer(row[name])
                    case .boolean(let name): columns[name] = .boolean(row[name])
                    }
                }
                return StoredRow(id: row["id"], body: row["body"], columns: columns)
            }
            return (stored, rows.last.map { $0["seq"] as Int64 })
        }
    }
}
