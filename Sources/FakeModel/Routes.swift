import AssistantsAPI
import Foundation
import Hummingbird

/// Thrown from a stream's body writer: Hummingbird then closes the connection without ending the
/// response, which is how a dropped upstream looks to a client.
private struct ConnectionDropped: Error {}

/// Far above any test's request; only there so a runaway client cannot exhaust memory.
private let maxBodySize = 64 * 1024 * 1024

/// The OpenAI-compatible endpoints and the `/_fake` control endpoints, over one script.
func buildRouter(script: ReplyScript, modelOwner: String) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)

    // What `GET /models` says of the models' owner tells a client which server this is: llama.cpp's says
    // "llamacpp", which a fake started with that owner imitates.
    router.get("v1/models") { _, _ in
        Response.json(.object(["object": .string("list"), "data": .array([
            .object(["id": .string("fake-model"), "object": .string("model"), "created": .integer(0), "owned_by": .string(modelOwner)]),
        ])]))
    }

    router.post("v1/chat/completions") { request, _ in
        guard let body = try await request.jsonBody() else { return Response.malformedJSON }
        let chat = ChatRequest(body: body)
        let reply = script.takeReply(for: RecordedRequest(body: body, authorization: request.headers[.authorization])) ?? chat.defaultReply
        return try await respond(to: chat, with: reply)
    }

    router.post("v1/embeddings") { request, _ in
        guard let body = try await request.jsonBody() else { return Response.malformedJSON }
        script.recordEmbedding(RecordedRequest(body: body, authorization: request.headers[.authorization]))
        guard let response = FakeEmbeddings.response(to: body) else {
            return Response.error(status: 400, message: "'input' must be a string or an array of strings.")
        }
        return Response.json(response)
    }

    router.post("_fake/replies") { request, _ in
        struct Replies: Decodable { var replies: [FakeReply] }
        let buffer = try await request.body.collect(upTo: maxBodySize)
        guard let replies = try? JSONDecoder().decode(Replies.self, from: Data(buffer: buffer)).replies else {
            return Response.error(status: 400, message: "Expected {\"replies\": [FakeReply, ...]}.")
        }
        script.enqueue(replies)
        return Response.json(.object(["queued": .integer(replies.count)]))
    }

    router.get("_fake/requests") { _, _ in
        func list(_ requests: [RecordedRequest]) -> JSONValue {
            .array(requests.map { .object(["body": $0.body, "authorization": $0.authorization.map { .string($0) } ?? .null]) })
        }
        return Response.json(.object(["requests": list(script.chatRequests), "embedding_requests": list(script.embeddingRequests)]))
    }

    router.post("_fake/reset") { _, _ in
        script.reset()
        return Response.json(.object([:]))
    }
    return router
}

/// A scripted error, a plain `chat.completion`, or a stream of chunks each flushed as it is written.
private func respond(to chat: ChatRequest, with reply: FakeReply) async throws -> Response {
    if let error = reply.error {
        try await sleep(milliseconds: reply.delayMsBeforeFirst)
        return Response.error(status: error.status, message: error.message, type: error.type)
    }
    let completion = Completion(reply: reply, request: chat)
    guard chat.stream else {
        try await sleep(milliseconds: reply.delayMsBeforeFirst)
        // Not streamed, there are no chunks to count: a drop sends the head, then closes.
        guard reply.dropAfterChunks == nil else { return Response(status: .ok, body: .init { _ in throw ConnectionDropped() }) }
        return Response.json(completion.object)
    }
    let chunks = completion.chunks(includeUsage: chat.includeUsage)
    let sent = min(reply.dropAfterChunks ?? reply.streamError?.afterChunks ?? chunks.count, chunks.count)
    return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: .init { writer in
        for (index, chunk) in chunks.prefix(sent).enumerated() {
            try await sleep(milliseconds: index == 0 ? reply.delayMsBeforeFirst : reply.delayMsBetween)
            try await writer.write(ByteBuffer(bytes: Data("data: ".utf8) + chunk.encoded() + Data("\n\n".utf8)))
        }
        if reply.dropAfterChunks != nil {
            // Cutting at once can overtake the chunks just written on a busy machine (the close reaches the
            // client before the data is read), and then the client saw nothing at all. The drop under test
            // comes after text was received, so the chunks are given time to arrive first.
            try await Task.sleep(for: .milliseconds(250))
            throw ConnectionDropped()
        }
        if let error = reply.streamError {
            // llama.cpp's shape: a numeric code beside the message; no `[DONE]` follows.
            let body = JSONValue.object(["error": .object([
                "code": .integer(500), "message": .string(error.message), "type": .string("server_error"),
            ])]).encoded()
            let frame: Data = switch error.framing ?? .data {
            case .data: Data("data: ".utf8) + body
            case .event: Data("event: error\ndata: ".utf8) + body
            case .field: Data("error: ".utf8) + body
            }
            try await writer.write(ByteBuffer(bytes: frame + Data("\n\n".utf8)))
        } else {
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        }
        try await writer.finish(nil)
    })
}

private func sleep(milliseconds: Int?) async throws {
    if let milliseconds, milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
}

extension Request {
    /// The body as JSON, or nil when it is not JSON.
    func jsonBody() async throws -> JSONValue? {
        let buffer = try await body.collect(upTo: maxBodySize)
        return try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer))
    }
}

extension Response {
    static var malformedJSON: Response { .error(status: 400, message: APIError.malformedJSON.message) }
}
