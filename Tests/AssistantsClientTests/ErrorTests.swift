import AssistantsAPI
@testable import AssistantsClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Synchronization
import Testing

@Suite struct ErrorTests {
    @Test func apiErrorsCarryStatusAndEnvelope() async throws {
        try await TestServer.run { server in
            let missing = await #expect(throws: AssistantsClientError.self) { try await server.client.assistants.retrieve("asst_missing") }
            #expect(missing?.status == 404)
            #expect(missing?.error?.message == "No assistant found with id 'asst_missing'.")

            let invalid = await #expect(throws: AssistantsClientError.self) {
                try await server.client.assistants.create(CreateAssistantRequest(model: "gpt-4o", temperature: 3))
            }
            #expect(invalid?.status == 400)
            #expect(invalid?.error?.param == "temperature" && invalid?.error?.code == "decimal_above_max_value")

            let streamed = await #expect(throws: AssistantsClientError.self) {
                try await server.client.threads.runs.stream(threadID: "thread_missing", CreateRunRequest(assistantID: "asst_missing"))
            }
            #expect(streamed?.status == 404)
        }
    }

    @Test func keysAreSentAsBearerTokens() async throws {
        try await TestServer.run(apiKeys: ["sk-the-right-key"]) { server in
            _ = try await server.client.threads.create()
            let wrong = AssistantsClient(baseURL: server.baseURL, apiKey: "sk-a-wrong-key", configuration: TestServer.quick)
            let refused = await #expect(throws: AssistantsClientError.self) { try await wrong.threads.create() }
            #expect(refused?.status == 401 && refused?.error?.code == "invalid_api_key")
        }
    }

    @Test func rateLimitsAndServerErrorsAreRetriedAsTheServerAsks() async throws {
        let replies: [Scripted] = [.status(429, ["retry-after-ms": "1"]), .status(503, ["retry-after": "0"]), .ok]
        let attempts = try await Scripted.serve(replies) { client in
            let assistant = try await client.assistants.retrieve("asst_1")
            #expect(assistant.id == "asst_1")
        }
        #expect(attempts == ["0", "1", "2"])
    }

    @Test func retriesStopAtTheLimit() async throws {
        let attempts = try await Scripted.serve([.status(500, [:])]) { client in
            let failure = await #expect(throws: AssistantsClientError.self) { try await client.assistants.retrieve("asst_1") }
            #expect(failure?.status == 500 && failure?.error?.type == "server_error")
        }
        #expect(attempts.count == 3)
    }

    @Test func clientErrorsAndRefusedRetriesAreNotRetried() async throws {
        for reply in [Scripted.status(400, [:]), .status(500, ["x-should-retry": "false"])] {
            let attempts = try await Scripted.serve([reply]) { client in
                await #expect(throws: AssistantsClientError.self) { try await client.assistants.retrieve("asst_1") }
            }
            #expect(attempts.count == 1)
        }
    }

    @Test func anUnreachableServerIsAConnectionError() async throws {
        // The connection pool keeps trying to connect until the request's deadline: keep that short.
        let configuration = ClientConfiguration(maxRetries: 1, initialBackoff: .milliseconds(1), timeout: .milliseconds(200))
        let client = AssistantsClient(baseURL: "http://127.0.0.1:1/v1", configuration: configuration)
        let failure = await #expect(throws: AssistantsClientError.self) { try await client.threads.create() }
        guard case .connection = failure else { Issue.record("expected a connection error, got \(String(describing: failure))"); return }
    }

    @Test func backoffHonoursRetryAfterWithinItsCap() {
        let transport = Transport(
            baseURL: "", apiKey: nil, http: .shared,
            configuration: ClientConfiguration(initialBackoff: .milliseconds(100), maxBackoff: .seconds(5)))
        #expect(transport.delay(attempt: 0, headers: ["retry-after-ms": "250"]) == .milliseconds(250))
        #expect(transport.delay(attempt: 0, headers: ["retry-after": "2"]) == .seconds(2))
        #expect(transport.delay(attempt: 0, headers: ["retry-after": "3600"]) == .seconds(5))
        let third = transport.delay(attempt: 2, headers: nil)
        #expect(third >= .milliseconds(299) && third <= .milliseconds(400))
    }
}

/// A stand-in server that answers `GET /v1/assistants/:id` with scripted replies in turn (the last one
/// repeats), recording each request's retry count.
enum Scripted: Sendable {
    case status(Int, [String: String])
    case ok

    static func serve(_ replies: [Scripted], _ body: @Sendable (AssistantsClient) async throws -> Void) async throws -> [String] {
        let recorder = Recorder()
        let router = Router()
        router.get("v1/assistants/:id") { request, context -> Response in
            let attempt = recorder.attempts.withLock { attempts in
                attempts.append(request.headers[HTTPField.Name("x-stainless-retry-count")!] ?? "0")
                return attempts.count - 1
            }
            switch replies[min(attempt, replies.count - 1)] {
            case .ok:
                let assistant = Assistant(id: try context.parameters.require("id"), createdAt: 0, model: "gpt-4o")
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(assistant))))
            case .status(let status, let headers):
                let type = status >= 500 ? "server_error" : "invalid_request_error"
                let envelope = ErrorEnvelope(error: .init(message: "scripted", type: type, param: nil, code: nil))
                var fields = HTTPFields()
                for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
                return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(envelope))))
            }
        }
        try await Application(router: router, logger: TestServer.quietLogger).test(.live) { live in
            try await body(AssistantsClient(baseURL: "http://localhost:\(live.port!)/v1", configuration: TestServer.quick))
        }
        return recorder.attempts.withLock { $0 }
    }

    private final class Recorder: Sendable {
        let attempts = Mutex<[String]>([])
    }
}
