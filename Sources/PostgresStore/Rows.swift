import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresNIO

/// A column and the value a row must hold there. Columns are constants; values are always bound.
typealias Filters = [(column: String, value: String)]

/// Builds a query from constant SQL and bound values, for statements whose shape depends on which filters
/// apply. Every value goes in as a `$n` parameter.
struct SQL {
    private(set) var text = ""
    private var binds = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    mutating func append(_ constant: String) { text += constant }

    /// Appends `$n` and binds `value` (NULL for nil) to it.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
        binds.append(value)
        text += "$\(binds.count)"
    }

    mutating func bind(_ value: any PostgresDynamicTypeEncodable) {
        binds.append(value)
        text += "$\(binds.count)"
    }

    /// `body IS NOT NULL AND <column> = $n ...`: the live rows matching the filters.
    mutating func appendLive(_ filters: Filters) {
        append("body IS NOT NULL")
        appendFilters(filters)
    }

    mutating func appendFilters(_ filters: Filters) {
        for filter in filters {
            append(" AND \(filter.column) = ")
            bind(filter.value)
        }
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

/// Encodes bodies with the fields only the server keeps.
func storageJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.userInfo[.storage] = true
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

func decodeBody<T: Decodable>(_ json: String, as type: T.Type = T.self) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

/// The row operations every table shares, on one leased connection (inside a transaction when writing):
/// JSON bodies in, JSON bodies out, pages by `seq`.
struct Rows {
    let connection: PostgresConnection
    let logger: Logger
    /// The limits of projects that set none of their own (`PostgresStore.setDefaultLimits`).
    var defaultLimits = ProjectLimits()

    /// Runs a statement and reads every row it returns, so the connection is free for the next one.
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    func strings(_ query: PostgresQuery) async throws -> [String] {
        try await execute(query).map { try $0.decode(String.self) }
    }

    func bodies<T: Decodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        try await strings(query).map { try decodeBody($0) }
    }

    /// Serializes the transactions that add rows to one list (a table, or a table's rows of one parent),
    /// until this transaction ends.
    ///
    /// Why: `seq` comes from a sequence when a row is inserted, but rows become visible when their
    /// transaction commits, and with several writers that order differs. A reader paging `after` the row
    /// with seq 6 would never see a row with seq 5 committed a moment later. Holding this lock from before
    /// taking a seq until commit makes seq order equal commit order within the list, so a page's cursor
    /// never passes an uncommitted row. The cost: inserts into one list commit one at a time; lists of
    /// different parents (the messages of two threads) never wait for each other, and a hash collision
    /// only adds waiting. Keys are always taken in the order of their hashes, so two transactions cannot
    /// deadlock on them. One statement takes them all (PostgreSQL evaluates the select list after sorting).
    func lockLists(_ lists: some Sequence<String>) async throws {
        let lists = Array(Set(lists))
        guard !lists.isEmpty else { return }
        var sql = SQL("SELECT ")
        sql.appendListLocks(lists)
        try await execute(sql.query)
    }

    static func list(_ table: String, _ parent: String? = nil) -> String {
        parent.map { "\(table):\($0)" } ?? table
    }

    /// Inserts a row; the caller holds the row's list lock (see `lockLists`).
    func insert(_ table: String, id: String, body: some Encodable, columns: [(String, String?)] = [], numbers: [(String, Int?)] = []) async throws {
        try await write(table, id: id, body: body, columns: columns, numbers: numbers, replacing: false)
    }

    /// Inserts the row, or replaces its body and columns, keeping its place in lists.
    func upsert(_ table: String, id: String, body: some Encodable, columns: [(String, String?)] = [], numbers: [(String, Int?)] = []) async throws {
        try await write(table, id: id, body: body, columns: columns, numbers: numbers, replacing: true)
    }

    private func write(
        _ table: String, id: String, body: some Encodable, columns: [(String, String?)], numbers: [(String, Int?)], replacing: Bool
    ) async throws {
        var sql = SQL()
        sql.appendInsert(table, [try RowValues(id: id, body: body, columns: columns, numbers: numbers)], replacing: replacing)
        try await execute(sql.query)
    }

    /// Every live row matching the filters, in insertion order.
    func all<T: Decodable>(_ table: String, filters: Filters) async throws -> [T] {
        var sql = SQL("SELECT body::text FROM \(table) WHERE ")
        sql.appendLive(Self.scoped(table, filters))
        sql.append(" ORDER BY seq")
        return try await bodies(sql.query)
    }

    /// The live object; with `forUpdate`, its row stays locked until the transaction ends.
    func body<T: Decodable>(_ table: String, id: String, filters: Filters = [], forUpdate: Bool = false) async throws -> T? {
        var sql = SQL("SELECT body::text FROM \(table) WHERE ")
        sql.appendLive(Self.scoped(table, [("id", id)] + filters))
        if forUpdate { sql.append(" FOR UPDATE") }
        return try await bodies(sql.query, as: T.self).first
    }

    /// Whether the object lives; with `forUpdate`, its row stays locked until the transaction ends.
    func exists(_ table: String, id: String, forUpdate: Bool = false) async throws -> Bool {
        var sql = SQL("SELECT id FROM \(table) WHERE ")
        sql.appendLive(Self.scoped(table, [("id", id)]))
        if forUpdate { sql.append(" FOR UPDATE") }
        return try await execute(sql.query).isEmpty == false
    }

    /// Read, change and write back one object under its row lock, so concurrent changes queue up
    /// instead of overwriting each other. `columns` gives the columns derived from the changed object (a
    /// run's status), set in the same statement as the body.
    func update<T: Codable>(
        _ table: String, id: String, filters: Filters = [], columns: (T) -> [(String, any PostgresDynamicTypeEncodable)] = { _ in [] },
        _ change: (inout T) throws -> Void
    ) async throws -> T? {
        guard var value: T = try await body(table, id: id, filters: filters, forUpdate: true) else { return nil }
        try change(&value)
        var sql = SQL()
        try sql.appendUpdate(table, id: id, body: value, columns: columns(value))
        try await execute(sql.query)
        return value
    }

    /// The live object with its row's version: `xmin`, the transaction that last wrote the row, which any
    /// later write changes.
    func versionedBody<T: Decodable>(_ table: String, id: String, filters: Filters) async throws -> (body: T, version: String)? {
        var sql = SQL("SELECT body::text, xmin::text FROM \(table) WHERE ")
        sql.appendLive(Self.scoped(table, [("id", id)] + filters))
        guard let row = try await execute(sql.query).first else { return nil }
        let (json, version) = try row.decode((String, String).self)
        return (try decodeBody(json), version)
    }

    /// Drops the body, keeping the row as a cursor. False when there was no such object.
    func tombstone(_ table: String, id: String, filters: Filters = []) async throws -> Bool {
        var sql = SQL("UPDATE \(table) SET body = NULL WHERE ")
        sql.appendLive(Self.scoped(table, [("id", id)] + filters))
        sql.append(" RETURNING id")
        return try await execute(sql.query).isEmpty == false
    }

    /// A page of live rows. `scope` names the list a cursor must belong to (a message's thread); `filters`
    /// narrow the page further. A deleted object stays a valid cursor of its list; an object of another
    /// list never is.
    /// `condition` is a fixed SQL condition (no binds) rows must also meet; cursors need not meet it.
    func page<T: Decodable & Identifiable & Sendable>(
        _ table: String, scope: Filters = [], filters: Filters = [], condition: String? = nil, query: ListQuery
    ) async throws -> ListPage<T> where T.ID == String {
        // Another project's object is no cursor of this list.
        let scope = Self.scoped(table, scope)
        let ascending = query.order == .asc
        var sql = SQL("SELECT body::text FROM \(table) WHERE ")
        sql.appendLive(scope + filters)
        if let condition { sql.append(" AND (\(condition))") }
        if let after = query.after {
            sql.append(ascending ? " AND seq > " : " AND seq < ")
            sql.bind(try await cursor(table, id: after, scope: scope, param: "after"))
        }
        if let before = query.before {
            sql.append(ascending ? " AND seq < " : " AND seq > ")
            sql.bind(try await cursor(table, id: before, scope: scope, param: "before"))
        }
        // With only `before`, the page is the items nearest the cursor: fetch backwards, then restore the order.
        let backwards = query.before != nil && query.after == nil
        sql.append(" ORDER BY seq \(ascending != backwards ? "ASC" : "DESC") LIMIT ")
        sql.bind(query.limit + 1)
        let rows: [T] = try await bodies(sql.query)
        var items = Array(rows.prefix(query.limit))
        if backwards { items.reverse() }
        return ListPage(items: items, hasMore: rows.count > query.limit)
    }

    /// `filters` and, for a project-scoped table read by a task of a project, its project.
    static func scoped(_ table: String, _ filters: Filters) -> Filters {
        guard let project = StoredTable.projectFilter(table) else { return filters }
        return filters + [("project", project)]
    }

    private func cursor(_ table: String, id: String, scope: Filters, param: String) async throws -> Int {
        var sql = SQL("SELECT seq FROM \(table) WHERE id = ")
        sql.bind(id)
        sql.appendFilters(scope)
        guard let row = try await execute(sql.query).first else { throw StoreError.unknownCursor(param: param, id: id) }
        return try row.decode(Int.self)
    }
}

