import AssistantsEngine
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The server as the HTTP and SDK tests run it: assembled by `ServerParts.assemble`, as `assistants serve`
/// assembles it, on SQLite in a temporary data directory, with its services (run engine, ingestion,
/// expiry) working and, when asked, the scripted fake model as the upstream. Sweeps and retries are quick,
/// and the clock is the test's.
public struct TestStack: Sendable {
    public let parts: ServerParts
    public let model: FakeModelServer?
    public let clock: TestClock

    public var store: any AssistantsStore { parts.store }
    public var blobs: any BlobStore { parts.blobs }
    public var vectorStores: VectorStores { parts.vectorStores }
    public var engine: RunEngine { parts.engine }

    /// The routes under `/v1`, as the server builds them.
    public func router(apiKeys: Set<String>, corsOrigins: CORSOrigins = .init()) -> Router<BasicRequestContext> {
        parts.router(apiKeys: apiKeys, corsOrigins: corsOrigins)
    }

    /// Starts a stack, runs `body` with it, and takes it down whatever `body` does. `configure` changes the
    /// server's configuration before it is assembled.
    public static func run<T: Sendable>(
        model: Bool, upstreamRetries: Int = 2, configure: @Sendable (inout ServerConfiguration) -> Void = { _ in }, _ body: @Sendable (TestStack) async throws -> T
    ) async throws -> T {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stack-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let fake = model ? try await FakeModelServer.start() : nil
        let clock = TestClock()
        var environment = ServerEnvironment()
        environment.clock = clock
        environment.runSweepInterval = .milliseconds(100)
        environment.upstreamRetries = upstreamRetries
        environment.upstreamBackoff = .milliseconds(10)
        var configuration = ServerConfiguration(dataDirectory: dataDirectory, upstreamURL: fake?.baseURL, runWorkers: 4)
        configure(&configuration)
        let logger = {
            var logger = Logger(label: "test-stack")
            logger.logLevel = .warning
            return logger
        }()
        let outcome = await Result {
            let parts = try await ServerParts.assemble(configuration, environment: environment, logger: logger)
            let services = Task { try await ServiceGroup(services: parts.services, logger: logger).run() }
            let outcome = await Result { try await body(TestStack(parts: parts, model: fake, clock: clock)) }
            services.cancel()
            _ = await services.result
            return try outcome.get()
        }
        await fake?.stop()
        return try outcome.get()
    }
}

/// The system's clock, which a test can move forward to reach a deadline without waiting for it.
public final class TestClock: WallClock {
    private let offset = Mutex(0)

    public init() {}

    public func now() -> Int { SystemClock().now() + offset.withLock { $0 } }

    public func advance(by seconds: Int) {
        offset.withLock { $0 += seconds }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async body, thrown errors included.
    public init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
