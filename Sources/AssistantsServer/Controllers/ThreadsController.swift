import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/threads`.
struct ThreadsController<Context: RequestContext> {
    let store: any AssistantsStore
    let engine: RunEngine
    /// Learns the project of each thread made here (see `RunsController.owners`).
    let owners: ObjectOwners

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(":thread_id", use: retrieve)
            .post(":thread_id", use: modify)
            .delete(":thread_id", use: delete)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeJSON(CreateThreadRequest.self)
        let references = References(engine.vectorStores)
        if let resources = body.toolResources { try await references.check(resources) }
        for (index, message) in body.messages.enumerated() {
            try await references.check(message, param: "messages[\(index)]")
        }
        var resources = try await engine.vectorStores.resources(for: body.toolResources)
        try await engine.vectorStores.attach(body.messages, to: &resources)
        let now = engine.clock.now()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: now, toolResources: resources, metadata: body.metadata ?? [:])
        let messages = body.messages.map { $0.message(threadID: thread.id, createdAt: now) }
        try await store.createThread(thread, messages: messages)
        owners.insert(thread.id, project: ProjectScope.stamp)
        return .json(thread)
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("thread_id", of: .thread)
        guard let thread = try await store.thread(id: id) else { throw APIError.notFound(.thread, id: id) }
        return .json(thread)
    }

    @Sendable func modify(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("thread_id", of: .thread)
        let body = try await request.decodeJSON(ModifyThreadRequest.self)
        if let resources = body.toolResources ?? nil { try await References(engine.vectorStores).check(resources) }
        guard let thread = try await store.updateThread(id: id, { body.apply(to: &$0) }) else {
            throw APIError.notFound(.thread, id: id)
        }
        return .json(thread)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("thread_id", of: .thread)
        guard try await engine.deleteThread(id: id) else { throw APIError.notFound(.thread, id: id) }
        return .json(DeletionStatus(id: id, object: "thread.deleted"))
    }
}
