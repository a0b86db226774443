import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird

/// `Authorization: Bearer <key>`: the request acts for the key's project (`ProjectScope`) from here on, so
/// it finds and makes that project's objects only, and every line it logs names the project.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let project = try await keys.project(authorization: request.headers[.authorization])
        return try await ProjectScope.$current.withValue(project) {
            try await LogContext.with(["project": "\(project)"]) { try await next(request, context) }
        }
    }
}
