import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

extension SQLiteStore {
    // MARK: Responses

    public func createResponse(_ record: ResponseRecord, run: Run, input: [StoredItem], privateThread: AssistantThread?) async throws {
        let limits = defaultLimits.withLock { $0 }
        return try await write { db in
            if let privateThread {
                try db.insertRow(StoredTable.thread, id: privateThread.id, body: privateThread)
            } else {
                guard try db.exists(StoredTable.thread, id: record.threadID) else { throw StoreError.notFound(.thread, id: record.threadID) }
                if let active = try db.activeRunID(threadID: record.threadID) {
                    throw StoreError.threadHasActiveRun(threadID: record.threadID, runID: active)
                }
            }
            var threads = [record.threadID]
            if let previous = record.response.previousResponseID {
                threads += try db.responseChain(endingAt: previous).map(\.record.threadID)
            }
            try db.insertRun(run, defaults: limits)
            try db.execute(
                sql: """
                    INSERT INTO response (id, run_id, thread_id, previous_response_id, private_thread, ephemeral, body, project)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.runID, record.threadID, record.response.previousResponseID, privateThread != nil,
                    record.ephemeral, try storageEncoder.encode(record.response), ProjectScope.stamp,
                ])
            for item in input {
                try db.insertItem(item)
                if case .functionCallOutput(let output) = item.item {
                    try db.answerFunctionCall(output.callID, with: output.output.text, inThreads: threads)
                }
            }
        }
    }

    public func response(id: String) async throws -> StoredResponse? {
        try await read { db in try db.response(id: id) }
    }

    public func responseChain(endingAt id: String) async throws -> [StoredResponse] {
        try await read { db in try db.responseChain(endingAt: id) }
    }

    public func deleteResponse(id: String) async throws -> Bool {
        try await write { db in
            let project = Database.projectCondition(StoredTable.response)
            guard let row = try Row.fetchOne(
                db, sql: "SELECT run_id, thread_id, private_thread FROM response WHERE id = ? AND body IS NOT NULL\(project.sql)",
                arguments: StatementArguments([id] + project.arguments))
            else { return false }
            let (runID, threadID, privateThread): (String, String, Bool) = (row[0], row[1], row[2])
            if let active = try db.activeRunID(threadID: threadID), active == runID {
                throw StoreError.threadHasActiveRun(threadID: threadID, runID: active)
            }
            try db.execute(sql: "UPDATE response SET body = NULL WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM step WHERE run_id = ?", arguments: [runID])
            try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [runID])
            try db.execute(sql: "DELETE FROM run_event WHERE run_id = ?", arguments: [runID])
            if privateThread {
                try db.execute(sql: "UPDATE thread SET body = NULL WHERE id = ?", arguments: [threadID])
                try db.execute(sql: "DELETE FROM message WHERE thread_id = ?", arguments: [threadID])
                try db.execute(sql: "DELETE FROM item WHERE thread_id = ?", arguments: [threadID])
            }
            return true
        }
    }

    public func isPrivateThread(_ threadID: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM response WHERE thread_id = ? AND private_thread LIMIT 1", arguments: [threadID]) ?? false
        }
    }

    // MARK: Items

    public func allItems(threadID: String) async throws -> [StoredItem] {
        try await read { db in
            try db.items(where: "item.thread_id = ?", [threadID], order: "ASC", limit: nil)
        }
    }

    public func listRunItems(runID: String, direction: StoredItem.Direction, _ query: ListQuery) async throws -> ListPage<ResponseItem> {
        try await read { db in
            try db.itemPage(scope: "item.run_id = ? AND item.direction = ?", [runID, direction.rawValue], query)
        }
    }

    public func saveItems(_ items: [StoredItem]) async throws {
        try await write { db in
            for item in items { try db.insertItem(item, replacing: true) }
        }
    }

    // MARK: Conversations

    public func createThread(_ thread: AssistantThread, items: [StoredItem]) async throws {
        try await write { db in
            try db.insertRow(StoredTable.thread, id: thread.id, body: thread)
            for item in items { try db.insertItem(item) }
        }
    }

    public func appendItems(_ items: [StoredItem], threadID: String) async throws {
        try await write { db in
            guard try db.exists(StoredTable.thread, id: threadID) else { throw StoreError.notFound(.thread, id: threadID) }
            if let active = try db.activeRunID(threadID: threadID) { throw StoreError.threadLocked(threadID: threadID, runID: active) }
            for item in items {
                try db.insertItem(item)
                if case .functionCallOutput(let output) = item.item {
                    try db.answerFunctionCall(output.callID, with: output.output.text, inThreads: [threadID])
                }
            }
        }
    }

    public func listItems(threadID: String, _ query: ListQuery) async throws -> ListPage<ResponseItem> {
        try await read { db in try db.itemPage(scope: "item.thread_id = ?", [threadID], query) }
    }

    public func item(id: String, threadID: String?) async throws -> StoredItem? {
        try await read { db in
            guard let threadID else {
                // Any thread of the task's project.
                let project = Database.projectCondition(StoredTable.thread)
                let inProject = project.sql.isEmpty ? "" : " AND item.thread_id IN (SELECT id FROM thread WHERE body IS NOT NULL\(project.sql))"
                return try db.items(where: "item.id = ?\(inProject)", [id] + project.arguments, order: "ASC", limit: 1).first
            }
            return try db.items(where: "item.id = ? AND item.thread_id = ?", [id, threadID], order: "ASC", limit: 1).first
        }
    }

    public func deleteItem(id: String, threadID: String) async throws -> Bool {
        try await write { db in
            guard let item = try db.items(where: "item.id = ? AND item.thread_id = ?", [id, threadID], order: "ASC", limit: 1).first else {
                return false
            }
            if let active = try db.activeRunID(threadID: threadID) { throw StoreError.threadLocked(threadID: threadID, runID: active) }
            try db.execute(sql: "UPDATE item SET body = NULL WHERE id = ?", arguments: [id])
            if case .message = item.item {
                _ = try db.tombstone(StoredTable.message, id: id, filters: [("thread_id", threadID)])
            }
            return true
        }
    }
}

extension Database {
    /// Indexes a message as an item of its thread, unless it already is. The item's content is the
    /// message's, read through `ResponseMessage.init(_:)`; the row keeps only its place and provenance.
    func indexMessage(_ message: Message) throws {
        try execute(
            sql: """
                INSERT INTO item (id, thread_id, run_id, direction, type, message_id, created_at, body)
                VALUES (?, ?, ?, ?, 'message', ?, ?, '{}') ON CONFLICT(id) DO NOTHING
                """,
            arguments: [
                message.id, message.threadID, message.runID, message.runID == nil ? nil : StoredItem.Direction.output.rawValue,
                message.id, message.createdAt,
            ])
    }

    /// Stores an item: a `user` or `assistant` message as a thread message (and its index row), anything
    /// else as an item row holding it.
    func insertItem(_ stored: StoredItem, replacing: Bool = false) throws {
        guard let id = stored.item.id else { preconditionFailure("stored items have ids") }
        if case .message(let item) = stored.item,
           let message = Message(item, id: id, threadID: stored.threadID, createdAt: stored.createdAt, runID: stored.direction == .output ? stored.runID : nil)
        {
            try execute(
                sql: """
                    INSERT INTO item (id, thread_id, run_id, direction, type, message_id, created_at, body)
                    VALUES (?, ?, ?, ?, 'message', ?, ?, '{}') ON CONFLICT(id) DO NOTHING
                    """,
                arguments: [id, stored.threadID, stored.runID, stored.direction?.rawValue, id, stored.createdAt])
            if replacing {
                try upsertRow(StoredTable.message, id: id, body: message, columns: ["thread_id": message.threadID, "run_id": message.runID])
            } else {
                try insertMessage(message)
            }
            return
        }
        var sql = "INSERT INTO item (id, thread_id, run_id, direction, type, call_id, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        // A deleted item stays deleted when its step is saved again.
        if replacing { sql += " ON CONFLICT(id) DO UPDATE SET body = excluded.body WHERE item.body IS NOT NULL" }
        try execute(
            sql: sql,
            arguments: [
                id, stored.threadID, stored.runID, stored.direction?.rawValue, stored.item.type, stored.callID, stored.createdAt,
                try storageEncoder.encode(stored.item),
            ])
    }

    /// Fills a function call's output into the step of the run that made it, if the call is in one of
    /// `threads` and has no output yet.
    func answerFunctionCall(_ callID: String, with output: String, inThreads threads: [String]) throws {
        let runIDs = try String.fetchAll(
            self,
            sql: """
                SELECT DISTINCT run_id FROM item WHERE call_id = ? AND type = 'function_call' AND run_id IS NOT NULL
                AND thread_id IN (\(databaseQuestionMarks(count: threads.count)))
                """,
            arguments: StatementArguments([callID] + threads))
        for runID in runIDs {
            let steps: [RunStep] = try all(StoredTable.step, filters: [("run_id", runID)])
            for var step in steps {
                guard step.answer(callID: callID, with: output) else { continue }
                try upsertRow(StoredTable.step, id: step.id, body: step, columns: ["run_id": step.runID])
            }
        }
    }

    /// A page of the live items in `scope` (conditions on `item`); cursors must name items in it.
    func itemPage(scope: String, _ values: [any DatabaseValueConvertible], _ query: ListQuery) throws -> ListPage<ResponseItem> {
        var clauses = [scope]
        var arguments = values
        let ascending = query.order == .asc
        for (cursor, param, forward) in [(query.after, "after", true), (query.before, "before", false)] {
            guard let cursor else { continue }
            var cursorArguments: [any DatabaseValueConvertible] = [cursor]
            cursorArguments += values
            guard let seq = try Int64.fetchOne(self, sql: "SELECT seq FROM item WHERE item.id = ? AND \(scope)", arguments: StatementArguments(cursorArguments))
            else { throw StoreError.unknownCursor(param: param, id: cursor) }
            clauses.append("item.seq \(forward == ascending ? ">" : "<") ?")
            arguments.append(seq)
        }
        // With only `before`, the page is the items nearest the cursor: fetch backwards, then restore the order.
        let backwards = query.before != nil && query.after == nil
        var items = try self.items(
            where: clauses.joined(separator: " AND "), arguments, order: ascending != backwards ? "ASC" : "DESC", limit: query.limit + 1)
        let hasMore = items.count > query.limit
        items = Array(items.prefix(query.limit))
        if backwards { items.reverse() }
        let page = items.map(\.item)
        return ListPage(data: page, firstID: page.first?.id, lastID: page.last?.id, hasMore: hasMore)
    }

    func response(id: String) throws -> StoredResponse? {
        let project = Self.projectCondition(StoredTable.response)
        guard let row = try Row.fetchOne(
            self,
            sql: "SELECT body, run_id, thread_id, ephemeral FROM response WHERE id = ? AND body IS NOT NULL\(project.sql)",
            arguments: StatementArguments([id] + project.arguments))
        else { return nil }
        let response = try JSONDecoder().decode(ModelResponse.self, from: row[0] as Data)
        let record = ResponseRecord(response: response, runID: row[1], threadID: row[2], ephemeral: row[3])
        guard let run: Run = try body(StoredTable.run, id: record.runID) else { return nil }
        return StoredResponse(record: record, run: run)
    }

    func responseChain(endingAt id: String) throws -> [StoredResponse] {
        var chain: [StoredResponse] = []
        var next: String? = id
        while let current = next {
            guard let link = try response(id: current) else { throw StoreError.notFound(.response, id: current) }
            chain.append(link)
            next = link.record.response.previousResponseID
        }
        return chain.reversed()
    }

    /// Live items matching `conditions` (on `item`), with message items read from their messages.
    func items(where conditions: String, _ values: [any DatabaseValueConvertible], order: String, limit: Int?) throws -> [StoredItem] {
        var sql = """
            SELECT item.id, item.thread_id, item.run_id, item.direction, item.created_at, item.body, message.body
            FROM item LEFT JOIN message ON message.id = item.message_id
            WHERE item.body IS NOT NULL AND (item.message_id IS NULL OR message.body IS NOT NULL) AND \(conditions)
            ORDER BY item.seq \(order)
            """
        var arguments = values
        if let limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        return try Row.fetchAll(self, sql: sql, arguments: StatementArguments(arguments)).map { row in
            let item: ResponseItem
            if let message = row[6] as Data? {
                item = .message(ResponseMessage(try JSONDecoder().decode(Message.self, from: message)))
            } else {
                item = try JSONDecoder().decode(ResponseItem.self, from: row[5] as Data)
            }
            let direction = (row[3] as String?).flatMap(StoredItem.Direction.init(rawValue:))
            return StoredItem(item: item, threadID: row[1], runID: row[2], direction: direction, createdAt: row[4])
        }
    }
}
