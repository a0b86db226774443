import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `/assistants`.
struct AssistantsController<Context: RequestContext> {
    let store: any AssistantsStore
    let vectorStores: VectorStores

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .get(use: list)
            .get(":assistant_id", use: retrieve)
            .post(":assistant_id", use: modify)
            .delete(":assistant_id", use: delete)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeJSON(CreateAssistantRequest.self)
        if let resources = body.toolResources { try await References(vectorStores).check(resources) }
        let resources = try await vectorStores.resources(for: body.toolResources)
        let assistant = Assistant(
            id: ObjectKind.assistant.newID(), createdAt: vectorStores.clock.now(), name: body.name, description: body.description,
            model: body.model, instructions: body.instructions, tools: body.tools,
            toolResources: resources, metadata: body.metadata ?? [:],
            temperature: body.temperature, topP: body.topP, responseFormat: body.responseFormat ?? .auto)
        try await store.createAssistant(assistant)
        return .json(assistant)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        .json(try await store.listAssistants(request.listQuery()))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("assistant_id", of: .assistant)
        guard let assistant = try await store.assistant(id: id) else { throw APIError.notFound(.assistant, id: id) }
        return .json(assistant)
    }

    @Sendable func modify(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("assistant_id", of: .assistant)
        let body = try await request.decodeJSON(ModifyAssistantRequest.self)
        if let resources = body.toolResources ?? nil { try await References(vectorStores).check(resources) }
        guard let assistant = try await store.updateAssistant(id: id, { body.apply(to: &$0) }) else {
            throw APIError.notFound(.assistant, id: id)
        }
        return .json(assistant)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("assistant_id", of: .assistant)
        guard try await store.deleteAssistant(id: id) else { throw APIError.notFound(.assistant, id: id) }
        return .json(DeletionStatus(id: id, object: "assistant.deleted"))
    }
}
