import Foundation

/// Copying a deployment's records from one backend to another (`assistants migrate`): every row of every
/// table the SQL backends keep, as stored, so that ids, `created_at`, metadata and list order come out as
/// they went in. The source reads its rows a page at a time (`StoredRowsSource`); the target writes them
/// all in one transaction (`StoredRowsTarget`). Nothing above the stores sees a row's SQL.

/// The tables a copy carries, in the order it copies them, with the columns each keeps beside `id` and
/// `body` (what lists filter on). Runtime state (which node owns a run, nodes, events) is not among them.
package enum StoredTables {
    package static let copied: [StoredTableLayout] = [
        .init(StoredTable.project, [.text("name")]),
        .init(StoredTable.apiKey, [.text("project"), .text("hash")]),
        .init(StoredTable.assistant, [.text("project")]),
        .init(StoredTable.file, [.text("project"), .text("purpose"), .integer("expires_at")]),
        .init(StoredTable.thread, [.text("project")]),
        .init(StoredTable.message, [.text("thread_id"), .text("run_id")]),
        .init(StoredTable.run, [.text("thread_id"), .text("status")]),
        .init(StoredTable.step, [.text("run_id")]),
        .init(StoredTable.vectorStore, [.text("project"), .integer("expires_at")]),
        .init(StoredTable.vectorStoreFile, [
            .text("store_id"), .text("file_id"), .text("batch_id"), .text("status"), .integer("usage_bytes"),
        ]),
        .init(StoredTable.fileBatch, [.text("store_id")]),
        .init(StoredTable.response, [
            .text("project"), .text("run_id"), .text("thread_id"), .text("previous_response_id"), .boolean("private_thread"),
            .boolean("ephemeral"),
        ]),
        .init(StoredTable.item, [
            .text("thread_id"), .text("run_id"), .text("direction"), .text("type"), .text("message_id"), .text("call_id"),
            .integer("created_at"),
        ]),
    ]
}

/// A table and its columns besides `seq`, `id` and `body`. Names are constants, spliced into SQL.
package struct StoredTableLayout: Sendable {
    package let name: String
    package let columns: [StoredColumn]

    init(_ name: String, _ columns: [StoredColumn] = []) {
        self.name = name
        self.columns = columns
    }
}

/// A column beside a row's body, and the kind of value it holds.
package enum StoredColumn: Sendable {
    case text(String)
    case integer(String)
    case boolean(String)

    package var name: String {
        switch self {
        case .text(let name), .integer(let name), .boolean(let name): name
        }
    }
}

/// One row of a stored table, as it is stored.
public struct StoredRow: Sendable, Equatable {
    public var id: String
    /// The JSON body, with the fields only the server keeps; nil for a deleted object whose row stays as
    /// a list cursor (a client paging with its id keeps working after the copy).
    public var body: Data?
    /// The table's other columns (`StoredTableLayout.columns`), by name.
    public var columns: [String: StoredValue]

    public init(id: String, body: Data?, columns: [String: StoredValue]) {
        self.id = id
        self.body = body
        self.columns = columns
    }
}

/// A column's value: text, an integer or a boolean, nil for NULL.
public enum StoredValue: Sendable, Equatable {
    case text(String?)
    case integer(Int?)
    case boolean(Bool?)
}

/// A store whose rows can be read out, table by table, for a copy.
public protocol StoredRowsSource: Sendable {
    /// Up to `limit` rows of `table` in list order, after the row at `position` (from the start when nil),
    /// with the position of the last row to pass as `position` for the next page; no rows at the end.
    /// `table` is one of `StoredTables.copied`.
    func rows(of table: String, after position: Int64?, limit: Int) async throws -> (rows: [StoredRow], last: Int64?)
}

/// A store that can take copied rows.
public protocol StoredRowsTarget: Sendable {
    /// How many rows each copied table holds (deleted objects' rows included); only tables with rows are
    /// named. A copy goes only into a store where this is empty: asked first, to fail early, and again by
    /// the writer inside the import's transaction.
    func storedRowCounts() async throws -> [String: Int]

    /// Runs `body` in one transaction that it commits when `body` returns and rolls back when it throws:
    /// the rows written through the `StoredRowsWriter` become visible all together or not at all. Other
    /// writers to the copied tables wait until it ends. `body` may be run again if the database aborts
    /// the transaction for a reason worth retrying (a deadlock).
    func importRows(_ body: (any StoredRowsWriter) async throws -> Void) async throws
}

/// Writes copied rows inside `StoredRowsTarget.importRows`' transaction.
public protocol StoredRowsWriter {
    /// `StoredRowsTarget.storedRowCounts` inside the transaction, which keeps other writers out of the
    /// copied tables until it ends: a copy that finds them empty here cannot be mixed with other rows.
    func storedRowCounts() async throws -> [String: Int]

    /// Inserts `rows` into `table` in the order given, after the rows inserted into it before, so lists keep
    /// their order. Throws if a row's id is already taken.
    func insert(_ rows: [StoredRow], into table: String) async throws
}
