import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

/// Encodes bodies with the fields only the server keeps.
var storageEncoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.userInfo[.storage] = true
    return encoder
}

/// The row operations every table shares: JSON bodies in, JSON bodies out, pages by `seq`.
extension Database {
    typealias Filters = [(column: String, value: any DatabaseValueConvertible)]

    func insertRow(_ table: String, id: String, body: some Encodable, columns: [String: (any DatabaseValueConvertible)?] = [:]) throws {
        try writeRow(table, id: id, body: body, columns: columns, replacing: false)
    }

    /// Inserts the row, or replaces its body and columns, keeping its place in lists.
    func upsertRow(_ table: String, id: String, body: some Encodable, columns: [String: (any DatabaseValueConvertible)?] = [:]) throws {
        try writeRow(table, id: id, body: body, columns: columns, replacing: true)
    }

    private func writeRow(
        _ table: String, id: String, body: some Encodable, columns: [String: (any DatabaseValueConvertible)?], replacing: Bool
    ) throws {
        let names = ["id", "body"] + columns.keys
        var values: [(any DatabaseValueConvertible)?] = [id, try storageEncoder.encode(body)]
        values += columns.values
        // A replaced row keeps the project it was made in.
        let project = StoredTable.projectScoped.contains(table) ? ["project"] : []
        if !project.isEmpty { values.append(ProjectScope.stamp) }
        var sql = "INSERT INTO \(table) (\((names + project).joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: values.count)))"
        if replacing {
            sql += " ON CONFLICT(id) DO UPDATE SET " + names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        }
        try execute(sql: sql, arguments: StatementArguments(values))
    }

    /// Every live row matching the filters, in insertion order.
    func all<T: Decodable>(_ table: String, filters: Filters) throws -> [T] {
        let (conditions, arguments) = Self.conditions([], [], Self.scoped(table, filters))
        return try Data.fetchAll(self, sql: "SELECT body FROM \(table) WHERE \(conditions) ORDER BY seq", arguments: arguments)
            .map { try JSONDecoder().decode(T.self, from: $0) }
    }

    func body<T: Decodable>(_ table: String, id: String, filters: Filters = []) throws -> T? {
        let (conditions, arguments) = Self.conditions(["id = ?"], [id], Self.scoped(table, filters))
        guard let data = try Data.fetchOne(self, sql: "SELECT body FROM \(table) WHERE \(conditions)", arguments: arguments) else {
            return nil
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    func exists(_ table: String, id: String) throws -> Bool {
        let (conditions, arguments) = Self.conditions(["id = ?"], [id], Self.scoped(table, []))
        return try Bool.fetchOne(self, sql: "SELECT 1 FROM \(table) WHERE \(conditions)", arguments: arguments) ?? false
    }

    func update<T: Codable>(_ table: String, id: String, filters: Filters = [], _ change: (inout T) throws -> Void) throws -> T? {
        guard var value: T = try body(table, id: id, filters: filters) else { return nil }
        try change(&value)
        try execute(sql: "UPDATE \(table) SET body = ? WHERE id = ?", arguments: [try storageEncoder.encode(value), id])
        return value
    }

    /// Drops the body, keeping the row as a cursor. False when there was no such object.
    func tombstone(_ table: String, id: String, filters: Filters = []) throws -> Bool {
        let (conditions, arguments) = Self.conditions(["id = ?"], [id], Self.scoped(table, filters))
        try execute(sql: "UPDATE \(table) SET body = NULL WHERE \(conditions)", arguments: arguments)
        return changesCount > 0
    }

    /// A page of live rows. `scope` names the list a cursor must belong to (a message's thread); `filters`
    /// narrow the page further. A deleted object stays a valid cursor of its list; an object of another
    /// list never is.
    /// `condition` is a fixed SQL condition (no arguments) rows must also meet; cursors need not meet it.
    func page<T: Decodable & Identifiable & Sendable>(
        _ table: String, scope: Filters = [], filters: Filters = [], condition: String? = nil, query: ListQuery
    ) throws -> ListPage<T>
    where T.ID == String {
        // Another project's object is no cursor of this list.
        let scope = Self.scoped(table, scope)
        var (clauses, values): ([String], [any DatabaseValueConvertible]) = (condition.map { [$0] } ?? [], [])
        let ascending = query.order == .asc
        if let after = query.after {
            clauses.append(ascending ? "seq > ?" : "seq < ?")
            values.append(try cursor(table, id: after, scope: scope, param: "after"))
        }
        if let before = query.before {
            clauses.append(ascending ? "seq < ?" : "seq > ?")
            values.append(try cursor(table, id: before, scope: scope, param: "before"))
        }
        // With only `before`, the page is the items nearest the cursor: fetch backwards, then restore the order.
        let backwards = query.before != nil && query.after == nil
        let (conditions, arguments) = Self.conditions(clauses, values, scope + filters)
        let rows = try Data.fetchAll(
            self,
            sql: "SELECT body FROM \(table) WHERE \(conditions) ORDER BY seq \(ascending != backwards ? "ASC" : "DESC") LIMIT ?",
            arguments: arguments + [query.limit + 1])
        var items = try rows.prefix(query.limit).map { try JSONDecoder().decode(T.self, from: $0) }
        if backwards { items.reverse() }
        return ListPage(items: items, hasMore: rows.count > query.limit)
    }

    private func cursor(_ table: String, id: String, scope: Filters, param: String) throws -> Int64 {
        let conditions = (["id = ?"] + scope.map { "\($0.column) = ?" }).joined(separator: " AND ")
        let values: [(any DatabaseValueConvertible)?] = [id] + scope.map(\.value)
        let arguments = StatementArguments(values)
        guard let seq = try Int64.fetchOne(self, sql: "SELECT seq FROM \(table) WHERE \(conditions)", arguments: arguments) else {
            throw StoreError.unknownCursor(param: param, id: id)
        }
        return seq
    }

    /// ` AND <table>.project = ?` and its argument, for statements written by hand: empty where
    /// `scoped(_:_:)` adds nothing.
    static func projectCondition(_ table: String) -> (sql: String, arguments: [any DatabaseValueConvertible]) {
        guard let project = StoredTable.projectFilter(table) else { return ("", []) }
        return (" AND \(table).project = ?", [project])
    }

    /// `filters` and, for a project-scoped table read by a task of a project, its project.
    static func scoped(_ table: String, _ filters: Filters) -> Filters {
        guard let project = StoredTable.projectFilter(table) else { return filters }
        return filters + [("project", project)]
    }

    /// `body IS NOT NULL AND <clauses> AND <filters>` with its arguments in order.
    private static func conditions(
        _ clauses: [String], _ values: [any DatabaseValueConvertible], _ filters: Filters
    ) -> (String, StatementArguments) {
        let all = ["body IS NOT NULL"] + clauses + filters.map { "\($0.column) = ?" }
        return (all.joined(separator: " AND "), StatementArguments(values + filters.map(\.value)))
    }
}
