import AssistantsAPI
import Hummingbird

/// `Authorization: Bearer <key>` against the configured keys. With no keys configured every request is
/// let in; the server only allows that while it listens on a loopback address.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !keys.isEmpty else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.missingAPIKey
        }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw APIError.missingAPIKey }
        guard keys.contains(key) else { throw APIError.incorrectAPIKey(key) }
        return try await next(request, context)
    }
}
