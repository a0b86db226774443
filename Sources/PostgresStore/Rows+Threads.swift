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
    /// Inserts a new thread, taking the lock of the list of all threads in the same statement. Called last
    /// in its transaction: every thread creation waits for that lock, which is then held for this statement
    /// and the commit only.
    ///
    /// What the transaction adds to the new thread's own lists before (its messages, its run, its items)
    /// needs no list lock: no other transaction can add to a thread before it is committed, since each
    /// finds the thread first.
    func insertThread(_ thread: AssistantThread) async throws {
        var sql = SQL()
        sql.appendInsert(StoredTable.thread, [try RowValues(id: thread.id, body: thread)], replacing: false) {
            $0.appendListLocks([Rows.list(StoredTable.thread)])
        }
        try await execute(sql.query)
    }

    /// Inserts the messages and indexes them as items of their thread, in one statement; the caller holds
    /// the thread's message list lock, which also orders its items.
    func insertMessages(_ messages: [Message]) async throws {
        guard !messages.isEmpty else { return }
        var writes = ProgressWrites(replacingMessages: false)
        for message in messages { try writes.add(message) }
        try await execute(try writes.query)
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

    /// Upserts a run's messages and steps, with the items they make (each step's function calls), in one
    /// statement that takes their lists' locks itself: atomic without a transaction around it. With `run`,
    /// only if the run's row is still the version read, writing the run too; false when it was not, and
    /// nothing was written.
    @discardableResult
    func saveProgress(messages: [Message], steps: [RunStep], run: (value: Run, version: String)? = nil) async throws -> Bool {
        // An upsert may insert, so it takes its list's lock like an insert.
        var writes = ProgressWrites(replacingMessages: true, locksLists: true)
        for message in messages { try writes.add(message) }
        for step in steps { try writes.add(step) }
        writes.run = run
        guard !writes.isEmpty else { return true }
        return try await execute(try writes.query).first?.decode(Int.self) != 0
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
