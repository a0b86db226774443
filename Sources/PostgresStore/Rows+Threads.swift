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
        try await writeMessage(message, replacing: false)
    }

    /// Writes a message with the item row that places it in its thread, in one statement (see
    /// `ProgressWrites.add(_:provenance:)`). The caller holds the thread's message list lock.
    func writeMessage(
        _ message: Message, provenance: (runID: String?, direction: StoredItem.Direction?)? = nil, replacing: Bool
    ) async throws {
        var writes = ProgressWrites(replacingMessages: replacing)
        try writes.add(message, provenance: provenance)
        try await execute(try writes.query)
    }

    /// Upserts a run's messages and steps, with the items they make (each step's function calls), and
    /// writes `run` (locked by the caller) if given: one statement after the list locks.
    func saveProgress(messages: [Message], steps: [RunStep], run: Run? = nil) async throws {
        // An upsert may insert, so it takes its list's lock like an insert.
        // A step's function calls are items of its thread, ordered by the thread's message list lock.
        try await lockLists(messages.map(\.list) + steps.map(\.list) + steps.map { Rows.list(StoredTable.message, $0.threadID) })
        var writes = ProgressWrites(replacingMessages: true)
        for message in messages { try writes.add(message) }
        for step in steps { try writes.add(step) }
        writes.run = run
        guard !writes.isEmpty else { return }
        try await execute(try writes.query)
    }

    /// Checks the task's project's file quotas for a new file (its own, else the default limits), and
    /// counts its bytes in the project's uploads of its day. A project with quotas is locked (an advisory
    /// lock) until the transaction ends, so that files added at once, on any node, are counted one after
    /// another.
    func checkFileQuotas(adding file: FileObject) async throws {
        let project = ProjectScope.stamp
        let day = file.createdAt / 86_400
        let limits = defaultLimits.overridden(by: try await storedProject(project))
        if limits.storageBytes != nil || limits.uploadBytesPerDay != nil {
            try await lockProject(project)
            if let limit = limits.storageBytes {
                let used = try await execute(
                    "SELECT COALESCE(SUM((body->>'bytes')::bigint), 0)::bigint FROM file WHERE project = \(project) AND body IS NOT NULL"
                ).first?.decode(Int.self) ?? 0
                guard used + file.bytes <= limit else { throw StoreError.quotaExceeded(.storage, limit: limit, used: used) }
            }
            if let limit = limits.uploadBytesPerDay {
                let used = try await execute("SELECT bytes FROM project_upload WHERE project = \(project) AND day = \(day)").first?.decode(Int.self) ?? 0
                guard used + file.bytes <= limit else { throw StoreError.quotaExceeded(.uploads, limit: limit, used: used) }
            }
        }
        try await execute("""
            INSERT INTO project_upload (project, day, bytes) VALUES (\(project), \(day), \(file.bytes))
            ON CONFLICT (project, day) DO UPDATE SET bytes = project_upload.bytes + excluded.bytes
            """)
    }

    /// Inserts a new run, within its project's limit of active runs (its own, else the default limits).
    /// A limited project is locked until the transaction ends, so that run creations in it, on any node,
    /// count one after another.
    func insertRun(_ run: Run) async throws {
        if let projectID = run.project, let limit = defaultLimits.overridden(by: try await storedProject(projectID)).maxActiveRuns {
            try await lockProject(projectID)
            let active = try await execute("""
                SELECT count(*) FROM run
                WHERE status IN (\(unescaped: activeStatuses)) AND body IS NOT NULL AND body->>'_project' = \(projectID)
                """).first?.decode(Int.self) ?? 0
            guard active < limit else { throw StoreError.tooManyActiveRuns(limit: limit) }
        }
        try await insert(StoredTable.run, id: run.id, body: run, columns: [("thread_id", run.threadID), ("status", run.status.rawValue)])
    }

    /// The project's record, for its own limits; the default project has none (no read).
    private func storedProject(_ projectID: String) async throws -> Project? {
        projectID == ProjectScope.defaultProjectID ? nil : try await body(StoredTable.project, id: projectID)
    }

    /// Serializes the transactions that check and change what counts against a project's limits, until
    /// this one ends. An advisory lock, since the default project has no row to lock.
    private func lockProject(_ projectID: String) async throws {
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\("project:" + projectID)))")
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