/// A row to insert: its id, its body as stored, and the columns derived from the body.
struct RowValues {
    var id: String
    var body: String
    var columns: [(String, String?)]
    var numbers: [(String, Int?)]

    init(id: String, body: some Encodable, columns: [(String, String?)] = [], numbers: [(String, Int?)] = []) throws {
        self.id = id
        self.body = try storageJSON(body)
        self.columns = columns
        self.numbers = numbers
    }
}

extension SQL {
    /// Appends an `INSERT` of rows (an upsert when `replacing`) with the same columns, after whatever the
    /// statement begins with (a `WITH` clause). Rows take their `seq` in the order given.
    /// With `condition` (see `appendRows(when:)`), the rows are inserted only if it holds.
    mutating func appendInsert(_ table: String, _ rows: [RowValues], replacing: Bool, when condition: ((inout SQL) -> Void)? = nil) {
        guard let first = rows.first else { preconditionFailure("an insert needs rows") }
        let names = ["id", "body"] + first.columns.map(\.0) + first.numbers.map(\.0)
        // A replaced row keeps the project it was made in.
        let project = StoredTable.projectScoped.contains(table) ? ProjectScope.stamp : nil
        append("INSERT INTO \(table) (\((names + (project == nil ? [] : ["project"])).joined(separator: ", "))) ")
        appendRows(rows, when: condition) { sql, row in
            sql.bind(row.id)
            sql.append(", ")
            sql.bind(row.body)
            sql.append("::jsonb")
            for (_, value) in row.columns {
                sql.append(", ")
                sql.bind(value)
            }
            for (_, value) in row.numbers {
                sql.append(", ")
                sql.bind(value)
                sql.append("::bigint")
            }
            if let project {
                sql.append(", ")
                sql.bind(project)
            }
        }
        if replacing {
            append(" ON CONFLICT (id) DO UPDATE SET " + names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
        }
    }

    /// Appends an insert's rows: `VALUES (…), (…)`, each row's values appended by `values`. With `condition`,
    /// `SELECT * FROM (VALUES …) AS v WHERE <condition>`: the rows are inserted only if it holds, and it is
    /// evaluated once (it must not name `v`), before any row is formed and takes its `seq`. That is how an
    /// insert takes its lists' locks (`appendListLocks`) in the statement that inserts, or is made to wait
    /// for another part of the statement. (Values are typed by their binds; a NULL bind is text.)
    mutating func appendRows<Row>(_ rows: [Row], when condition: ((inout SQL) -> Void)?, _ values: (inout SQL, Row) -> Void) {
        append(condition == nil ? "VALUES " : "SELECT * FROM (VALUES ")
        for (index, row) in rows.enumerated() {
            append(index == 0 ? "(" : ", (")
            values(&self, row)
            append(")")
        }
        if let condition {
            append(") AS v WHERE ")
            condition(&self)
        }
    }

    /// Appends a condition that takes the advisory locks of `lists` (see `Rows.lockLists`), in the order of
    /// their keys, and then holds. One statement takes them all: PostgreSQL evaluates the select list after
    /// sorting.
    mutating func appendListLocks(_ lists: [String]) {
        append("(SELECT count(*) FROM (SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtext(list) AS key FROM unnest(")
        bind(lists)
        append("::text[]) AS list) AS keys ORDER BY key) AS locked) >= 0")
    }

    /// Appends an `UPDATE` of a row's body, and of the columns derived from it, by id.
    mutating func appendUpdate(_ table: String, id: String, body: some Encodable, columns: [(String, any PostgresDynamicTypeEncodable)]) throws {
        append("UPDATE \(table) SET body = ")
        bind(try storageJSON(body))
        append("::jsonb")
        for (column, value) in columns {
            append(", \(column) = ")
            bind(value)
        }
        append(" WHERE id = ")
        bind(id)
    }
}
