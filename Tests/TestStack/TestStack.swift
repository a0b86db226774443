import AssistantsEngine
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import Hummingbird
import ModelProviders
import Retrieval
import SQLiteStore

/// The server's parts as the HTTP and SDK tests run them: an in-memory store, a temporary blob directory,
/// an in-memory search index, the run engine and ingestion working, and, when asked, the scripted fake
/// model as the upstream.
public struct TestStack: Sendable {
    public let store: SQLiteStore
    public let blobs: FileSystemBlobStore
    public let vectorStores: VectorStores
    public let engine: RunEngine
    public let model: FakeModelServer?

    /// The routes under `/v1`, as the server builds them.
    public func router(apiKeys: Set<String>) -> Router<BasicRequestContext> {
        buildRouter(store: store, blobs: blobs, engine: engine, apiKeys: apiKeys)
    }

    /// Starts a stack, runs `body` with it, and takes it down whatever `body` does.
    public static func run<T: Sendable>(
        model: Bool, upstreamRetries: Int = 2, _ body: @Sendable (TestStack) async throws -> T
    ) async throws -> T {
        let blobRoot = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: blobRoot) }
        let store = try SQLiteStore.inMemory()
        let blobs = try FileSystemBlobStore(root: blobRoot)
        let fake = model ? try await FakeModelServer.start() : nil
        let provider = fake.map {
            OpenAICompatibleProvider(configuration: .init(baseURL: $0.baseURL, maxRetries: upstreamRetries, initialBackoff: .milliseconds(10)))
        }
        let vectorStores = VectorStores(store: store, blobs: blobs, index: try SearchIndex())
        let engine = RunEngine(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: provider,
            configuration: .init(workers: 4, sweepInterval: .milliseconds(100)))
        let engineTask = Task { try await engine.run() }
        let ingestionTask = Task { try await VectorStoreIngestion(vectorStores).run() }
        let stack = TestStack(store: store, blobs: blobs, vectorStores: vectorStores, engine: engine, model: fake)
        let outcome = await Result { try await body(stack) }
        engineTask.cancel()
        ingestionTask.cancel()
        _ = await engineTask.result
        _ = await ingestionTask.result
        await fake?.stop()
        await provider?.shutdown()
        return try outcome.get()
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
