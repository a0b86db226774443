import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createProject(_ project: Project) async throws {
        try await write { db in
            guard project.name != Project.defaultProject.name,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM project WHERE name = ?", arguments: [project.name]) == nil
            else { throw StoreError.nameTaken(.project, name: project.name) }
            try db.insertRow(StoredTable.project, id: project.id, body: project, columns: ["name": project.name])
        }
    }

    public func projects() async throws -> [Project] {
        [Project.defaultProject] + (try await read { db in try db.all(StoredTable.project, filters: []) })
    }

    public func project(idOrName: String) async throws -> Project? {
        if idOrName == Project.defaultProject.id || idOrName == Project.defaultProject.name { return Project.defaultProject }
        return try await read { db in
            let data = try Data.fetchOne(
                db, sql: "SELECT body FROM project WHERE body IS NOT NULL AND (id = ? OR name = ?) ORDER BY id = ? DESC LIMIT 1",
                arguments: [idOrName, idOrName, idOrName])
            return try data.map { try JSONDecoder().decode(Project.self, from: $0) }
        }
    }

    public func updateProject(id: String, _ change: @escaping @Sendable (inout Project) throws -> Void) async throws -> Project? {
        try await write { db in try db.update(StoredTable.project, id: id, change) }
    }

    public func createAPIKey(_ key: APIKeyRecord, hash: String) async throws {
        try await write { db in
            guard try key.projectID == ProjectScope.defaultProjectID || db.exists(StoredTable.project, id: key.projectID) else {
                throw StoreError.notFound(.project, id: key.projectID)
            }
            try db.insertRow(StoredTable.apiKey, id: key.id, body: key, columns: ["project": key.projectID, "hash": hash])
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read { db in
            let keys: [APIKeyRecord] = try db.all(StoredTable.apiKey, filters: [("hash", hash)])
            return keys.first
        }
    }

    public func apiKeys(projectID: String?) async throws -> [APIKeyRecord] {
        try await read { db in try db.all(StoredTable.apiKey, filters: projectID.map { [("project", $0)] } ?? []) }
    }

    public func revokeAPIKey(id: String) async throws -> Bool {
        try await write { db in try db.tombstone(StoredTable.apiKey, id: id) }
    }

    public func setDefaultLimits(_ limits: ProjectLimits) {
        defaultLimits.withLock { $0 = limits }
    }

    public func project(of kind: ObjectKind, id: String) async throws -> String? {
        guard let table = StoredTable.of(kind) else { preconditionFailure("\(kind) has no routes of its own") }
        let reachable = table == StoredTable.thread ? " AND \(Self.publicThread)" : ""
        return try await read { db in
            try String.fetchOne(db, sql: "SELECT project FROM \(table) WHERE id = ? AND body IS NOT NULL\(reachable)", arguments: [id])
        }
    }
}
