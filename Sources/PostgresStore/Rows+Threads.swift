import AssistantsAPI
import AssistantsStore
import PostgresNIO

extension Message {
    /// The list a message belongs to: its thread's.
    var list: String { Rows.list(StoredTable.message, threadID) }
}

extension Run {
    var list: String { Rows.list(StoredTable.run, threadID) }
}

extension RunStep {
    var list: String { Rows.list(StoredTable.step, runID) }
}

extension Rows {
    /// Inserts the message and indexes it as an item of its thread; the caller holds the thread's message
    /// list lock, which also orders its items.
    func insertMessage(_ message: Message) async throws {
        try await indexMessage(message)
        try await insert(StoredTable.message, id: message.id, body: message, columns: [("thread_id", message.threadID), ("run_id", message.runID)])
    }

    func saveProgress(messages: [Message], steps: [RunStep]) async throws {
        // An upsert may insert, so it takes its list's lock like an insert.
        // A step's function calls are items of its thread, ordered by the thread's message list lock.
        try await lockLists(messages.map(\.list) + steps.map(\.list) + steps.map { Rows.list(StoredTable.message, $0.threadID) })
        for message in messages {
            try await indexMessage(message)
            try await upsert(StoredTable.message, id: message.id, body: message, columns: [("thread_id", message.threadID), ("run_id", message.runID)])
        }
        for step in steps {
            try await upsert(StoredTable.step, id: step.id, body: step, columns: [("run_id", step.runID)])
            for item in step.functionCallItems { try await insertItem(item, replacing: true) }
        }
    }

    func insertRun(_ run: Run) async throws {
        try await insert(StoredTable.run, id: run.id, body: run, columns: [("thread_id", run.threadID), ("status", run.status.rawValue)])
    }

    /// Locks the thread's row until the transaction ends, so that checking its runs and adding a run or a
    /// message happen as one step: concurrent calls on one thread queue here. Throws `notFound` when the
    /// thread does not exist.
    func lockThread(_ threadID: String) async throws {
        guard try await exists(StoredTable.thread, id: threadID, forUpdate: true) else { throw StoreError.notFound(.thread, id: threadID) }
    }

    func activeRunID(threadID: String) async throws -> String? {
        try await strings("""
            SELECT id FROM run WHERE thread_id = \(threadID) AND status IN (\(unescaped: activeStatuses)) AND body IS NOT NULL LIMIT 1
            """).first
    }
}
