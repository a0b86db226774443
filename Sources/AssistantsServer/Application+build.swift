import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import CodeInterpreter
import Foundation
import Hummingbird
import Logging
import ModelProviders
import Retrieval
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
    let server = try await ServerParts.assemble(configuration, logger: logger)
    let storedKeysExist = !(try await server.store.apiKeys(projectID: nil)).isEmpty
    try configuration.checkExposure(storedKeysExist: storedKeysExist)
    if configuration.apiKeys.isEmpty && !storedKeysExist {
        logger.warning(
            "No API keys: accepting every request, on a loopback address only. Set ASSISTANTS_API_KEYS or create keys with `assistants keys create` to require them.")
    }
    return Application(
        router: server.router(apiKeys: configuration.apiKeys, loopbackOnly: configuration.isLoopback, corsOrigins: configuration.corsOrigins),
        server: .http1(limits: configuration.connectionLimits),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swift-assistants"),
        services: server.services,
        onServerRunning: { channel in
            // The address a newcomer opens: the web console, on the port actually bound (0 picks one).
            guard let port = channel.localAddress?.port else { return }
            let host = configuration.host == "0.0.0.0" || configuration.host == "::" ? "127.0.0.1" : configuration.host
            let shown = host.contains(":") ? "[\(host)]" : host
            logger.notice("Web console at http://\(shown):\(port)/ (the API at /v1)")
        },
        logger: logger)
}

/// What the server takes from its surroundings rather than from its operator: the clock, and how soon it
/// looks again for expired runs and calls the model again after a failure. The server runs with the
/// defaults; tests move the clock and shorten the waits.
public struct ServerEnvironment: Sendable {
    public var clock: any WallClock = .system
    /// How often the run engine looks for runs past their expiry.
    public var runSweepInterval: Duration = RunEngine.Configuration().sweepInterval
    /// Calls of the model retried before its first byte, and the pause before the first retry; nil: the
    /// provider's own.
    public var upstreamRetries: Int?
    public var upstreamBackoff: Duration?

    public init() {}
}

/// The server's parts, assembled from its configuration in the one place that does it: what
/// `buildApplication` serves, and what tests drive.
public struct ServerParts: Sendable {
    public let store: any AssistantsStore
    public let blobs: any BlobStore
    public let vectorStores: VectorStores
    public let engine: RunEngine
    public let health: any HealthCheck
    /// Each key's requests per minute, and the default limit of keys whose project sets none.
    let requests: RequestLimiter
    let requestsPerMinute: Int?
    /// What `/metrics` renders: this server's own registry, which every part records into.
    public let metrics: ServerMetrics
    /// To run for as long as the server does. The backend's come first, so that they shut down last, after
    /// everything that uses them.
    public let services: [any Service]

    /// The routes, with the API keys they accept besides the stored ones; open without keys only when
    /// `loopbackOnly`.
    public func router(apiKeys: Set<String>, loopbackOnly: Bool = true, corsOrigins: CORSOrigins = .init()) -> Router<BasicRequestContext> {
        buildRouter(
            store: store, blobs: blobs, engine: engine, apiKeys: apiKeys, loopbackOnly: loopbackOnly,
            requestsPerMinute: requestsPerMinute, requests: requests, corsOrigins: corsOrigins, health: health, metrics: metrics)
    }

    /// Opens the configured backend and builds the model provider, the code interpreter, the vector stores
    /// and the run engine on it.
    public static func assemble(
        _ configuration: ServerConfiguration, environment: ServerEnvironment = .init(), logger: Logger
    ) async throws -> ServerParts {
        try configuration.validate()
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        logger.info("starting node", metadata: ["node_id": "\(configuration.nodeID)"])
        let metrics = ServerMetrics(token: configuration.metricsToken, openWithoutToken: configuration.isLoopback)
        let backend = try await openBackend(configuration, logger: logger)
        let (store, blobs, dispatch) = (backend.store, backend.blobs, backend.dispatch)
        store.setDefaultLimits(ProjectLimits(
            maxActiveRuns: configuration.maxActiveRuns, storageBytes: configuration.storageQuota, uploadBytesPerDay: configuration.uploadsPerDay))
        var upstreamLogger = logger
        if configuration.logUpstream { upstreamLogger.logLevel = .trace }
        let makeProvider = { @Sendable [upstreamLogger] (endpoint: Project.Upstream) -> OpenAICompatibleProvider in
            var upstream = OpenAICompatibleProvider.Configuration(
                baseURL: endpoint.url, apiKey: endpoint.apiKey, modelAliases: endpoint.modelAliases,
                maxConnections: max(64, configuration.runWorkers * 2), namedToolChoice: configuration.upstreamToolChoice)
            if let retries = environment.upstreamRetries { upstream.maxRetries = retries }
            if let backoff = environment.upstreamBackoff { upstream.initialBackoff = backoff }
            return OpenAICompatibleProvider(configuration: upstream, logger: upstreamLogger, metrics: metrics.upstream)
        }
        let provider = configuration.upstreamURL.map { url in
            makeProvider(.init(url: url, apiKey: configuration.upstreamAPIKey, modelAliases: configuration.modelAliases))
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
            logger: logger, metrics: metrics.factory)
        var embeddings: VectorStores.Embeddings?
        if let provider, let model = configuration.embeddingModel { embeddings = .init(provider: provider, model: model) }
        let vectorStores = VectorStores(
            store: store, blobs: blobs, index: SearchIndex(storage: backend.chunks), embeddings: embeddings,
            clock: environment.clock, logger: logger, metrics: metrics.engine)
        let containers = Containers(store: store, blobs: blobs, clock: environment.clock)
        let codeInterpreter = CodeInterpreterTool(
            service: interpreter, store: store, blobs: blobs, containers: containers, placement: backend.sessions, clock: environment.clock)
        // Each run calls the endpoint of its project: the project's own, or the server's.
        let upstreams = ProjectUpstreams(server: provider, store: store, makeProvider: makeProvider)
        let engine = RunEngine(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: upstreams, containers: containers, tools: [codeInterpreter],
            dispatch: dispatch, events: backend.events,
            configuration: .init(
                workers: configuration.runWorkers, sweepInterval: environment.runSweepInterval, contextWindow: configuration.contextWindow),
            logger: logger,
            metrics: metrics.engine)
        return ServerParts(
            store: store, blobs: blobs, vectorStores: vectorStores, engine: engine, health: backend.health,
            requests: RequestLimiter(counter: backend.requests, clock: environment.clock),
            requestsPerMinute: configuration.requestsPerMinute, metrics: metrics,
            services: backend.services + [
                engine, interpreter, VectorStoreIngestion(vectorStores, dispatch: dispatch),
                ExpiryService(
                    vectorStores: vectorStores, engine: engine, dispatch: dispatch, logger: logger,
                    eventRetention: backend.eventRetention,
                    eventRetentionPolicy: RunEventRetentionPolicy(backgroundResponses: configuration.responseEventsRetention)),
            ])
    }
}
