import AssistantsAPI
import AssistantsStore

extension RunEngine {
    /// Creates a conversation: a thread, with its first items in order, in one transaction.
    public func createConversation(_ request: CreateConversationRequest) async throws -> Conversation {
        let now = environment.clock.now()
        let thread = AssistantThread(id: ObjectKind.conversation.newID(), createdAt: now, metadata: request.metadata ?? [:])
        let items = try await conversationItems(request.items, threadID: thread.id, now: now)
        try await environment.store.createThread(thread, items: items)
        return Conversation(thread)
    }

    /// Appends items to a conversation and returns them as stored. A thread with an active run or response
    /// refuses them, as it refuses messages.
    public func addConversationItems(_ request: CreateConversationItemsRequest, conversationID: String) async throws -> [ResponseItem] {
        let items = try await conversationItems(request.items, threadID: conversationID, now: environment.clock.now())
        do {
            try await environment.store.appendItems(items, threadID: conversationID)
        } catch StoreError.notFound(.thread, let id) {
            throw APIError.notFound(.conversation, id: id)
        }
        return items.map(\.item)
    }

    /// Items a client gives a conversation, completed and checked as a response's input is, under fresh ids:
    /// the ids a client sends may name items of other threads.
    private func conversationItems(_ items: [ResponseItem], threadID: String, now: Int) async throws -> [StoredItem] {
        let items = try await ResponsePlanner.resolvingReferences(items, store: environment.store)
        try ResponsePlanner.refuseUnsupported(items, param: "items")
        try await ResponsePlanner.checkFiles(items, param: "items", vectorStores: environment.vectorStores)
        return items.map { StoredItem(item: $0.withNewID(), threadID: threadID, createdAt: now) }
    }
}
