import AssistantsAPI
import AssistantsStore
import PostgresNIO

extension PostgresStore {
    public func createProject(_ project: Project) async throws {
        try await write { rows in
            // Creations of projects queue up here, so two of one name cannot both find it free.
            try await rows.lockLists([Rows.list(StoredTable.project)])
            guard project.name != Project.defaultProject.name,
                try await rows.execute("SELECT 1 FROM project WHERE name = \(project.name)").isEmpty
            else { throw StoreError.nameTaken(.project, name: project.name) }
            try await rows.insert(StoredTable.project, id: project.id, body: project, columns: [("name", project.name)])
        }
    }

    public func projects() async throws -> [Project] {
        [Project.defaultProject] + (try await read { rows in try await rows.all(StoredTable.project, filters: []) })
    }

    public func project(idOrName: String) async throws -> Project? {
        if idOrName == Project.defaultProject.id || idOrName == Project.defaultProject.name { return Project.defaultProject }
        return try await read { rows in
            try await rows.bodies("""
                SELECT body::text FROM project WHERE body IS NOT NULL AND (id = \(idOrName) OR name = \(idOrName))
                ORDER BY id = \(idOrName) DESC LIMIT 1
                """, as: Project.self).first
        }
    }

    public func updateProject(id: String, _ change: @escaping @Sendable (inout Project) throws -> Void) async throws -> Project? {
        try await write { rows in try await rows.update(StoredTable.project, id: id, change) }
    }

    public func createAPIKey(_ key: APIKeyRecord, hash: String) async throws {
        try await write { rows in
            if key.projectID != ProjectScope.defaultProjectID {
                guard try await rows.exists(StoredTable.project, id: key.projectID, forUpdate: true) else {
                    throw StoreError.notFound(.project, id: key.projectID)
                }
            }
            try await rows.insert(StoredTable.apiKey, id: key.id, body: key, columns: [("project", key.projectID), ("hash", hash)])
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read { rows in
            let keys: [APIKeyRecord] = try await rows.all(StoredTable.apiKey, filters: [("hash", hash)])
            return keys.first
        }
    }

    public func apiKeys(projectID: String?) async throws -> [APIKeyRecord] {
        try await read { rows in try await rows.all(StoredTable.apiKey, filters: projectID.map { [("project", $0)] } ?? []) }
    }

    public func revokeAPIKey(id: String) async throws -> Bool {
        try await write { rows in try await rows.tombstone(StoredTable.apiKey, id: id) }
    }

    public func setDefaultLimits(_ limits: ProjectLimits) {
        defaultLimits.withLock { $0 = limits }
    }

    public func project(of kind: ObjectKind, id: String) async throws -> String? {
        guard let table = StoredTable.of(kind) else { preconditionFailure("\(kind) has no routes of its own") }
        let reachable = table == StoredTable.thread ? " AND \(Self.publicThread)" : ""
        var sql = SQL("SELECT project FROM \(table) WHERE id = ")
        sql.bind(id)
        sql.append(" AND body IS NOT NULL\(reachable)")
        return try await read { rows in try await rows.strings(sql.query).first }
    }
}
