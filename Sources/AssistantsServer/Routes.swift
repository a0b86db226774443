import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// The routes under `/v1`, behind the middleware every API request goes through, and the web console's.
/// `health` decides whether `/health` answers 200 or 503; `metrics` is what `/metrics` renders.
public func buildRouter(
    store: any AssistantsStore, blobs: any BlobStore, engine: RunEngine, apiKeys: Set<String>,
    corsOrigins: CORSOrigins = .init(), health: any HealthCheck = InProcessHealthCheck(), metrics: ServerMetrics = .init()
) -> Router<BasicRequestContext> {
    // `HEAD` answers as `GET` does, without the body.
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    if !corsOrigins.isEmpty { router.add(middleware: CORSMiddleware(origins: corsOrigins)) }
    router.add(middleware: HTTPMetricsMiddleware(factory: metrics.factory))
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
    metrics.addRoute(to: router)
    ConsoleController(store: store, apiKeys: apiKeys).addRoutes(to: router)

    let api = router.group("v1").add(middleware: APIKeyMiddleware(keys: apiKeys))
    let vectorStores = engine.vectorStores
    FilesController(store: store, blobs: blobs, vectorStores: vectorStores).addRoutes(to: api.group("files"))

    let beta = api.group().add(middleware: BetaHeaderMiddleware())
    AssistantsController(store: store, vectorStores: vectorStores).addRoutes(to: beta.group("assistants"))
    let publicThreads = PublicThreads()
    let threads = beta.group("threads").add(middleware: PrivateThreadMiddleware(store: store, publicThreads: publicThreads))
    RunsController(store: store, engine: engine, openStreams: metrics.openStreams).addRoutes(threads: threads)
    ThreadsController(store: store, engine: engine).addRoutes(to: threads)
    MessagesController(store: store, vectorStores: vectorStores).addRoutes(to: threads.group(":thread_id/messages"))
    // The SDKs send the beta header here too, but it is not required.
    VectorStoresController(vectorStores: vectorStores).addRoutes(to: api.group("vector_stores"))
    // The Responses API has no beta header.
    ResponsesController(engine: engine, openStreams: metrics.openStreams).addRoutes(to: api.group("responses"))
    let conversations = api.group("conversations").add(
        middleware: PrivateThreadMiddleware(store: store, publicThreads: publicThreads, parameter: "conversation_id", kind: .conversation))
    ConversationsController(store: store, engine: engine).addRoutes(to: conversations)
    ContainersController(engine: engine, blobs: blobs).addRoutes(to: api.group("containers"))
    // Last, so that it wraps only the router's not-found answer.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
