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
        // Every configured key is compared in full, so response times say nothing about how much matched.
        let matches = keys.reduce(false) { matched, candidate in Self.constantTimeEqual(candidate, key) || matched }
        guard matches else { throw APIError.incorrectAPIKey(key) }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (a, b) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0 && a.count == b.count
    }
}
