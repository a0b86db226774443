import AssistantsAPI
import AssistantsEngine
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestStack

/// A server on an in-memory store and a temporary blob directory, driven through the router, with its
/// run engine working; `model: true` gives it the scripted fake model as its upstream.
struct TestAPI {
    let client: any TestClientProtocol
    var apiKey: String?
    var model: FakeModelServer?
    var vectorStores: VectorStores
    /// The server's store, for what the API does not show (a response's private thread).
    var store: any AssistantsStore
    /// The server's clock: a test moves it to reach a deadline.
    var clock: TestClock
    /// The server's containers, for what only time does (expiry).
    var containers: Containers
    /// Where file contents live, to see that they go with their files.
    var blobs: any BlobStore

    static let betaHeader = HTTPField.Name("OpenAI-Beta")!

    /// `metricsToken` and `metricsHost` (the address the server would listen on) decide who may read `/metrics`.
    /// `contextWindow` is what responses' input must fit.
    static func run(
        apiKeys: Set<String> = [], model: Bool = false, metricsToken: String? = nil, metricsHost: String? = nil,
        contextWindow: Int? = RunEngine.Configuration.defaultContextWindow,
        _ test: @Sendable (TestAPI) async throws -> Void
    ) async throws {
        let configure: @Sendable (inout ServerConfiguration) -> Void = { configuration in
            configuration.metricsToken = metricsToken
            configuration.contextWindow = contextWindow
            if let metricsHost {
                configuration.host = metricsHost
                configuration.apiKeys = apiKeys
            }
        }
        try await TestStack.run(model: model, configure: configure) { stack in
            try await Application(router: stack.router(apiKeys: apiKeys)).test(.router) { client in
                try await test(TestAPI(
                    client: client, apiKey: apiKeys.first, model: stack.model, vectorStores: stack.vectorStores, store: stack.store,
                    clock: stack.clock, containers: stack.engine.containers, blobs: stack.blobs))
            }
        }
    }

    struct UnexpectedReply: Error, CustomStringConvertible {
        let description: String
    }

    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var bytes: Data
        var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: bytes)) ?? .null }
        /// The body as `type`; when it is not one, the error says what the server answered instead.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do {
                return try JSONDecoder().decode(type, from: bytes)
            } catch {
                throw UnexpectedReply(description: "\(status): \(String(decoding: bytes.prefix(500), as: UTF8.self)) (\(error))")
            }
        }
        var error: ErrorEnvelope.Body? { try? JSONDecoder().decode(ErrorEnvelope.self, from: bytes).error }
    }

    /// A request as the official SDK sends it: bearer key, beta header, JSON body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, beta: Bool = true, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if beta { headers[Self.betaHeader] = "assistants=v2" }
        if let apiKey, headers[.authorization] == nil { headers[.authorization] = "Bearer \(apiKey)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await send(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: ByteBuffer?) async throws -> Reply {
        try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, bytes: Data(buffer: response.body))
        }
    }

    /// `POST /v1/files` (or `path`) with a multipart body like the SDK's.
    func upload(
        _ contents: Data, filename: String = "notes.txt", fields: [String: String] = ["purpose": "assistants"], to path: String = "/v1/files"
    ) async throws -> Reply {
        let boundary = "test-boundary-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(contents)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        if let apiKey { headers[.authorization] = "Bearer \(apiKey)" }
        return try await send(.post, path, headers: headers, body: ByteBuffer(data: body))
    }

    func createAssistant(_ body: String = #"{"model":"gpt-4o"}"#) async throws -> Assistant {
        try await call(.post, "/v1/assistants", body).decode(Assistant.self)
    }

    func createThread(_ body: String = "{}") async throws -> AssistantThread {
        try await call(.post, "/v1/threads", body).decode(AssistantThread.self)
    }
}

extension JSONValue {
    /// The elements of an array, none for anything else: keeps the tests' chains short.
    var array: [JSONValue] { arrayValue ?? [] }
}
