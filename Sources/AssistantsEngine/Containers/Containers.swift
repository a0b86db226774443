import AssistantsAPI
import AssistantsStore
import CodeInterpreter
import Foundation
import Logging

/// Containers as the API sees them: a container and the files under its `/mnt/data`. Records live in the
/// `AssistantsStore`; a file's bytes are a blob under the file's `cfile_` id, copied in (from an upload or
/// a stored file) so that a container never depends on a file that may be deleted.
///
/// Every operation on one container counts as using it and pushes its expiry back, as on OpenAI's API:
/// retrieving it, and adding, listing, reading or deleting its files. Listing containers does not.
public final class Containers: Sendable {
    let store: any AssistantsStore
    let blobs: any BlobStore
    let clock: any WallClock

    public init(store: any AssistantsStore, blobs: any BlobStore, clock: any WallClock = .system) {
        self.store = store
        self.blobs = blobs
        self.clock = clock
    }

    /// Where the sandbox sees a container's files.
    static let directory = "/mnt/data/"

    // MARK: Containers

    /// Creates the container with copies of the files `request.file_ids` names (each at
    /// `/mnt/data/<filename>`; of two with one name, the later).
    /// `param` names the request's list of file ids in errors.
    public func create(_ request: CreateContainerRequest, param: String = "file_ids") async throws -> Container {
        let sources = try await storedFiles(VectorStores.unique(request.fileIDs)) { "\(param)[\($0)]" }
        let now = clock.now()
        let container = Container(
            id: ObjectKind.container.newID(), createdAt: now, name: request.name, expiresAfter: request.expiresAfter,
            memoryLimit: request.memoryLimit)
        var byPath: [String: FileObject] = [:]
        for source in sources { byPath[Self.path(for: source.filename)] = source }
        var files: [ContainerFile] = []
        do {
            for source in sources where byPath[Self.path(for: source.filename)] == source {
                files.append(try await copy(source, into: container.id, now: now))
            }
            try await store.createContainer(container, files: files)
        } catch {
            for file in files { try? await blobs.delete(id: file.id) }
            throw error
        }
        return container
    }

    /// The container, marked active now unless it has expired.
    public func retrieve(_ id: String) async throws -> Container {
        guard let container = try await store.touchContainer(id: id, now: clock.now()) else { throw APIError.notFound(.container, id: id) }
        return container
    }

    public func list(name: String?, _ query: ListQuery) async throws -> ListPage<Container> {
        try await store.listContainers(name: name, query)
    }

    /// Deletes the container and its files' bytes. False when there is no such container.
    public func delete(_ id: String) async throws -> Bool {
        guard let files = try await store.deleteContainer(id: id) else { return false }
        try await deleteBlobs(of: files)
        return true
    }

    /// Expires the containers idle past their `expires_after` at `now`, deleting their files' bytes, and
    /// returns their ids.
    public func expire(now: Int) async throws -> [String] {
        let expired = try await store.expireContainers(now: now)
        try await deleteBlobs(of: expired.files)
        return expired.containers
    }

    // MARK: Files

    /// Makes an upload the file at `/mnt/data/<filename>` of the container, replacing a file there. The
    /// staging file is used up, or discarded when the container cannot take it.
    public func addUpload(_ staged: URL, filename: String, bytes: Int, containerID: String) async throws -> ContainerFile {
        let file = ContainerFile(
            id: ObjectKind.containerFile.newID(), containerID: containerID, createdAt: clock.now(), bytes: bytes,
            path: Self.path(for: filename), source: "user")
        do {
            try await blobs.commit(staged, as: file.id)
        } catch {
            blobs.discard(staged)
            throw error
        }
        return try await put(file)
    }

    /// Copies the stored file `fileID` into the container, at `/mnt/data/<its filename>`.
    public func addStoredFile(_ fileID: String, containerID: String) async throws -> ContainerFile {
        _ = try await usedContainer(containerID)
        let source = try await storedFiles([fileID], param: { _ in "file_id" })[0]
        return try await put(try await copy(source, into: containerID, now: clock.now()))
    }

    public func file(_ id: String, containerID: String) async throws -> ContainerFile {
        _ = try await usedContainer(containerID)
        guard let file = try await store.containerFile(id: id, containerID: containerID) else { throw APIError.notFound(.containerFile, id: id) }
        return file
    }

