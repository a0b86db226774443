import AssistantsClient
import AssistantsEngine
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ModelProviders
import Retrieval
import SQLiteStore

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
        let blobRoot = FileManager.default.temporaryDirectory.appendingPathComponent("client-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: blobRoot) }
        let store = try SQLiteStore.inMemory()
        let blobs = try FileSystemBlobStore(root: blobRoot)
        let model = try await FakeModelServer.start()
        let provider = OpenAICompatibleProvider(configuration: .init(baseURL: model.baseURL, maxRetries: 0))
        let vectorStores = VectorStores(store: store, blobs: blobs, index: try SearchIndex())
        let engine = RunEngine(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: provider,
            configuration: .init(workers: 4, sweepInterval: .milliseconds(100)))
        let engineTask = Task { try await engine.run() }
        let ingestionTask = Task { try await VectorStoreIngestion(vectorStores).run() }
        let router = buildRouter(store: store, blobs: blobs, engine: engine, apiKeys: apiKeys)
        let outcome = await Result {
            try await Application(router: router, logger: quietLogger).test(.live) { live in
                let baseURL = "http://localhost:\(live.port!)/v1"
                try await test(TestServer(client: AssistantsClient(baseURL: baseURL, apiKey: apiKeys.first, configuration: quick), model: model, baseURL: baseURL))
            }
        }
        engineTask.cancel()
        ingestionTask.cancel()
        _ = await engineTask.result
        _ = await ingestionTask.result
        await model.stop()
        await provider.shutdown()
        try outcome.get()
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
