import AssistantsAPI
import AssistantsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestStack
import Testing

/// Without API keys, only this machine may drive the server, and not through a web page of another
/// origin; `ASSISTANTS_CORS_ORIGINS` lets chosen origins in, with keys or without.
@Suite struct KeylessModeTests {
    static let origin = HTTPField.Name("Origin")!

    /// A live keyless (or keyed) server, for what a router test cannot send: the `Host` header.
    static func live(apiKeys: Set<String> = [], _ test: @Sendable (Int) async throws -> Void) async throws {
        try await withLiveServer(apiKeys: apiKeys, test)
    }

    static func get(_ path: String, host: String, port: Int, headers: String = "") async throws -> String {
        let connection = try RawConnection(port: port)
        await connection.send("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)Connection: close\r\n\r\n")
        return await connection.response()
    }

    @Test func onlyLoopbackHostNamesAreServed() async throws {
        try await Self.live { port in
            for host in ["localhost", "localhost:\(port)", "127.0.0.1", "127.0.0.1:\(port)", "127.1.2.3:80", "[::1]", "[::1]:\(port)"] {
                #expect(try await Self.get("/v1/files", host: host, port: port).hasPrefix("HTTP/1.1 200"), "\(host)")
            }
            for host in ["attacker.example", "attacker.example:\(port)", "127.0.0.1.attacker.example", "127.example", "localhost.attacker.example", "[::2]:80", "127.0.0.1:x"] {
                let reply = try await Self.get("/v1/files", host: host, port: port)
                #expect(reply.hasPrefix("HTTP/1.1 403"), "\(host)")
                #expect(reply.contains(#""type":"invalid_request_error""#), "\(host)")
            }
        }
    }

    @Test func withKeysAnyHostIsServed() async throws {
        try await Self.live(apiKeys: ["sk-test-1234"]) { port in
            let reply = try await Self.get("/v1/files", host: "api.example.com", port: port, headers: "Authorization: Bearer sk-test-1234\r\n")
            #expect(reply.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func foreignOriginsAreRefused() async throws {
        try await TestAPI.run { api in
            let foreign = try await api.call(.get, "/v1/files", headers: [Self.origin: "http://attacker.example"])
            #expect(foreign.status == .forbidden)
            #expect(foreign.error?.message.contains("http://attacker.example") == true)
            #expect(try await api.call(.get, "/v1/files", headers: [Self.origin: "null"]).status == .forbidden)
            // The router's test client speaks to `localhost`: a page it served is its own origin.
            #expect(try await api.call(.get, "/v1/files", headers: [Self.origin: "http://localhost"]).status == .ok)
        }
    }

    @Test func bodiesMustBeJSONOrMultipart() async throws {
        try await TestAPI.run { api in
            let plain = try await api.call(.post, "/v1/assistants", #"{"model":"gpt-4o"}"#, headers: [.contentType: "text/plain"])
            #expect(plain.status == .unsupportedMediaType)
            #expect(plain.error?.message.contains("text/plain") == true)
            let form = try await api.call(.post, "/v1/assistants", #"{"model":"gpt-4o"}"#, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
            let json = try await api.call(.post, "/v1/assistants", #"{"model":"gpt-4o"}"#, headers: [.contentType: "application/json; charset=utf-8"])
            #expect(json.status == .ok)
            // No body, no content type needed.
            #expect(try await api.call(.post, "/v1/threads").status == .ok)
        }
    }

    @Test func withKeysAnyContentTypeAndOriginIsLeftToTheKey() async throws {
        try await TestAPI.run(apiKeys: ["sk-test-1234"]) { api in
            let reply = try await api.call(.get, "/v1/files", headers: [Self.origin: "http://attacker.example"])
            #expect(reply.status == .ok)
            #expect(reply.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func configuredOriginsGetCORSAnswers() async throws {
        try await TestStack.run(model: false) { stack in
            let router = stack.router(
                apiKeys: [],
                corsOrigins: CORSOrigins.parse("https://app.example, http://localhost:3000"))
            try await Application(router: router).test(.router) { client in
                let preflight = try await client.execute(
                    uri: "/v1/threads/thread_abc/runs", method: .options,
                    headers: [
                        Self.origin: "https://app.example", .accessControlRequestMethod: "POST",
                        .accessControlRequestHeaders: "authorization, content-type, openai-beta, x-stainless-retry-count, x-stainless-new-thing",
                    ]) { $0 }
                #expect(preflight.status == .noContent)
                #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
                let allowed = Set((preflight.headers[.accessControlAllowHeaders] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allowed.isSuperset(of: ["authorization", "content-type", "openai-beta", "x-stainless-retry-count", "x-stainless-new-thing"]))
                #expect(preflight.headers[.accessControlMaxAge] != nil)

                let list = try await client.execute(
                    uri: "/v1/files", method: .get, headers: [Self.origin: "https://app.example"]) { $0 }
                #expect(list.status == .ok)
                #expect(list.headers[.accessControlAllowOrigin] == "https://app.example")
                #expect(list.headers[.accessControlExposeHeaders]?.contains("x-request-id") == true)

                let missing = try await client.execute(uri: "/v1/assistants/asst_x", method: .get, headers: [Self.origin: "http://localhost:3000"]) { $0 }
                #expect(missing.headers[.accessControlAllowOrigin] == "http://localhost:3000")

                let other = try await client.execute(
                    uri: "/v1/files", method: .options,
                    headers: [Self.origin: "https://other.example", .accessControlRequestMethod: "GET"]) { $0 }
                #expect(other.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func onlyRealLoopbackAddressesAllowKeylessListening() {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"] {
            #expect(ServerConfiguration(host: host).isLoopback, "\(host)")
        }
        for host in ["127.example.com", "127.0.0.1.nip.io", "0.0.0.0", "::", "10.0.0.1", "1270.0.0.1", "127.0.0"] {
            #expect(!ServerConfiguration(host: host).isLoopback, "\(host)")
            #expect(throws: ConfigurationError.self) { try ServerConfiguration(host: host).checkExposure(storedKeysExist: false) }
        }
    }

    @Test func corsOriginsParse() {
        #expect(CORSOrigins.parse(" https://a.example ,http://b.example:8080,, ").origins == ["https://a.example", "http://b.example:8080"])
        #expect(CORSOrigins.parse("*").origins == ["*"])
        #expect(CORSOrigins.parse(nil).isEmpty)
    }
}
