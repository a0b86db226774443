import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import CodeInterpreter
import Foundation
import Hummingbird
import Logging
import ModelProviders
import PostgresStore
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
    let (store, storeServices, events) = try await openStore(configuration, logger: logger)
    let blobs = try FileSystemBlobStore(root: configuration.dataDirectory.appendingPathComponent("files", isDirectory: true))
    if configuration.apiKeys.isEmpty {
        logger.warning("No API keys configured: accepting every request, on a loopback address only. Set ASSISTANTS_API_KEYS to require keys.")
    }
    var upstreamLogger = logger
    if configuration.logUpstream { upstreamLogger.logLevel = .trace }
    let provider = configuration.upstreamURL.map { url in
        OpenAICompatibleProvider(
            configuration: .init(
                baseURL: url, apiKey: configuration.upstreamAPIKey, modelAliases: configuration.modelAliases,
                maxConnections: max(64, configuration.runWorkers * 2), namedToolChoice: configuration.upstreamToolChoice),
            logger: upstreamLogger)
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
            memoryBytes: configuration.codeMemory, diskQuotaBytes: configuration.codeDiskQuota,
            allowUnsandboxed: configuration.unsandboxedCode),
        logger: logger)
    var embeddings: VectorStores.Embeddings?
    if let provider, let model = configuration.embeddingModel { embeddings = .init(provider: provider, model: model) }
    let vectorStores = VectorStores(
        store: store, blobs: blobs, index: try SearchIndex(path: configuration.searchIndexPath), embeddings: embeddings, logger: logger)
    let engine = RunEngine(
        store: store, blobs: blobs, vectorStores: vectorStores, provider: provider,
        tools: [CodeInterpreterTool(service: interpreter, store: store, blobs: blobs)], events: events,
        configuration: .init(workers: configuration.runWorkers), logger: logger)
    let router = buildRouter(
        store: store, blobs: blobs, engine: engine, apiKeys: configuration.apiKeys, corsOrigins: configuration.corsOrigins)
    return Application(
        router: router,
        server: .http1(limits: configuration.connectionLimits),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swift-assistants"),
        // The store's service comes first so that it shuts down last, after everything that uses it.
        services: storeServices + [
            engine, interpreter, VectorStoreIngestion(vectorStores),
            ExpiryService(vectorStores: vectorStores, logger: logger),
        ],
        logger: logger)
}

/// The store the configuration names, with the services that keep its connections open (PostgreSQL), and
/// the bus carrying runs' stream events between the nodes sharing it. The one place that chooses a backend.
private func openStore(_ configuration: ServerConfiguration, logger: Logger) async throws -> (any AssistantsStore, [any Service], any RunEventBus) {
    switch configuration.database() {
    case .sqlite(let path):
        return (try SQLiteStore(path: path), [], InProcessEventBus())
    case .postgres(let url):
        do {
            let store = try await PostgresStore(
                configuration: .init(url: url, poolSize: configuration.databasePoolSize), logger: logger)
            // The bus stops after the engine (it writes the engine's last events), before the store.
            let events = PostgresEventBus(store: store)
            return (store, [store, events], events)
        } catch let error as PostgresStore.ConfigurationError {
            throw ConfigurationError(error.description)
        }
    }
}

/// The routes under `/v1`, behind the middleware every API request goes through.
public func buildRouter(
    store: any AssistantsStore, blobs: any BlobStore, engine: RunEngine, apiKeys: Set<String>,
    corsOrigins: CORSOrigins = .init()
) -> Router<BasicRequestContext> {
    // `HEAD` answers as `GET` does, without the body.
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    if !corsOrigins.isEmpty { router.add(middleware: CORSMiddleware(origins: corsOrigins)) }
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    if apiKeys.isEmpty { router.add(middleware: LoopbackGuardMiddleware(corsOrigins: corsOrigins)) }
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
    // Last, so that it wraps only the router's not-found answer.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
