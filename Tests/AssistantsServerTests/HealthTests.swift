import AssistantsAPI
import AssistantsServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Testing
import TestStack

/// `/health` as a load balancer sees it on a PostgreSQL node: 503 with OpenAI's error envelope while the
/// database refuses the node, 200 again once it lets it back in. And a node whose database is not there
/// fails at start-up, saying where it tried and why.
@Suite struct HealthTests {
    /// A database of its own on the test server (ASSISTANTS_TEST_POSTGRES_URL), so that shutting it to new
    /// connections disturbs no other test.
    @Test func healthIs503WhileThePostgresDatabaseIsUnreachableAnd200WhenItIsBack() async throws {
        let admin = try await PostgresStore(configuration: try Self.testServer(), logger: Logger(label: "health-admin"))
        let name = "health_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        var configuration = try Self.testServer()
        configuration.database = name
        configuration.poolSize = 2
        let store = try await PostgresStore(configuration: configuration, logger: Logger(label: "health-node"))
        let health = PostgresHealthCheck(store: store, timeout: .seconds(2), reuseFor: .zero)
        let outcome = await Result {
            try await TestStack.run(model: false) { stack in
                let router = buildRouter(store: stack.store, blobs: stack.blobs, engine: stack.engine, apiKeys: [], health: health)
                try await Application(router: router).test(.router) { client in
                    let up = try await client.execute(uri: "/health", method: .get)
                    #expect(up.status == .ok)
                    #expect(String(buffer: up.body) == #"{"status":"ok"}"#)

                    // The database goes away for this node: no new connections, the open ones cut.
                    _ = try await admin.client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) ALLOW_CONNECTIONS false"))
                    _ = try await admin.client.query(PostgresQuery(unsafeSQL:
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'"))
                    let down = try await client.execute(uri: "/health", method: .get)
                    #expect(down.status == .serviceUnavailable)
                    let error = try JSONDecoder().decode(ErrorEnvelope.self, from: Data(buffer: down.body)).error
                    #expect(error.type == "server_error")
                    #expect(error.message.contains("database"))
                    #expect(!error.message.contains(name), "the cause is for the log, not for clients")

                    // Back: the pool connects again (it backs off between attempts, hence the generous wait).
                    _ = try await admin.client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) ALLOW_CONNECTIONS true"))
                    var status = HTTPResponse.Status.serviceUnavailable
                    for _ in 0..<120 where status != .ok {
                        status = try await client.execute(uri: "/health", method: .get).status
                        if status != .ok { try await Task.sleep(for: .milliseconds(250)) }
                    }
                    #expect(status == .ok)
                }
            }
        }
        await store.close()
        _ = try? await admin.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        await admin.close()
        try outcome.get()
    }

    /// Nothing listens on the port: start-up fails within the connect timeout (not after the pool's minute
    /// of retries) with the address and the network's answer.
    @Test func startingOnAnUnreachablePostgresSaysWhereAndWhy() async throws {
        let port = try Self.closedPort()
        var configuration = ServerConfiguration(
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)"),
            databaseURL: "postgres://assistants@127.0.0.1:\(port)/assistants")
        configuration.databaseConnectTimeout = .seconds(3)
        defer { try? FileManager.default.removeItem(at: configuration.dataDirectory) }
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await buildApplication(configuration, logger: Logger(label: "health-test"))
        }
        let message = error?.description ?? ""
        #expect(message.contains("127.0.0.1:\(port)"), "\(message)")
        #expect(message.lowercased().contains("refused"), "\(message)")
    }

    /// The test server from ASSISTANTS_TEST_POSTGRES_URL; without it the test is skipped (under CI it fails).
    static func testServer() throws -> PostgresStore.Configuration {
        try PostgresStore.Configuration(url: try PostgresTestDatabase.requireURL(), poolSize: 2)
    }

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ConfigurationError("could not reserve a port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
