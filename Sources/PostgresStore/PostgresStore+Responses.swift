import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresNIO

extension PostgresStore {
    // MARK: Responses

    public func createResponse(_ record: ResponseRecord, run: Run, input: [StoredItem], privateThread: AssistantThread?) async throws {
        try await write { rows in
            // A new private thread's lists need no lock (see `Rows.insertThread`); an existing thread's do. A
            // thread's messages and items are one list for locking: both are ordered by the item `seq`.
            if privateThread == nil {
                try await rows.lockThread(record.threadID)
                if let active = try await rows.activeRunID(threadID: record.threadID) {
                    throw StoreError.threadHasActiveRun(threadID: record.threadID, runID: active)
                }
                try await rows.lockLists([run.list, Rows.list(StoredTable.message, record.threadID)])
            }
            var threads = [record.threadID]
            if let previous = record.response.previousResponseID {
                threads += try await rows.responseChain(endingAt: previous).map(\.record.threadID)
            }
            try await rows.insertRun(run)
            for item in input {
                try await rows.insertItem(item)
                if case .functionCallOutput(let output) = item.item {
                    try await rows.answerFunctionCall(output.callID, with: output.output.text, inThreads: threads)
                }
            }
            // Last, as `Rows.insertThread`: the lists of all responses and all threads are locked, each in the
            // statement that inserts into it, only until the commit.
            var sql = SQL("INSERT INTO response (id, run_id, thread_id, previous_response_id, private_thread, ephemeral, body, project) ")
            let body = try storageJSON(record.response)
            sql.appendRows([record], when: { $0.appendListLocks([Rows.list(StoredTable.response)]) }) { sql, record in
                for value in [record.id, record.runID, record.threadID, record.response.previousResponseID] {
                    sql.bind(value)
                    sql.append(", ")
                }
                sql.bind(privateThread != nil)
                sql.append(", ")
                sql.bind(record.ephemeral)
                sql.append(", ")
                sql.bind(body)
                sql.append("::jsonb, ")
                sql.bind(ProjectScope.stamp)
            }
            try await rows.execute(sql.query)
            if let privateThread { try await rows.insertThread(privateThread) }
        }
    }

    public func response(id: String) async throws -> StoredResponse? {
        try await read { rows in try await rows.response(id: id) }
    }

    public func responseChain(endingAt id: String) async throws -> [StoredResponse] {
        try await read { rows in try await rows.responseChain(endingAt: id) }
    }

    public func deleteResponse(id: String) async throws -> Bool {
        try await write { rows in
            let project = StoredTable.projectFilter(StoredTable.response)
            guard let row = try await rows.execute("""
                SELECT run_id, thread_id, private_thread FROM response
                WHERE id = \(id) AND body IS NOT NULL AND (\(project)::text IS NULL OR project = \(project)) FOR UPDATE
                """).first
            else { return false }
            let (runID, threadID, privateThread) = try row.decode((String, String, Bool).self)
            try await rows.lockThread(threadID)
            if let active = try await rows.activeRunID(threadID: threadID), active == runID {
                throw StoreError.threadHasActiveRun(threadID: threadID, runID: active)
            }
            try await rows.execute("UPDATE response SET body = NULL WHERE id = \(id)")
            try await rows.execute("DELETE FROM step WHERE run_id = \(runID)")
            try await rows.execute("DELETE FROM run WHERE id = \(runID)")
            try await rows.execute("DELETE FROM run_event WHERE run_id = \(runID)")
            if privateThread {
                try await rows.execute("UPDATE thread SET body = NULL WHERE id = \(threadID)")
                try await rows.execute("DELETE FROM message WHERE thread_id = \(threadID)")
                try await rows.execute("DELETE FROM item WHERE thread_id = \(threadID)")
            }
            return true
        }
    }

    public func isPrivateThread(_ threadID: String) async throws -> Bool {
        try await read { rows in
            try await rows.execute("SELECT 1 FROM response WHERE thread_id = \(threadID) AND private_thread LIMIT 1").isEmpty == false
        }
    }

    // MARK: Items

    public func allItems(threadID: String) async throws -> [StoredItem] {
        try await read { rows in
            try await rows.items(order: "ASC", limit: nil) { sql in
                sql.append("item.thread_id = ")
                sql.bind(threadID)
            }
        }
    }

