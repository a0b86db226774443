import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/threads/{thread_id}/messages`.
struct MessagesController<Context: RequestContext> {
    let store: any AssistantsStore
    let vectorStores: VectorStores

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(use: list)
            .get(":message_id", use: retrieve)
            .post(":message_id", use: modify)
            .delete(":message_id", use: delete)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let threadID = try context.parameters.id("thread_id", of: .thread)
        let body = try await request.decodeJSON(CreateMessageRequest.self)
        guard let thread = try await store.thread(id: threadID) else { throw APIError.notFound(.thread, id: threadID) }
        try await References(vectorStores).check(body)
        // Files attached for file_search go into the thread's store with the message, so a run started right
        // after it finds them (it waits for the thread's files to be ingested), and none if the thread is locked.
        let message = body.message(threadID: threadID, createdAt: vectorStores.clock.now())
        try await vectorStores.attaching([body], to: thread) { try await store.appendMessage(message, attaching: $0) }
        return .json(message)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let threadID = try context.parameters.id("thread_id", of: .thread)
        let query = try request.listQuery()
        guard try await store.thread(id: threadID) != nil else { throw APIError.notFound(.thread, id: threadID) }
        return .json(try await store.listMessages(threadID: threadID, runID: request.query("run_id"), query))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let (threadID, id) = try ids(context)
        guard let message = try await store.message(id: id, threadID: threadID) else { throw try await notFound(threadID, id) }
        return .json(message)
    }

    @Sendable func modify(_ request: Request, context: Context) async throws -> Response {
        let (threadID, id) = try ids(context)
        let body = try await request.decodeJSON(MetadataUpdateRequest.self)
        let updated = try await store.updateMessage(id: id, threadID: threadID) { message in
            if let metadata = body.metadata { message.metadata = metadata ?? [:] }
        }
        guard let updated else { throw try await notFound(threadID, id) }
        return .json(updated)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let (threadID, id) = try ids(context)
        guard try await store.deleteMessage(id: id, threadID: threadID) else { throw try await notFound(threadID, id) }
        return .json(DeletionStatus(id: id, object: "thread.message.deleted"))
    }

    private func ids(_ context: Context) throws -> (thread: String, message: String) {
        (try context.parameters.id("thread_id", of: .thread), try context.parameters.id("message_id", of: .message))
    }

    /// A missing thread is reported as such, before the message.
    private func notFound(_ threadID: String, _ id: String) async throws -> APIError {
        try await store.thread(id: threadID) == nil ? .notFound(.thread, id: threadID) : .notFound(.message, id: id)
    }
}
