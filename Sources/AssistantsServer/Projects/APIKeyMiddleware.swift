import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `Authorization: Bearer <key>`: the request acts for the key's project (`ProjectScope`) from here on, so
/// it finds and makes that project's objects only, and every line it logs names the project. A key over its
/// requests per minute gets a 429 instead.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeys
    let limiter: RequestLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try await keys.caller(authorization: request.headers[.authorization])
        try await limiter.admit(caller)
        return try await ProjectScope.$current.withValue(caller.project) {
            try await LogContext.with(["project": "\(caller.project)"]) { try await next(request, context) }
        }
    }
}
