import AssistantsAPI

/// The Containers part of `AssistantsStore`: containers and the files in them. Every call is atomic: one
/// that throws changes nothing. Lists page by insertion order; deleted objects stay valid cursors.
///
/// A container file's bytes are a blob under the file's id; the store keeps only its record, so every call
/// that removes files returns them for the caller to delete their blobs (as `deleteFile` leaves the upload's
/// blob to its caller).
public protocol ContainerRecords: Sendable {
    /// Creates the container together with its first files, in one transaction.
    func createContainer(_ container: Container, files: [ContainerFile]) async throws

    /// The container, running or expired; nil when there is none (or it was deleted).
    func container(id: String) async throws -> Container?

    /// A page of the containers, those named `name` only when it is given. Throws
    /// `StoreError.unknownCursor` for a cursor that names no container.
    func listContainers(name: String?, _ query: ListQuery) async throws -> ListPage<Container>

    /// Marks the running container active at `now` (`last_active_at`), which pushes its expiry back; an
    /// expired container is returned as it is, since expiry is final. Nil when there is no such container.
    func touchContainer(id: String, now: Int) async throws -> Container?

    /// Deletes the container and its files, in one transaction, and returns the files that were in it;
    /// nil when there is no such container.
    func deleteContainer(id: String) async throws -> [ContainerFile]?

    /// Marks every running container idle for its `expires_after.minutes` or longer at `now` as `expired`
    /// and deletes their files, in one transaction; returns the containers so ended, oldest first, and the
    /// files that were in them. With several nodes sweeping at once, each container expires once.
    func expireContainers(now: Int) async throws -> (containers: [String], files: [ContainerFile])

    /// Adds the file to its container, which becomes active at the file's `created_at`; a live file at the
    /// same `path` is replaced (deleted) and returned. Throws `StoreError.notFound(.container)` when the
    /// container does not exist and `StoreError.containerExpired` when it has expired.
    @discardableResult
    func putContainerFile(_ file: ContainerFile) async throws -> ContainerFile?

    /// The live file `id` of the container; nil when there is none.
    func containerFile(id: String, containerID: String) async throws -> ContainerFile?

    /// A page of the container's live files. Throws `StoreError.unknownCursor` for a cursor that names no
    /// file of this container.
    func listContainerFiles(containerID: String, _ query: ListQuery) async throws -> ListPage<ContainerFile>

    /// Deletes the container's file `id`. False when the container has no such live file.
    func deleteContainerFile(id: String, containerID: String) async throws -> Bool
}

extension Container: Identifiable {}
extension ContainerFile: Identifiable {}

extension Container {
    /// When the container expires if nothing uses it before: its last activity plus its idle lifetime.
    public var expiresAt: Int { lastActiveAt + expiresAfter.minutes * 60 }

    /// The backends' `expires_at` column: when a running container expires; nil once it has.
    package var liveExpiry: Int? { status == .running ? expiresAt : nil }
}
