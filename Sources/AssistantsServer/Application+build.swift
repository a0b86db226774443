import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import CodeInterpreter
import Foundation
import Hummingbird
import Logging
import ModelProviders
import Retrieval
import SQLiteStore
import ServiceLifecycle

/// Runs the server until SIGINT or SIGTERM, then shuts down gracefully: no queued run or file is started
/// any more, and what is in flight may finish within the grace period; after it, it is stopped and left
/// as a crash would leave it, for the next start.
public func serve(_ configuration: ServerConfiguration, logger: Logger) async throws {
    let application = try await buildApplication(configuration, logger: logger)
    var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
    try await ServiceGroup(configuration: group).run()
}

/// The server: storage opened, routes wired, ready to run.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    try configuration.validate()
    try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: configuration.databasePath())
    let blobs = try FileSystemBlobStore(root: configuration.dataDirectory.appendingPathComponent("files", isDirectory: true))
    if configuration.apiKeys.isEmpty {
        logger.warning("No API keys configured: accepting every request, on a loopback address only. Set ASSISTANTS_API_KEYS to require keys.")
    }
    let provider = configuration.upstreamURL.map { url in
        OpenAICompatibleProvider(
            configuration: .init(
                baseURL: url, apiKey: configuration.upstreamAPIKey, modelAliases: configuration.modelAliases,
                maxConnections: max(64, configuration.runWorkers * 2)),
            logger: logger)
    }
    if provider == nil {
        logger.warning("No model endpoint configured: runs will fail until ASSISTANTS_UPSTREAM_URL is set.")
    }
    if configuration.unsandboxedCode {
        logger.critical("ASSISTANTS_UNSANDBOXED_CODE is set: model-written code runs WITHOUT a sandbox, with this server's rights. Never do this outside development.")
    }
    let interpreter = CodeInterpreterService(
        configuration: .init(
            executionTimeout: configuration.codeTimeout, idleTimeout: configuration.codeIdleTimeout,
            allowUnsandboxed: configuration.unsandboxedCode),
        logger: logger)
    var embeddings: VectorStores.Embeddings?
    if let provider, let model = configuration.embeddingModel { embeddings = .init(provider: provider, model: model) }
    let vectorStores = VectorStores(
        store: store, blobs: blobs, index: try SearchIndex(path: configuration.searchIndexPath), embeddings: embeddings, logger: logger)
    let engine = RunEngine(
        store: store, blobs: blobs, vectorStores: vectorStores, provider: provider,
        tools: [CodeInterpreterTool(service: interpreter, store: store, blobs: blobs)],
        configuration: .init(workers: configuration.runWorkers), logger: logger)
    let router = buildRouter(store: store, blobs: blobs, engine: engine, apiKeys: configuration.apiKeys)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swift-assistants"),
        services: [
            engine, interpreter, VectorStoreIngestion(vectorStores),
            ExpiryService(vectorStores: vectorStores, logger: logger),
        ],
        logger: logger)
}

/// The routes under `/v1`, behind the middleware every API request goes through.
public func buildRouter(
    store: any AssistantsStore, blobs: any BlobStore, engine: RunEngine, apiKeys: Set<String>
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.get("health") { _, _ in Response.json(["status": "ok"]) }

    let api = router.group("v1").add(middleware: APIKeyMiddleware(keys: apiKeys))
    let vectorStores = engine.vectorStores
    FilesController(store: store, blobs: blobs, vectorStores: vectorStores).addRoutes(to: api.group("files"))

    let beta = api.group().add(middleware: BetaHeaderMiddleware())
    AssistantsController(store: store, vectorStores: vectorStores).addRoutes(to: beta.group("assistants"))
    let threads = beta.group("threads")
    RunsController(store: store, engine: engine).addRoutes(threads: threads)
    ThreadsController(store: store, engine: engine).addRoutes(to: threads)
    MessagesController(store: store, vectorStores: vectorStores).addRoutes(to: threads.group(":thread_id/messages"))
    // The SDKs send the beta header here too, but it is not required.
    VectorStoresController(vectorStores: vectorStores).addRoutes(to: api.group("vector_stores"))
    return router
}