    public func listRunItems(runID: String, direction: StoredItem.Direction, _ query: ListQuery) async throws -> ListPage<ResponseItem> {
        try await read { rows in
            try await rows.itemPage(query) { sql in
                sql.append("item.run_id = ")
                sql.bind(runID)
                sql.append(" AND item.direction = ")
                sql.bind(direction.rawValue)
            }
        }
    }

    public func saveItems(_ items: [StoredItem]) async throws {
        try await write { rows in
            try await rows.lockLists(items.map { Rows.list(StoredTable.message, $0.threadID) })
            for item in items { try await rows.insertItem(item, replacing: true) }
        }
    }

    // MARK: Conversations

    public func createThread(_ thread: AssistantThread, items: [StoredItem]) async throws {
        try await write { rows in
            for item in items { try await rows.insertItem(item) }
            try await rows.insertThread(thread)
        }
    }

    public func appendItems(_ items: [StoredItem], threadID: String) async throws {
        try await write { rows in
            try await rows.lockThread(threadID)
            if let active = try await rows.activeRunID(threadID: threadID) {
                throw StoreError.threadLocked(threadID: threadID, runID: active)
            }
            try await rows.lockLists([Rows.list(StoredTable.message, threadID)])
            for item in items {
                try await rows.insertItem(item)
                if case .functionCallOutput(let output) = item.item {
                    try await rows.answerFunctionCall(output.callID, with: output.output.text, inThreads: [threadID])
                }
            }
        }
    }

    public func listItems(threadID: String, _ query: ListQuery) async throws -> ListPage<ResponseItem> {
        try await read { rows in
            try await rows.itemPage(query) { sql in
                sql.append("item.thread_id = ")
                sql.bind(threadID)
            }
        }
    }

    public func item(id: String, threadID: String?) async throws -> StoredItem? {
        try await read { rows in try await rows.item(id: id, threadID: threadID) }
    }

    public func deleteItem(id: String, threadID: String) async throws -> Bool {
        try await write { rows in
            // The thread's row lock orders this with runs starting on it.
            try await rows.lockThread(threadID)
            guard let item = try await rows.item(id: id, threadID: threadID) else { return false }
            if let active = try await rows.activeRunID(threadID: threadID) {
                throw StoreError.threadLocked(threadID: threadID, runID: active)
            }
            try await rows.execute("UPDATE item SET body = NULL WHERE id = \(id)")
            if case .message = item.item {
                _ = try await rows.tombstone(StoredTable.message, id: id, filters: [("thread_id", threadID)])
            }
            return true
        }
    }
}

extension Rows {
    /// Stores an item: a `user` or `assistant` message as a thread message (and its index row), anything
    /// else as an item row holding it. The caller holds the thread's message list lock.
    func insertItem(_ stored: StoredItem, replacing: Bool = false) async throws {
        guard let id = stored.item.id else { preconditionFailure("stored items have ids") }
        if case .message(let item) = stored.item,
           let message = Message(item, id: id, threadID: stored.threadID, createdAt: stored.createdAt, runID: stored.direction == .output ? stored.runID : nil)
        {
            try await writeMessage(message, provenance: (stored.runID, stored.direction), replacing: replacing)
            return
        }
        var sql = SQL()
        sql.appendItems([try ItemRow(stored)], replacing: replacing)
        try await execute(sql.query)
    }

    /// Fills a function call's output into the step of the run that made it, if the call is in one of
    /// `threads` and has no output yet.
    func answerFunctionCall(_ callID: String, with output: String, inThreads threads: [String]) async throws {
        let runIDs = try await strings("""
            SELECT DISTINCT run_id FROM item WHERE call_id = \(callID) AND type = 'function_call' AND run_id IS NOT NULL
            AND thread_id = ANY(\(threads))
            """)
        for runID in runIDs {
            let steps: [RunStep] = try await all(StoredTable.step, filters: [("run_id", runID)])
            for var step in steps {
                guard step.answer(callID: callID, with: output) else { continue }
                try await upsert(StoredTable.step, id: step.id, body: step, columns: [("run_id", step.runID)])
            }
        }
    }

