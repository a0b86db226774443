import AssistantsClient
import AssistantsEngine
import FakeModel
import Foundation
import Hummingbird
import HummingbirdTesting
import TestStack
import Logging

/// The real server on a local port, on an in-memory store with the scripted fake model as its upstream,
/// and a client talking to it over HTTP: the SDK is exercised as an application would use it.
struct TestServer {
    let client: AssistantsClient
    let model: FakeModelServer
    let baseURL: String

    /// Quick retries and polls, so that tests that wait for them stay fast.
    static let quick = ClientConfiguration(initialBackoff: .milliseconds(5), timeout: .seconds(30), pollInterval: .milliseconds(10))

    /// Request logs would bury the test output.
    static let quietLogger: Logger = {
        var logger = Logger(label: "client-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func run(apiKeys: Set<String> = [], _ test: @Sendable (TestServer) async throws -> Void) async throws {
        try await TestStack.run(model: true, upstreamRetries: 0) { stack in
            try await Application(router: stack.router(apiKeys: apiKeys), logger: quietLogger).test(.live) { live in
                let baseURL = "http://localhost:\(live.port!)/v1"
                let client = AssistantsClient(baseURL: baseURL, apiKey: apiKeys.first, configuration: quick)
                try await test(TestServer(client: client, model: stack.model!, baseURL: baseURL))
            }
        }
    }
}
