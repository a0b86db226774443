import AssistantsAPI
import AssistantsStore
import Foundation
import Hummingbird
import Logging
import SQLiteStore

/// The server: storage opened, routes wired, ready to run.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    try configuration.validate()
    try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: configuration.databasePath())
    let blobs = try FileSystemBlobStore(root: configuration.dataDirectory.appendingPathComponent("files", isDirectory: true))
    if configuration.apiKeys.isEmpty {
        logger.warning("No API keys configured: accepting every request, on a loopback address only. Set ASSISTANTS_API_KEYS to require keys.")
    }
    let router = buildRouter(store: store, blobs: blobs, apiKeys: configuration.apiKeys)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swift-assistants"),
        services: [FileExpiryService(store: store, blobs: blobs, logger: logger)],
        logger: logger)
}

/// The routes under `/v1`, behind the middleware every API request goes through.
public func buildRouter(store: any AssistantsStore, blobs: any BlobStore, apiKeys: Set<String>) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.get("health") { _, _ in Response.json(["status": "ok"]) }

    let api = router.group("v1").add(middleware: APIKeyMiddleware(keys: apiKeys))
    FilesController(store: store, blobs: blobs).addRoutes(to: api.group("files"))

    let beta = api.group().add(middleware: BetaHeaderMiddleware())
    AssistantsController(store: store).addRoutes(to: beta.group("assistants"))
    ThreadsController(store: store).addRoutes(to: beta.group("threads"))
    MessagesController(store: store).addRoutes(to: beta.group("threads/:thread_id/messages"))
    return router
}