    public func listFiles(containerID: String, _ query: ListQuery) async throws -> ListPage<ContainerFile> {
        _ = try await usedContainer(containerID)
        return try await store.listContainerFiles(containerID: containerID, query)
    }

    /// The file's bytes, streamed from the blob store.
    public func content(_ id: String, containerID: String) async throws -> BlobContents {
        let file = try await file(id, containerID: containerID)
        guard let contents = try await blobs.contents(of: file.id) else { throw APIError.notFound(.containerFile, id: id) }
        return contents
    }

    public func deleteFile(_ id: String, containerID: String) async throws {
        _ = try await usedContainer(containerID)
        guard try await store.deleteContainerFile(id: id, containerID: containerID) else { throw APIError.notFound(.containerFile, id: id) }
        try await blobs.delete(id: id)
    }

    // MARK: Code

    /// The container's files as the sandbox takes them: each under its name in /mnt/data, read whole (they
    /// reach the sandbox inside a message to its runner).
    func sandboxFiles(containerID: String) async throws -> [SandboxFile] {
        var files: [SandboxFile] = []
        var query = ListQuery(limit: 100, order: .asc)
        while true {
            let page = try await store.listContainerFiles(containerID: containerID, query)
            for file in page.data {
                guard let contents = try await blobs.read(file.id) else { continue }
                files.append(SandboxFile(name: String(file.path.dropFirst(Self.directory.count)), contents: contents))
            }
            guard page.hasMore, let last = page.lastID else { return files }
            query.after = last
        }
    }

    /// Keeps a file the code wrote as the container's file at `/mnt/data/<name>`, or a figure it drew (no
    /// name) at `/mnt/data/<its id>.png`.
    func saveOutput(_ contents: Data, name: String?, containerID: String) async throws -> ContainerFile {
        let id = ObjectKind.containerFile.newID()
        let file = ContainerFile(
            id: id, containerID: containerID, createdAt: clock.now(), bytes: contents.count, path: Self.path(for: name ?? "\(id).png"),
            source: "assistant")
        try await blobs.write(contents, as: file.id)
        return try await put(file)
    }

    // MARK: Helpers

    /// The container, touched as used now; 404 when there is none.
    private func usedContainer(_ id: String) async throws -> Container {
        try await retrieve(id)
    }

    /// Stores the file's record; its bytes are already its blob, which goes again if the store refuses it.
    /// A file it replaces loses its bytes.
    private func put(_ file: ContainerFile) async throws -> ContainerFile {
        let replaced: ContainerFile?
        do {
            replaced = try await store.putContainerFile(file)
        } catch {
            try? await blobs.delete(id: file.id)
            throw error
        }
        if let replaced { try await blobs.delete(id: replaced.id) }
        return file
    }

    /// A container file holding a copy of the stored file's bytes.
    private func copy(_ source: FileObject, into containerID: String, now: Int) async throws -> ContainerFile {
        guard let contents = try await blobs.contents(of: source.id) else { throw APIError.notFound(.file, id: source.id) }
        let file = ContainerFile(
            id: ObjectKind.containerFile.newID(), containerID: containerID, createdAt: now, bytes: contents.size,
            path: Self.path(for: source.filename), source: "user")
        try await blobs.write(contents, as: file.id)
        return file
    }

    /// The stored files, in order; 400 naming the first that does not exist, as for vector stores.
    private func storedFiles(_ ids: [String], param: (Int) -> String) async throws -> [FileObject] {
        var files: [FileObject] = []
        for (index, id) in ids.enumerated() {
            guard let file = try await store.file(id: id) else {
                throw APIError.noFile(id, param: param(index))
            }
            files.append(file)
        }
        return files
    }

    private func deleteBlobs(of files: [ContainerFile]) async throws {
        for file in files { try await blobs.delete(id: file.id) }
    }

    /// `/mnt/data/<name>`: the last component of the name a client gave, so that no name reaches outside
    /// the directory.
    static func path(for filename: String) -> String {
        let name = filename.split(separator: "/").last.map(String.init) ?? ""
        return directory + (name.isEmpty || name == "." || name == ".." ? "file" : name)
    }
}
