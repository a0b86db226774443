import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/conversations`: threads seen through the Conversations API. A conversation is a thread, so its items
/// are the thread's messages (and its runs' function calls), and both route families take both id prefixes.
struct ConversationsController<Context: RequestContext> {
    let store: any AssistantsStore
    let engine: RunEngine

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(":conversation_id", use: retrieve)
            .post(":conversation_id", use: update)
            .delete(":conversation_id", use: delete)
            .get(":conversation_id/items", use: listItems)
            .post(":conversation_id/items", use: createItems)
            .get(":conversation_id/items/:item_id", use: retrieveItem)
            .delete(":conversation_id/items/:item_id", use: deleteItem)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeJSON(CreateConversationRequest.self)
        return .json(try await engine.createConversation(body))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try conversationID(context)
        return .json(Conversation(try await thread(id)))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let id = try conversationID(context)
        let body = try await request.decodeJSON(UpdateConversationRequest.self)
        guard let thread = try await store.updateThread(id: id, { $0.metadata = body.metadata ?? [:] }) else {
            throw APIError.notFound(.conversation, id: id)
        }
        return .json(Conversation(thread))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try conversationID(context)
        guard try await engine.deleteThread(id: id) else { throw APIError.notFound(.conversation, id: id) }
        return .json(DeletionStatus(id: id, object: "conversation.deleted"))
    }

    @Sendable func listItems(_ request: Request, context: Context) async throws -> Response {
        let id = try conversationID(context)
        let include = try request.responseIncludes()
        let query = try request.listQuery()
        _ = try await thread(id)
        var page = try await store.listItems(threadID: id, query)
        page.data = page.data.map { $0.shown(include: include) }
        return .json(page)
    }

    /// Answers with a list of the items as stored, in the order given.
    @Sendable func createItems(_ request: Request, context: Context) async throws -> Response {
        let id = try conversationID(context)
        let include = try request.responseIncludes()
        let body = try await request.decodeJSON(CreateConversationItemsRequest.self)
        let items = try await engine.addConversationItems(body, conversationID: id).map { $0.shown(include: include) }
        return .json(ListPage(data: items, firstID: items.first?.id, lastID: items.last?.id, hasMore: false))
    }

    @Sendable func retrieveItem(_ request: Request, context: Context) async throws -> Response {
        let (id, itemID) = try ids(context)
        let include = try request.responseIncludes()
        _ = try await thread(id)
        guard let item = try await store.item(id: itemID, threadID: id) else { throw APIError.itemNotFound(id: itemID) }
        return .json(item.item.shown(include: include))
    }

    /// Answers with the conversation, as OpenAI's API does.
    @Sendable func deleteItem(_ request: Request, context: Context) async throws -> Response {
        let (id, itemID) = try ids(context)
        let thread = try await thread(id)
        guard try await store.deleteItem(id: itemID, threadID: id) else { throw APIError.itemNotFound(id: itemID) }
        return .json(Conversation(thread))
    }

    private func conversationID(_ context: Context) throws -> String {
        try context.parameters.id("conversation_id", of: .conversation)
    }

    private func ids(_ context: Context) throws -> (conversation: String, item: String) {
        (try conversationID(context), try context.parameters.require("item_id"))
    }

    private func thread(_ id: String) async throws -> AssistantThread {
        guard let thread = try await store.thread(id: id) else { throw APIError.notFound(.conversation, id: id) }
        return thread
    }
}
