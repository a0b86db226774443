import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// The routes under `/v1`, behind the middleware every API request goes through, and the web console's.
/// `health` decides whether `/health` answers 200 or 503; `metrics` is what `/metrics` renders.
public func buildRouter(
    store: any AssistantsStore, blobs: any BlobStore, engine: RunEngine, apiKeys: Set<String>, loopbackOnly: Bool = true,
    requestsPerMinute: Int? = nil, requests: RequestLimiter = .init(counter: InProcessRequestCounter(), clock: .system),
    corsOrigins: CORSOrigins = .init(), health: any HealthCheck = InProcessHealthCheck(), metrics: ServerMetrics = .init()
) -> Router<BasicRequestContext> {
    let keys = APIKeys(configured: apiKeys, store: store, loopbackOnly: loopbackOnly, requestsPerMinute: requestsPerMinute)
    // `HEAD` answers as `GET` does, without the body.
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    if !corsOrigins.isEmpty { router.add(middleware: CORSMiddleware(origins: corsOrigins)) }
    router.add(middleware: HTTPMetricsMiddleware(factory: metrics.factory))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: LoopbackGuardMiddleware(corsOrigins: corsOrigins, keys: keys))
    // Load balancers poll this: the check logs when the database goes away and comes back, not each answer.
    router.get("health") { _, _ in
        guard await health.problem() == nil else {
            return Response.json(APIError.storageUnavailable.envelope, status: .init(code: APIError.storageUnavailable.status))
        }
        return Response.json(["status": "ok"])
    }
    metrics.addRoute(to: router)
    ConsoleController(store: store, keys: keys, requests: requests).addRoutes(to: router)

    let api = router.group("v1").add(middleware: APIKeyMiddleware(keys: keys, limiter: requests))
    let vectorStores = engine.vectorStores
    FilesController(store: store, blobs: blobs, vectorStores: vectorStores).addRoutes(to: api.group("files"))

    let beta = api.group().add(middleware: BetaHeaderMiddleware())
    AssistantsController(store: store, vectorStores: vectorStores).addRoutes(to: beta.group("assistants"))
    // What lives in an object is reached only through it, and only by its project.
    let owners = ObjectOwners()
    func guarded(_ group: RouterGroup<BasicRequestContext>, _ parameter: String, _ kind: ObjectKind) -> RouterGroup<BasicRequestContext> {
        group.add(middleware: ProjectGuardMiddleware(store: store, owners: owners, parameter: parameter, kind: kind))
    }
    let threads = guarded(beta.group("threads"), "thread_id", .thread)
    RunsController(store: store, engine: engine, owners: owners, openStreams: metrics.openStreams).addRoutes(threads: threads)
    ThreadsController(store: store, engine: engine, owners: owners).addRoutes(to: threads)
    MessagesController(store: store, vectorStores: vectorStores).addRoutes(to: threads.group(":thread_id/messages"))
    // The SDKs send the beta header here too, but it is not required.
    VectorStoresController(vectorStores: vectorStores).addRoutes(to: guarded(api.group("vector_stores"), "vector_store_id", .vectorStore))
    // The Responses API has no beta header.
    ResponsesController(engine: engine, openStreams: metrics.openStreams)
        .addRoutes(to: guarded(api.group("responses"), "response_id", .response))
    ConversationsController(store: store, engine: engine).addRoutes(to: guarded(api.group("conversations"), "conversation_id", .conversation))
    ContainersController(engine: engine, blobs: blobs).addRoutes(to: guarded(api.group("containers"), "container_id", .container))
    // Last, so that it wraps only the router's not-found answer.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
