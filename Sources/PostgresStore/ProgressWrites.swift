import AssistantsAPI
import AssistantsStore
import PostgresNIO

/// What a run's progress writes, sent as one statement: an `INSERT` per table (rows in the order given,
/// which is the order they take in lists), each a data-modifying `WITH` query, and the run's own `UPDATE`.
/// One round trip to the database however many rows it touches. PostgreSQL runs the parts in no set order,
/// on one snapshot, so no two parts touch the same row: each writes rows of its own table.
///
/// With `locksLists`, the inserts take the locks of the lists they add to themselves (see
/// `SQL.appendRows(when:)`), so that the statement is atomic without a transaction around it: the locks are
/// held until it commits. With a `run`, nothing is written unless the run's row is still the version read:
/// the inserts wait for the run's `UPDATE` and insert only if it applied.
struct ProgressWrites {
    /// Whether a message already stored is replaced (progress) or is an error (a new message).
    let replacingMessages: Bool
    let locksLists: Bool
    private var items: [ItemRow] = []
    private var messages: [RowValues] = []
    private var steps: [RowValues] = []
    /// The lists the rows join (see `Rows.lockLists`).
    private var lists: Set<String> = []
    /// The run, written whole if its row is still `version` (its `xmin` when read).
    var run: (value: Run, version: String)?

    init(replacingMessages: Bool, locksLists: Bool = false) {
        self.replacingMessages = replacingMessages
        self.locksLists = locksLists
    }

    var isEmpty: Bool { items.isEmpty && messages.isEmpty && steps.isEmpty && run == nil }

    /// A message and the item row that places it in its thread. The item's content is the message's, read
    /// through `ResponseMessage.init(_:)`; its row keeps only its place and provenance, written once. The
    /// provenance (run and direction) defaults to the message's own (the run that wrote it, as output); a
    /// response's input names its run too.
    mutating func add(_ message: Message, provenance: (runID: String?, direction: StoredItem.Direction?)? = nil) throws {
        let (runID, direction) = provenance ?? (message.runID, message.runID == nil ? nil : .output)
        items.append(ItemRow(
            id: message.id, threadID: message.threadID, runID: runID, direction: direction?.rawValue, type: "message", messageID: message.id,
            callID: nil, createdAt: message.createdAt, body: "{}"))
        messages.append(try RowValues(id: message.id, body: message, columns: [("thread_id", message.threadID), ("run_id", message.runID)]))
        lists.insert(message.list)
    }

    /// A step, with its tool calls (and the outputs of its function calls) as items of its thread, which are
    /// ordered by the thread's message list.
    mutating func add(_ step: RunStep) throws {
        steps.append(try RowValues(id: step.id, body: step, columns: [("run_id", step.runID)]))
        items += try step.toolCallItems().map(ItemRow.init)
        lists.formUnion([step.list, Rows.list(StoredTable.message, step.threadID)])
    }

    /// Gives one row: with a `run`, whether its row was written (a count, 0 or 1).
    var query: PostgresQuery {
        get throws {
            var sql = SQL("WITH ")
            var parts = 0
            func part(_ name: String? = nil, _ write: (inout SQL) throws -> Void) rethrows {
                sql.append(parts == 0 ? "" : ", ")
                sql.append("\(name ?? "w\(parts)") AS (")
                try write(&sql)
                sql.append(")")
                parts += 1
            }
            if let run {
                try part("run_written") { sql in
                    try sql.appendUpdate(StoredTable.run, id: run.value.id, body: run.value, columns: PostgresStore.runColumns(run.value))
                    sql.append(" AND xmin::text = ")
                    sql.bind(run.version)
                    sql.append(" RETURNING id")
                }
            }
            let lists = locksLists ? Array(lists) : []
            let waitsForRun = run != nil
            let condition: ((inout SQL) -> Void)? = lists.isEmpty && !waitsForRun ? nil : { sql in
                if !lists.isEmpty { sql.appendListLocks(lists) }
                if waitsForRun { sql.append(lists.isEmpty ? "EXISTS (SELECT 1 FROM run_written)" : " AND EXISTS (SELECT 1 FROM run_written)") }
            }
            if !items.isEmpty { part { $0.appendItems(items, replacing: true, when: condition) } }
            if !messages.isEmpty { part { $0.appendInsert(StoredTable.message, messages, replacing: replacingMessages, when: condition) } }
            if !steps.isEmpty { part { $0.appendInsert(StoredTable.step, steps, replacing: true, when: condition) } }
            sql.append(waitsForRun ? " SELECT count(*) FROM run_written" : " SELECT 1")
            return sql.query
        }
    }
}

/// A row of `item`: a message's index row (its content is the message's), or an item that is not a
/// message, holding it.
struct ItemRow {
    var id: String
    var threadID: String
    var runID: String?
    var direction: String?
    var type: String
    var messageID: String?
    var callID: String?
    var createdAt: Int
    var body: String
}

extension ItemRow {
    /// An item that is not a message.
    init(_ stored: StoredItem) throws {
        guard let id = stored.item.id else { preconditionFailure("stored items have ids") }
        self.init(
            id: id, threadID: stored.threadID, runID: stored.runID, direction: stored.direction?.rawValue, type: stored.item.type, messageID: nil,
            callID: stored.callID, createdAt: stored.createdAt, body: try storageJSON(stored.item))
    }
}

extension SQL {
    /// Appends the `INSERT` of item rows, in order. With `replacing`, an item stored already keeps its row
    /// (its place), and its body is replaced unless it is a message's index row, or the item was deleted
    /// (a deleted item stays deleted when its step is saved again).
    mutating func appendItems(_ rows: [ItemRow], replacing: Bool, when condition: ((inout SQL) -> Void)? = nil) {
        append("INSERT INTO item (id, thread_id, run_id, direction, type, message_id, call_id, created_at, body) ")
        appendRows(rows, when: condition) { sql, row in
            sql.bind(row.id)
            for value in [row.threadID, row.runID, row.direction, row.type, row.messageID, row.callID] {
                sql.append(", ")
                sql.bind(value)
            }
            sql.append(", ")
            sql.bind(row.createdAt)
            sql.append(", ")
            sql.bind(row.body)
            sql.append("::jsonb")
        }
        if replacing {
            append(" ON CONFLICT (id) DO UPDATE SET body = excluded.body WHERE item.body IS NOT NULL AND item.type <> 'message'")
        }
    }
}
