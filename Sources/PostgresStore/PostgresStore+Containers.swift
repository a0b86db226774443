import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresNIO

/// Every call that changes a container or its files locks the container's row first, so adding a file,
/// touching, expiring and deleting one container queue up instead of interleaving.
extension PostgresStore {
    public func createContainer(_ container: Container, files: [ContainerFile]) async throws {
        try await write { rows in
            try await rows.lockLists([Rows.list(StoredTable.container), Rows.list(StoredTable.containerFile, container.id)])
            try await rows.insert(
                StoredTable.container, id: container.id, body: container, columns: [("name", container.name)],
                numbers: [("expires_at", container.liveExpiry)])
            for file in files { try await rows.insertContainerFile(file) }
        }
    }

    public func container(id: String) async throws -> Container? {
        try await read { rows in try await rows.body(StoredTable.container, id: id) }
    }

    public func listContainers(name: String?, _ query: ListQuery) async throws -> ListPage<Container> {
        try await read { rows in try await rows.page(StoredTable.container, filters: name.map { [("name", $0)] } ?? [], query: query) }
    }

    public func touchContainer(id: String, now: Int) async throws -> Container? {
        try await write { rows in try await rows.touchContainer(id: id, now: now) }
    }

    public func deleteContainer(id: String) async throws -> [ContainerFile]? {
        try await write { rows in
            guard try await rows.tombstone(StoredTable.container, id: id) else { return nil }
            return try await rows.dropContainerFiles(containerID: id)
        }
    }

    public func expireContainers(now: Int) async throws -> (containers: [String], files: [ContainerFile]) {
        try await write { rows in
            // Under the row locks a second node expiring at once re-reads `expires_at`, finds it cleared (or
            // pushed back by a touch) and skips the container: each container expires once.
            let ids = try await rows.strings("""
                SELECT id FROM container WHERE expires_at IS NOT NULL AND expires_at <= \(now) AND body IS NOT NULL
                ORDER BY seq FOR UPDATE
                """)
            var files: [ContainerFile] = []
            for id in ids {
                let _: Container? = try await rows.update(StoredTable.container, id: id) { $0.status = .expired }
                try await rows.execute("UPDATE container SET expires_at = NULL WHERE id = \(id)")
                files += try await rows.dropContainerFiles(containerID: id)
            }
            return (ids, files)
        }
    }

    public func putContainerFile(_ file: ContainerFile) async throws -> ContainerFile? {
        try await write { rows in
            guard let container: Container = try await rows.body(StoredTable.container, id: file.containerID, forUpdate: true) else {
                throw StoreError.notFound(.container, id: file.containerID)
            }
            guard container.status == .running else { throw StoreError.containerExpired(id: container.id) }
            try await rows.lockLists([Rows.list(StoredTable.containerFile, container.id)])
            let replaced = try await rows.bodies("""
                SELECT body::text FROM container_file WHERE container_id = \(file.containerID) AND path = \(file.path) AND body IS NOT NULL
                """, as: ContainerFile.self).first
            if let replaced { _ = try await rows.tombstone(StoredTable.containerFile, id: replaced.id) }
            try await rows.insertContainerFile(file)
            _ = try await rows.touchContainer(id: container.id, now: file.createdAt)
            return replaced
        }
    }

    public func containerFile(id: String, containerID: String) async throws -> ContainerFile? {
        try await read { rows in try await rows.body(StoredTable.containerFile, id: id, filters: [("container_id", containerID)]) }
    }

    public func listContainerFiles(containerID: String, _ query: ListQuery) async throws -> ListPage<ContainerFile> {
        try await read { rows in try await rows.page(StoredTable.containerFile, scope: [("container_id", containerID)], query: query) }
    }

    public func deleteContainerFile(id: String, containerID: String) async throws -> Bool {
        try await write { rows in try await rows.tombstone(StoredTable.containerFile, id: id, filters: [("container_id", containerID)]) }
    }
}

extension Rows {
    /// Inserts the file; the caller holds its container's file list lock.
    fileprivate func insertContainerFile(_ file: ContainerFile) async throws {
        try await insert(StoredTable.containerFile, id: file.id, body: file, columns: [("container_id", file.containerID), ("path", file.path)])
    }

    fileprivate func touchContainer(id: String, now: Int) async throws -> Container? {
        guard let container: Container = try await body(StoredTable.container, id: id, forUpdate: true) else { return nil }
        guard container.status == .running, now > container.lastActiveAt else { return container }
        let touched: Container? = try await update(StoredTable.container, id: id) { $0.lastActiveAt = now }
        try await execute("UPDATE container SET expires_at = \(touched?.liveExpiry) WHERE id = \(id)")
        return touched
    }

    /// Deletes the container's live files and returns them.
    fileprivate func dropContainerFiles(containerID: String) async throws -> [ContainerFile] {
        let files: [ContainerFile] = try await bodies(
            "SELECT body::text FROM container_file WHERE container_id = \(containerID) AND body IS NOT NULL ORDER BY seq FOR UPDATE")
        try await execute("UPDATE container_file SET body = NULL WHERE container_id = \(containerID) AND body IS NOT NULL")
        return files
    }
}
