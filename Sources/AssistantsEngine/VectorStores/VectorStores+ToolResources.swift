import AssistantsAPI
import AssistantsStore

/// How assistants and threads get their `file_search` stores: the `vector_stores` helper of a create
/// request, and `file_search` attachments on messages.
extension VectorStores {
    /// The resources a create request asks for, with the stores its `vector_stores` helper describes created.
    public func resources(for request: ToolResourcesRequest?) async throws -> ToolResources {
        guard let request else { return .init() }
        var resources = request.resources
        for helper in request.newVectorStores {
            let created = try await create(
                name: nil, fileIDs: helper.fileIDs, chunking: helper.chunkingStrategy, expiresAfter: nil, metadata: helper.metadata ?? [:])
            resources.fileSearch = ToolResources.FileSearch(vectorStoreIDs: [created.id])
        }
        return resources
    }

    /// For a new thread: files attached for `file_search` go into the store its resources name, or into
    /// a new store (expiring a week after its last use) that the resources then name.
    public func attach(_ messages: [CreateMessageRequest], to resources: inout ToolResources) async throws {
        let fileIDs = Self.fileSearchAttachments(messages)
        guard !fileIDs.isEmpty else { return }
        if let id = resources.fileSearch?.vectorStoreIDs.first {
            try await add(fileIDs, to: id)
        } else {
            let created = try await create(
                name: nil, fileIDs: fileIDs, chunking: nil, expiresAfter: .threadDefault, metadata: [:])
            resources.fileSearch = ToolResources.FileSearch(vectorStoreIDs: [created.id])
        }
    }

    /// Writes messages with the files they attach for `file_search`: `write` gets them as
    /// `ThreadAttachments` (nil when there are none) to store in the same transaction as the messages, so a
    /// request that is refused (a locked thread) leaves no file behind. The store `thread` names must still
    /// be usable; a new store for it expires a week after its last use. Ingestion starts once it is written.
    public func attaching<T: Sendable>(
        _ messages: [CreateMessageRequest], to thread: AssistantThread, _ write: (ThreadAttachments?) async throws -> T
    ) async throws -> T {
        let fileIDs = Self.fileSearchAttachments(messages)
        guard !fileIDs.isEmpty else { return try await write(nil) }
        if let named = thread.toolResources.fileSearch?.vectorStoreIDs.first { _ = try await usable(named) }
        let now = clock.now()
        let newStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: now, expiresAfter: .threadDefault, lastActiveAt: now)
        let written = try await write(ThreadAttachments(fileIDs: fileIDs, newStore: newStore, createdAt: now))
        pending.ring()
        return written
    }

    private func add(_ fileIDs: [String], to storeID: String) async throws {
        _ = try await usable(storeID)
        let now = clock.now()
        try await store.addVectorStoreFiles(fileIDs.map { VectorStoreFile(id: $0, createdAt: now, vectorStoreID: storeID) }, batch: nil)
        pending.ring()
    }

    private static func fileSearchAttachments(_ messages: [CreateMessageRequest]) -> [String] {
        unique(messages.flatMap { $0.attachments.filter { $0.tools.contains(.fileSearch) }.map(\.fileID) })
    }
}
