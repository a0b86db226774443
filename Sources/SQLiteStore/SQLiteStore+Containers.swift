import AssistantsAPI
import AssistantsStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createContainer(_ container: Container, files: [ContainerFile]) async throws {
        try await write { db in
            try db.insertRow(
                StoredTable.container, id: container.id, body: container,
                columns: ["name": container.name, "expires_at": container.liveExpiry])
            for file in files { try db.insertContainerFile(file) }
        }
    }

    public func container(id: String) async throws -> Container? {
        try await read { db in try db.body(StoredTable.container, id: id) }
    }

    public func listContainers(name: String?, _ query: ListQuery) async throws -> ListPage<Container> {
        try await read { db in
            try db.page(StoredTable.container, filters: name.map { [("name", $0)] } ?? [], query: query)
        }
    }

    public func touchContainer(id: String, now: Int) async throws -> Container? {
        try await write { db in try db.touchContainer(id: id, now: now) }
    }

    public func deleteContainer(id: String) async throws -> [ContainerFile]? {
        try await write { db in
            guard try db.tombstone(StoredTable.container, id: id) else { return nil }
            return try db.dropContainerFiles(containerID: id)
        }
    }

    public func expireContainers(now: Int) async throws -> (containers: [String], files: [ContainerFile]) {
        try await write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM container WHERE expires_at IS NOT NULL AND expires_at <= ? AND body IS NOT NULL ORDER BY seq",
                arguments: [now])
            var files: [ContainerFile] = []
            for id in ids {
                let _: Container? = try db.update(StoredTable.container, id: id) { $0.status = .expired }
                try db.execute(sql: "UPDATE container SET expires_at = NULL WHERE id = ?", arguments: [id])
                files += try db.dropContainerFiles(containerID: id)
            }
            return (ids, files)
        }
    }

    public func putContainerFile(_ file: ContainerFile) async throws -> ContainerFile? {
        try await write { db in
            guard let container: Container = try db.body(StoredTable.container, id: file.containerID) else {
                throw StoreError.notFound(.container, id: file.containerID)
            }
            guard container.status == .running else { throw StoreError.containerExpired(id: container.id) }
            let replaced = try Data.fetchOne(
                db, sql: "SELECT body FROM container_file WHERE container_id = ? AND path = ? AND body IS NOT NULL",
                arguments: [file.containerID, file.path]
            ).map { try JSONDecoder().decode(ContainerFile.self, from: $0) }
            if let replaced { _ = try db.tombstone(StoredTable.containerFile, id: replaced.id) }
            try db.insertContainerFile(file)
            _ = try db.touchContainer(id: container.id, now: file.createdAt)
            return replaced
        }
    }

    public func containerFile(id: String, containerID: String) async throws -> ContainerFile? {
        try await read { db in try db.body(StoredTable.containerFile, id: id, filters: [("container_id", containerID)]) }
    }

    public func listContainerFiles(containerID: String, _ query: ListQuery) async throws -> ListPage<ContainerFile> {
        try await read { db in try db.page(StoredTable.containerFile, scope: [("container_id", containerID)], query: query) }
    }

    public func deleteContainerFile(id: String, containerID: String) async throws -> Bool {
        try await write { db in try db.tombstone(StoredTable.containerFile, id: id, filters: [("container_id", containerID)]) }
    }
}

extension Database {
    fileprivate func insertContainerFile(_ file: ContainerFile) throws {
        try insertRow(StoredTable.containerFile, id: file.id, body: file, columns: ["container_id": file.containerID, "path": file.path])
    }

    fileprivate func touchContainer(id: String, now: Int) throws -> Container? {
        guard let container: Container = try body(StoredTable.container, id: id) else { return nil }
        guard container.status == .running, now > container.lastActiveAt else { return container }
        let touched: Container? = try update(StoredTable.container, id: id) { $0.lastActiveAt = now }
        try execute(sql: "UPDATE container SET expires_at = ? WHERE id = ?", arguments: [touched?.liveExpiry, id])
        return touched
    }

    /// Deletes the container's live files and returns them.
    fileprivate func dropContainerFiles(containerID: String) throws -> [ContainerFile] {
        let files: [ContainerFile] = try all(StoredTable.containerFile, filters: [("container_id", containerID)])
        try execute(sql: "UPDATE container_file SET body = NULL WHERE container_id = ?", arguments: [containerID])
        return files
    }
}
