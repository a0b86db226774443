import AssistantsStore
import Foundation
import PostgresNIO

/// Copied rows written as they were stored, for moving a deployment onto PostgreSQL.
extension PostgresStore: StoredRowsTarget {
    /// What a copied run left `in_progress` is owned by: an incarnation no node has, so that the first node's
    /// recovery takes the run for one a stopped node left, and ends it as a restart would.
    static let copiedRunOwner = "migration"

    public func storedRowCounts() async throws -> [String: Int] {
        try await read { rows in try await RowsWriter(rows: rows).storedRowCounts() }
    }

    /// The copied tables are locked against writes for the whole transaction (reads go on), so what the
    /// writer's `storedRowCounts` finds stays true until the copy commits.
    public func importRows(_ body: (any StoredRowsWriter) async throws -> Void) async throws {
        try await write { rows in
            let tables = StoredTables.copied.map(\.name).joined(separator: ", ")
            try await rows.execute(PostgresQuery(unsafeSQL: "LOCK TABLE \(tables) IN EXCLUSIVE MODE"))
            try await body(RowsWriter(rows: rows))
        }
    }
}

/// Inserts copied rows on the import's connection, inside its transaction. `seq` comes from each table's
/// identity as rows are inserted in the order given, so lists keep the source's order.
private struct RowsWriter: StoredRowsWriter {
    let rows: Rows

    func storedRowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in StoredTables.copied {
            let count = try await rows.execute(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)"))[0].decode(Int.self)
            if count > 0 { counts[table.name] = count }
        }
        return counts
    }

    func insert(_ stored: [StoredRow], into table: String) async throws {
        guard !stored.isEmpty else { return }
        guard let layout = StoredTables.copied.first(where: { $0.name == table }) else {
            preconditionFailure("\(table) is not a copied table")
        }
        let names = ["id", "body"] + layout.columns.map(\.name)
        var sql = SQL("INSERT INTO \(layout.name) (\(names.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ")
        for (index, row) in stored.enumerated() {
            sql.append(index == 0 ? "(" : ", (")
            sql.bind(row.id)
            sql.append(", ")
            sql.bind(row.body.map { String(decoding: $0, as: UTF8.self) })
            sql.append("::jsonb")
            for column in layout.columns {
                sql.append(", ")
                switch (column, row.columns[column.name]) {
                case (.text, .text(let value)?): sql.bind(value)
                case (.integer, .integer(let value)?): sql.bind(value)
                case (.boolean, .boolean(let value)?): sql.bind(value)
                case (.text, _): sql.bind(String?.none)
                case (.integer, _): sql.bind(Int?.none)
                case (.boolean, _): sql.bind(Bool?.none)
                }
            }
            sql.append(")")
        }
        try await rows.execute(sql.query)
        if table == StoredTable.run {
            try await rows.execute("""
                UPDATE run SET owner = \(PostgresStore.copiedRunOwner) WHERE id = ANY(\(stored.map(\.id))) AND status = 'in_progress'
                """)
        }
    }
}
