import AssistantsAPI
import AssistantsServer
import FakeModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TestStack
import Testing

/// What every response carries and how the router answers methods and sizes it does not serve.
@Suite struct HTTPBehaviourTests {
    static let requestID = HTTPField.Name("x-request-id")!

    static func isRequestID(_ value: String?) -> Bool {
        guard let value, value.hasPrefix("req_") else { return false }
        let digits = value.dropFirst(4)
        return digits.count == 32 && digits.allSatisfy(\.isHexDigit)
    }

    @Test func everyResponseHasItsOwnRequestID() async throws {
        try await TestAPI.run(model: true) { api in
            let first = try await api.call(.get, "/v1/assistants")
            let second = try await api.call(.get, "/v1/assistants")
            let missing = try await api.call(.get, "/v1/assistants/asst_missing")
            let health = try await api.send(.get, "/health", headers: [:], body: nil)
            let ids = [first, second, missing, health].map { $0.headers[Self.requestID] }
            #expect(ids.allSatisfy(Self.isRequestID), "\(ids)")
            #expect(Set(ids).count == 4)
            #expect(missing.status == .notFound)

            let (assistant, thread) = try await api.assistantAndThread()
            api.model?.enqueue(FakeReply(chunks: ["Hi"]))
            let stream = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            #expect(stream.headers[.contentType] == "text/event-stream")
            #expect(Self.isRequestID(stream.headers[Self.requestID]))
        }
    }

    @Test func requestLogsCarryTheRequestID() async throws {
        let records = LogRecords()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(records: records) }
        try await TestStack.run(model: false) { stack in
            try await Application(router: stack.router(apiKeys: []), logger: logger).test(.router) { client in
                let id = try await client.execute(uri: "/v1/files", method: .get) { $0.headers[Self.requestID] }
                let logged = records.all.filter { $0.metadata["request_id"] == id }
                #expect(id != nil && !logged.isEmpty, "\(records.all)")
            }
        }
    }

    @Test func headAnswersAsGetWithoutABody() async throws {
        try await TestAPI.run { api in
            let health = try await api.send(.head, "/health", headers: [:], body: nil)
            #expect(health.status == .ok)
            #expect(health.bytes.isEmpty)
            let list = try await api.call(.head, "/v1/assistants")
            #expect(list.status == .ok)
            #expect(list.bytes.isEmpty)
            #expect(Self.isRequestID(list.headers[Self.requestID]))
            let missing = try await api.call(.head, "/v1/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.bytes.isEmpty)
        }
    }

    @Test func otherMethodsOnKnownPathsAre405s() async throws {
        try await TestAPI.run { api in
            let put = try await api.call(.put, "/v1/assistants", "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, HEAD, POST")
            #expect(put.error?.type == "invalid_request_error")
            #expect(put.error?.message.contains("PUT /v1/assistants") == true)
            let patch = try await api.call(.patch, "/v1/assistants/asst_abc", "{}")
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers[.allow] == "DELETE, GET, HEAD, POST")
            let deleteHealth = try await api.send(.delete, "/health", headers: [:], body: nil)
            #expect(deleteHealth.status == .methodNotAllowed)
            #expect(deleteHealth.headers[.allow] == "GET, HEAD")
            let unknown = try await api.call(.put, "/v1/nothing/here", "{}")
            #expect(unknown.status == .notFound)
            #expect(unknown.error?.message == "Invalid URL (PUT /v1/nothing/here)")
        }
    }

    @Test func oversizedJSONBodiesAre413s() async throws {
        try await TestAPI.run { api in
            let padding = String(repeating: "a", count: 32 * 1024 * 1024)
            let reply = try await api.call(.post, "/v1/assistants", #"{"model":"gpt-4o","instructions":"\#(padding)"}"#)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.error?.type == "invalid_request_error")
            #expect(reply.error?.message.contains("32 MiB") == true)
        }
    }

    @Test func oversizedChunkedJSONBodiesAre413s() async throws {
        try await withLiveServer { port in
            let connection = try RawConnection(port: port)
            await connection.send("POST /v1/assistants HTTP/1.1\r\nHost: 127.0.0.1\r\nOpenAI-Beta: assistants=v2\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = "100000\r\n" + String(repeating: "a", count: 0x100000) + "\r\n"
            for _ in 0..<33 {
                guard await connection.send(chunk) else { break }
            }
            await connection.send("0\r\n\r\n")
            let reply = await connection.response(within: 30)
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(200))")
            #expect(reply.contains("32 MiB"))
        }
    }

    @Test func multipartPartHeadersAreCapped() async throws {
        try await TestAPI.run { api in
            let boundary = "cap-boundary"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\nX-Padding: ".utf8)
            body.append(Data(repeating: UInt8(ascii: "x"), count: 8 * 1024 * 1024))
            body.append(Data("\r\n\r\nassistants\r\n--\(boundary)--\r\n".utf8))
            let reply = try await api.send(
                .post, "/v1/files", headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(data: body))
            #expect(reply.status == .badRequest)
            #expect(reply.error?.message.contains("headers of a multipart part are too large") == true)
        }
    }

    @Test func multipartUploadsWithOrdinaryHeadersStillWork() async throws {
        try await TestAPI.run { api in
            let reply = try await api.upload(Data(repeating: UInt8(ascii: "z"), count: 200_000), filename: String(repeating: "n", count: 200) + ".txt")
            #expect(reply.status == .ok)
            #expect(reply.json["bytes"] == .integer(200_000))
        }
    }
}

/// Log records kept in memory.
final class LogRecords: Sendable {
    struct Record: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }
}

struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