    func item(id: String, threadID: String?) async throws -> StoredItem? {
        try await self.items(order: "ASC", limit: 1) { sql in
            sql.append("item.id = ")
            sql.bind(id)
            if let threadID {
                sql.append(" AND item.thread_id = ")
                sql.bind(threadID)
            } else if let project = StoredTable.projectFilter(StoredTable.thread) {
                // Any thread of the task's project.
                sql.append(" AND item.thread_id IN (SELECT id FROM thread WHERE body IS NOT NULL AND project = ")
                sql.bind(project)
                sql.append(")")
            }
        }.first
    }

    /// A page of the live items in `scope` (conditions on `item`); cursors must name items in it.
    func itemPage(_ query: ListQuery, scope: (inout SQL) -> Void) async throws -> ListPage<ResponseItem> {
        let ascending = query.order == .asc
        var bounds: [(comparison: String, seq: Int)] = []
        for (cursor, param, forward) in [(query.after, "after", true), (query.before, "before", false)] {
            guard let cursor else { continue }
            var sql = SQL("SELECT seq FROM item WHERE item.id = ")
            sql.bind(cursor)
            sql.append(" AND ")
            scope(&sql)
            guard let row = try await execute(sql.query).first else { throw StoreError.unknownCursor(param: param, id: cursor) }
            bounds.append((forward == ascending ? ">" : "<", try row.decode(Int.self)))
        }
        // With only `before`, the page is the items nearest the cursor: fetch backwards, then restore the order.
        let backwards = query.before != nil && query.after == nil
        var items = try await self.items(order: ascending != backwards ? "ASC" : "DESC", limit: query.limit + 1) { sql in
            scope(&sql)
            for bound in bounds {
                sql.append(" AND item.seq \(bound.comparison) ")
                sql.bind(bound.seq)
            }
        }
        let hasMore = items.count > query.limit
        items = Array(items.prefix(query.limit))
        if backwards { items.reverse() }
        let page = items.map(\.item)
        return ListPage(data: page, firstID: page.first?.id, lastID: page.last?.id, hasMore: hasMore)
    }

    func response(id: String) async throws -> StoredResponse? {
        let project = StoredTable.projectFilter(StoredTable.response)
        guard let row = try await execute("""
            SELECT body::text, run_id, thread_id, ephemeral FROM response
            WHERE id = \(id) AND body IS NOT NULL AND (\(project)::text IS NULL OR project = \(project))
            """).first
        else { return nil }
        let (body, runID, threadID, ephemeral) = try row.decode((String, String, String, Bool).self)
        let record = ResponseRecord(response: try decodeBody(body), runID: runID, threadID: threadID, ephemeral: ephemeral)
        guard let run: Run = try await self.body(StoredTable.run, id: runID) else { return nil }
        return StoredResponse(record: record, run: run)
    }

    func responseChain(endingAt id: String) async throws -> [StoredResponse] {
        var chain: [StoredResponse] = []
        var next: String? = id
        while let current = next {
            guard let link = try await response(id: current) else { throw StoreError.notFound(.response, id: current) }
            chain.append(link)
            next = link.record.response.previousResponseID
        }
        return chain.reversed()
    }

    /// Live items matching `conditions` (on `item`), with message items read from their messages.
    func items(order: String, limit: Int?, where conditions: (inout SQL) -> Void) async throws -> [StoredItem] {
        var sql = SQL("""
            SELECT item.id, item.thread_id, item.run_id, item.direction, item.created_at, item.body::text, message.body::text
            FROM item LEFT JOIN message ON message.id = item.message_id
            WHERE item.body IS NOT NULL AND (item.message_id IS NULL OR message.body IS NOT NULL) AND 
            """)
        conditions(&sql)
        sql.append(" ORDER BY item.seq \(order)")
        if let limit {
            sql.append(" LIMIT ")
            sql.bind(limit)
        }
        return try await execute(sql.query).map { row in
            let (_, threadID, runID, direction, createdAt, body, message) =
                try row.decode((String, String, String?, String?, Int, String, String?).self)
            let item: ResponseItem = if let message {
                .message(ResponseMessage(try decodeBody(message, as: Message.self)))
            } else {
                try decodeBody(body)
            }
            return StoredItem(
                item: item, threadID: threadID, runID: runID, direction: direction.flatMap(StoredItem.Direction.init(rawValue:)),
                createdAt: createdAt)
        }
    }
}
