import HTTPTypes
import Hummingbird

/// The origins `ASSISTANTS_CORS_ORIGINS` lets browsers call the API from: exact origins, or `*` for any.
public struct CORSOrigins: Sendable, Equatable {
    public var origins: Set<String>

    public init(_ origins: Set<String> = []) {
        self.origins = Set(origins.map { $0.lowercased() })
    }

    /// `https://app.example,http://localhost:3000` or `*`.
    public static func parse(_ list: String?) -> CORSOrigins {
        CORSOrigins(Set((list ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
    }

    public var isEmpty: Bool { origins.isEmpty }

    func allows(_ origin: String) -> Bool {
        origins.contains("*") || origins.contains(origin.lowercased())
    }

    /// What the official SDKs send: the JS SDK's `x-stainless-*` family among them.
    static let allowedHeaders = [
        "Authorization", "Content-Type", "Accept", "OpenAI-Beta", "OpenAI-Organization", "OpenAI-Project",
        "Idempotency-Key", "X-Stainless-Arch", "X-Stainless-Async", "X-Stainless-Custom-Poll-Interval",
        "X-Stainless-Helper", "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-OS",
        "X-Stainless-Package-Version", "X-Stainless-Poll-Helper", "X-Stainless-Retry-Count", "X-Stainless-Runtime",
        "X-Stainless-Runtime-Version", "X-Stainless-Timeout",
    ]
    static let allowedMethods = "GET, POST, DELETE, HEAD, OPTIONS"
    static let exposedHeaders = "x-request-id, openai-poll-after-ms"
}

/// CORS for the origins configured: preflights are answered here, and answers to allowed origins say so
/// and expose `x-request-id`. Outside the error middleware, so error bodies are readable by the page too.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: CORSOrigins

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.allows(origin) else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = allowOrigin(origin)
            headers[.accessControlAllowMethods] = CORSOrigins.allowedMethods
            // Headers a newer SDK adds under its own prefix are let through as well.
            let requested = (request.headers[.accessControlRequestHeaders] ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.lowercased().hasPrefix("x-stainless-") }
            let listed = Set(CORSOrigins.allowedHeaders.map { $0.lowercased() })
            headers[.accessControlAllowHeaders] = (CORSOrigins.allowedHeaders + requested.filter { !listed.contains($0.lowercased()) })
                .joined(separator: ", ")
            headers[.accessControlMaxAge] = "7200"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: allowOrigin(origin))
        response.headers[.accessControlExposeHeaders] = CORSOrigins.exposedHeaders
        return response
    }

    private func allowOrigin(_ origin: String) -> HTTPFields {
        // The origin itself rather than `*`: correct with and without credentials, and `Vary` keeps
        // caches from mixing origins.
        [.accessControlAllowOrigin: origin, .vary: "Origin"]
    }
}
