import AssistantsAPI
import AssistantsStore

extension RunEngine {
    /// Creates a conversation: a thread, with its first items in order, in one transaction.
    public func createConversation(_ request: CreateConversationRequest) async throws -> Conversation {
        let now = environment.clock.now()
        let thread = AssistantThread(id: ObjectKind.conversation.newID(), createdAt: now, metadata: request.metadata ?? [:])
        let (items, inlineFiles) = try await conversationItems(request.items, threadID: thread.id, now: now)
        do {
            try await environment.store.createThread(thread, items: items)
        } catch {
            await InputFiles.discard(inlineFiles, vectorStores: environment.vectorStores)
            throw error
        }
        return Conversation(thread)
    }

    /// Appends items to a conversation and returns them as stored. A thread with an active run or response
    /// refuses them, as it refuses messages.
    public func addConversationItems(_ request: CreateConversationItemsRequest, conversationID: String) async throws -> [ResponseItem] {
        let (items, inlineFiles) = try await conversationItems(request.items, threadID: conversationID, now: environment.clock.now())
        do {
            try await environment.store.appendItems(items, threadID: conversationID)
        } catch {
            await InputFiles.discard(inlineFiles, vectorStores: environment.vectorStores)
            if case StoreError.notFound(.thread, let id) = error { throw APIError.notFound(.conversation, id: id) }
            throw error
        }
        return items.map(\.item)
    }

    /// Items a client gives a conversation, completed and checked as a response's input is, under fresh ids:
    /// the ids a client sends may name items of other threads. Inline files are kept as files, as a
    /// response's are; their ids come with the items.
    private func conversationItems(_ items: [ResponseItem], threadID: String, now: Int) async throws -> ([StoredItem], [String]) {
        let items = try await ResponsePlanner.resolvingReferences(items, store: environment.store)
        try ResponsePlanner.refuseUnsupported(items, param: "items")
        let files = InputFiles(store: environment.store, blobs: environment.blobs)
        let kept = try await files.keep(try await files.check(items, param: "items"), in: items, now: now)
        return (kept.items.map { StoredItem(item: $0.withNewID(), threadID: threadID, createdAt: now) }, kept.fileIDs)
    }
}
