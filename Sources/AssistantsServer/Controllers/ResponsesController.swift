import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird
import Metrics

/// `/responses`: responses executed as runs by the engine, their input items, and deletion.
struct ResponsesController<Context: RequestContext> {
    let engine: RunEngine
    /// Counts the streams being written.
    let openStreams: Meter

    func addRoutes(to group: RouterGroup<Context>) {
        group
            .post(use: create)
            .post("input_tokens", use: countInputTokens)
            .get(":response_id", use: retrieve)
            .delete(":response_id", use: delete)
            .get(":response_id/input_items", use: inputItems)
            .post(":response_id/cancel", use: cancel)
    }

    /// Answers when the response has ended, or streams it as it happens. A client that goes away stops
    /// only its stream (or its wait), never the response.
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeJSON(CreateResponseRequest.self)
        let start = try await engine.createResponse(body)
        guard body.stream else {
            return .json(try await engine.follow(start) { _ in })
        }
        return stream(start)
    }

    /// The response's events as server-sent events, until it ends or the client goes away.
    private func stream(_ start: RunEngine.ResponseStart) -> Response {
        let (engine, openStreams) = (engine, openStreams)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                openStreams.increment()
                defer { openStreams.decrement() }
                _ = try await engine.follow(start) { event in
                    try await writer.write(ByteBuffer(bytes: try event.frame()))
                }
                try await writer.finish(nil)
            })
    }

    @Sendable func countInputTokens(_ request: Request, context: Context) async throws -> Response {
        .json(try await engine.countInputTokens(try await request.decodeJSON(InputTokensRequest.self)))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("response_id", of: .response)
        let query = try RetrieveResponseQuery(
            include: request.queryValues(named: ["include", "include[]"]), stream: request.query("stream"),
            startingAfter: request.query("starting_after"))
        if query.stream {
            // A background response's stream again: replayed from its first event, then live.
            guard let start = try await engine.resumeResponse(id: id, startingAfter: query.startingAfter) else {
                throw APIError.notFound(.response, id: id)
            }
            return stream(start)
        }
        guard let response = try await engine.response(id: id) else { throw APIError.notFound(.response, id: id) }
        return .json(response)
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("response_id", of: .response)
        guard let response = try await engine.cancelResponse(id: id) else { throw APIError.notFound(.response, id: id) }
        return .json(response)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("response_id", of: .response)
        guard try await engine.response(id: id) != nil, try await engine.deleteResponse(id: id) else {
            throw APIError.notFound(.response, id: id)
        }
        return .json(DeletionStatus(id: id, object: "response"))
    }

    @Sendable func inputItems(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.id("response_id", of: .response)
        let include = try request.responseIncludes()
        let query = try request.listQuery()
        guard var page = try await engine.inputItems(responseID: id, query) else { throw APIError.notFound(.response, id: id) }
        page.data = page.data.map { $0.shown(include: include) }
        return .json(page)
    }
}

extension Request {
    /// `include` of item lists: every value of the spec is accepted; search results and code outputs, which
    /// items keep whole, are shown only when asked for.
    func responseIncludes() throws -> [ResponseInclude] {
        try RetrieveResponseQuery(include: queryValues(named: ["include", "include[]"]), stream: nil, startingAfter: nil).include
    }
}
