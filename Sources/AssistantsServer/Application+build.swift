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
    logger.info("starting node", metadata: ["node_id": "\(configuration.nodeID)"])
    let backend = try await openBackend(configuration, logger: logger)
    let (store, blobs, dispatch) = (backend.store, backend.blobs, backend.dispatch)
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
        store: store, blobs: blobs, index: SearchIndex(storage: backend.chunks), embeddings: embeddings, logger: logger)
    let engine = RunEngine(
        store: store, blobs: blobs, vectorStores: vectorStores, provider: provider,
        tools: [CodeInterpreterTool(service: interpreter, store: store, blobs: blobs, placement: backend.sessions)], dispatch: dispatch, events: backend.events,
        configuration: .init(workers: configuration.runWorkers), logger: logger)
    let router = buildRouter(
        store: store, blobs: blobs, engine: engine, apiKeys: configuration.apiKeys, corsOrigins: configuration.corsOrigins,
        health: backend.health)
    return Application(
        router: router,
        server: .http1(limits: configuration.connectionLimits),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swift-assistants"),
        // The store's service comes first so that it shuts down last, after everything that uses it.
        services: backend.services + [
            engine, interpreter, VectorStoreIngestion(vectorStores, dispatch: dispatch),
            ExpiryService(vectorStores: vectorStores, dispatch: dispatch, logger: logger),
        ],
        logger: logger)
}

/// What the configured backend provides: the store, the blob store for file contents and the storage of
/// vector stores' chunks that go with it, how this node shares work and runs' stream events with the
/// others on it, what `/health` asks about it, and the services that keep its connections open and its
/// node alive (PostgreSQL).
struct Backend {
    var store: any AssistantsStore
    var blobs: any BlobStore
    var dispatch: any WorkDispatch
    /// Which node holds each thread's code interpreter session.
    var sessions: any SessionPlacement
    /// Carries runs' stream events to the clients streaming them, on every node.
    var events: any RunEventBus
    /// Where vector stores' chunks live.
    var chunks: any ChunkStorage
    var health: any HealthCheck
    var services: [any Service]
}

/// The backend the configuration names. The one place that chooses one.
///
/// On SQLite, file contents are files in the data directory; on PostgreSQL they are in the database, so
/// that every node serves every file, and the data directory keeps only this node's uploads in progress.
private func openBackend(_ configuration: ServerConfiguration, logger: Logger) async throws -> Backend {
    let files = configuration.filesDirectory
    switch configuration.database() {
    case .sqlite(let path):
        let store = try SQLiteStore(path: path)
        return Backend(
            store: store, blobs: try FileSystemBlobStore(root: files),
            dispatch: LocalWorkDispatch(store: store, nodeID: configuration.nodeID), sessions: LocalSessionPlacement(),
            events: InProcessEventBus(),
            chunks: try SQLiteChunkStorage(path: configuration.searchIndexPath), health: InProcessHealthCheck(), services: [])
    case .postgres(let url):
        do {
            var postgres = try PostgresStore.Configuration(url: url, poolSize: configuration.databasePoolSize)
            postgres.connectTimeout = configuration.databaseConnectTimeout
            let store = try await PostgresStore(configuration: postgres, logger: logger)
            let blobs = try PostgresBlobStore(store: store, stagingBase: files.appendingPathComponent(".staging", isDirectory: true))
            let dispatch = try await PostgresWorkDispatch(store: store, configuration: .init(nodeID: configuration.nodeID, leaseTTL: configuration.nodeLeaseTTL))
            let events = PostgresEventBus(store: store)
            // Services shut down in reverse order, after the engine and ingestion listed later: the bus first
            // (it writes the engine's last events), then the node's heartbeat, which must outlast the runs and
            // files it owns, then the store.
            return Backend(
                store: store, blobs: blobs, dispatch: dispatch, sessions: dispatch.makeSessionPlacement(), events: events, chunks: store.makeChunkStorage(),
                health: PostgresHealthCheck(store: store), services: [store, dispatch, events])
        } catch let error as PostgresStore.ConfigurationError {
            throw ConfigurationError(error.description)
        }
    }
}

/// The routes under `/v1`, behind the middleware every API request goes through.
/// `health` decides whether `/health` answers 200 or 503.
public func buildRouter(
    store: any AssistantsStore, blobs: any BlobStore, engine: RunEngine, apiKeys: Set<String>,
    corsOrigins: CORSOrigins = .init(), health: any HealthCheck = InProcessHealthCheck()
) -> Router<BasicRequestContext> {
    // `HEAD` answers as `GET` does, without the body.
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    if !corsOrigins.isEmpty { router.add(middleware: CORSMiddleware(origins: corsOrigins)) }
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    if apiKeys.isEmpty { router.add(middleware: LoopbackGuardMiddleware(corsOrigins: corsOrigins)) }
    // Load balancers poll this: the check logs when the database goes away and comes back, not each answer.
    router.get("health") { _, _ in
        guard await health.problem() == nil else {
            return Response.json(APIError.storageUnavailable.envelope, status: .init(code: APIError.storageUnavailable.status))
        }
        return Response.json(["status": "ok"])
    }

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
