import AssistantsServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestStack
import Testing

/// Slow and idle clients over real sockets, with deadlines of two seconds so the tests stay short (and
/// still hold on a machine busy with other tests).
@Suite struct ConnectionLimitsTests {
    static let limits = ConnectionLimits(
        headerTimeout: .seconds(2), bodyIdleTimeout: .seconds(2), keepAliveTimeout: .seconds(2), maxConnections: 4)

    static let quietLogger: Logger = {
        var logger = Logger(label: "connection-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A live server with the limits: `/health`, a `/slow` response that takes longer than every
    /// deadline, and `/echo`, which reads its body.
    static func run(limits: ConnectionLimits = limits, _ test: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("health") { _, _ in "ok" }
        router.get("slow") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "first "))
                try await Task.sleep(for: .seconds(8))
                try await writer.write(ByteBuffer(string: "last"))
                try await writer.finish(nil)
            })
        }
        router.post("echo") { request, _ in
            Response(status: .ok, body: .init(byteBuffer: try await request.body.collect(upTo: 1 << 20)))
        }
        let app = Application(router: router, server: .http1(limits: limits), logger: quietLogger)
        try await app.test(.live) { client in try await test(client.port!) }
    }

    @Test func aHeadSentByteByByteIsCutAtTheHeaderTimeout() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let request = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: \(String(repeating: "s", count: 40))\r\n\r\n".utf8)
            var closed = false
            for byte in request {
                // Each byte keeps the connection from being idle; only the header deadline can end it.
                let sent = await connection.send([byte])
                let ended = sent ? await connection.receive(for: 0.2).closed : true
                if ended {
                    closed = true
                    break
                }
            }
            #expect(closed)
        }
    }

    @Test func aBodyThatStopsIsCutAtTheBodyIdleTimeout() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            await connection.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"model\":")
            let (text, closed) = await connection.receive(for: 15)
            #expect(closed)
            #expect(!text.contains("200 OK"))
        }
    }

    @Test func aBodyThatKeepsComingIsNotCut() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            let body = "abcdefghijklmn"
            await connection.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            // Longer in all than the body idle timeout (2 s), but never idle for a tenth of it, so that a
            // busy machine stalling the sender does not make it look idle.
            for byte in body.utf8 {
                try await Task.sleep(for: .milliseconds(200))
                await connection.send([byte])
            }
            #expect(await connection.response(within: 20).hasSuffix(body))
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosed() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.response().contains("200 OK"))
            // A second request within the keep-alive time is served on the same connection.
            await connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.response().contains("200 OK"))
            #expect(await connection.receive(for: 15).closed)
        }
    }

    @Test func aSlowResponseIsNeverCut() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            await connection.send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let text = await connection.receive(until: "last", within: 30)
            #expect(text.contains("first "))
            #expect(text.contains("last"))
        }
    }

    @Test func slowClientsAtTheCapDoNotLockOutOthers() async throws {
        // Deadlines longer than the test: only the cap's eviction can let the new client in.
        var limits = Self.limits
        limits.headerTimeout = .seconds(30)
        try await Self.run(limits: limits) { port in
            // As many connections as the cap, each sending nothing.
            let idle = try (0..<Self.limits.maxConnections).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(100))
            let health = try RawConnection(port: port)
            await health.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await health.response(within: 10).contains("200 OK"))
            // Those the server saw waiting longest gave their places, one for each newcomer: the new
            // client's, and (the test framework's own client holds a slot too) the last idle one's.
            var closed = 0
            for connection in idle where await connection.receive(for: 0.3).closed { closed += 1 }
            #expect((1...2).contains(closed))
        }
    }

    @Test func atTheCapWithEveryConnectionBusyANewOneIsClosedAtOnce() async throws {
        try await Self.run { port in
            var busy: [RawConnection] = []
            for _ in 0..<Self.limits.maxConnections {
                // Each connects only when it is about to send, well within the header timeout.
                let connection = try RawConnection(port: port)
                busy.append(connection)
                await connection.send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                // Its response has begun: the request is in flight.
                #expect(await connection.receive(until: "first ").contains("first "))
            }
            let extra = try RawConnection(port: port)
            await extra.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (text, closed) = await extra.receive(for: 3)
            #expect(closed)
            #expect(text.isEmpty)
            // The busy ones were left to finish.
            #expect(await busy[0].receive(until: "last", within: 30).contains("last"))
            #expect(await busy[3].receive(until: "last", within: 30).contains("last"))
        }
    }

    @Test func methodsTheParserDoesNotKnowGetAnErrorEnvelope() async throws {
        try await Self.run { port in
            let connection = try RawConnection(port: port)
            await connection.send("FROB /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let reply = await connection.response()
            #expect(reply.hasPrefix("HTTP/1.1 405"))
            #expect(reply.contains(#""type":"invalid_request_error""#))
            #expect(reply.lowercased().contains("x-request-id: req_"))
            #expect(reply.lowercased().contains("allow: get, head, post, delete"))
        }
    }

    @Test func limitsAreConfigurable() throws {
        #expect(ConnectionLimits().headerTimeout == .seconds(30))
        #expect(ConnectionLimits().bodyIdleTimeout == .seconds(60))
        #expect(ConnectionLimits().keepAliveTimeout == .seconds(75))
        #expect((16...4096).contains(ConnectionLimits.defaultMaxConnections))
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(connectionLimits: .init(headerTimeout: .zero)).validate()
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(connectionLimits: .init(maxConnections: 0)).validate()
        }
    }
}
