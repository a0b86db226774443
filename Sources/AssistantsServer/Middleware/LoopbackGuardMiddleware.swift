import AssistantsAPI
import HTTPTypes
import Hummingbird

/// Without API keys the server trusts whoever reaches its loopback address, so it must not be reachable
/// *through a browser* by a web page of another origin:
/// - a `Host` that is not a loopback name is refused: a DNS-rebound name (`attacker.example` resolving to
///   127.0.0.1) would otherwise make the page same-origin with the server;
/// - an `Origin` other than the server's own (or one of `ASSISTANTS_CORS_ORIGINS`) is refused;
/// - a body that is neither JSON nor multipart is refused: `text/plain` is what a page can send
///   cross-site without a CORS preflight.
/// With keys (configured or made by `assistants keys create`) none of this applies: a page cannot know the key.
struct LoopbackGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let corsOrigins: CORSOrigins
    let keys: APIKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try await keys.isOpen() else { return try await next(request, context) }
        // No `Host` at all cannot come from a browser, which always sends one.
        if let authority = request.head.authority, !Loopback.isAuthority(authority) {
            throw APIError(
                status: 403, type: "invalid_request_error",
                message: "Host '\(authority)' is not allowed: without API keys this server answers only loopback host names (localhost, 127.0.0.1, [::1]). Set ASSISTANTS_API_KEYS to serve other names.",
                code: "host_not_allowed")
        }
        if let origin = request.headers[.origin], !Self.isOwnOrigin(origin, authority: request.head.authority),
            !corsOrigins.allows(origin)
        {
            throw APIError(
                status: 403, type: "invalid_request_error",
                message: "Origin '\(origin)' is not allowed: without API keys this server accepts browser requests only from its own origin. List other origins in ASSISTANTS_CORS_ORIGINS.",
                code: "origin_not_allowed")
        }
        if Self.hasBody(request), !Self.isAcceptedContentType(request.headers[.contentType]) {
            let sent = request.headers[.contentType].map { "'\($0)'" } ?? "none"
            throw APIError(
                status: 415, type: "invalid_request_error",
                message: "Unsupported Content-Type \(sent): send JSON bodies as application/json and uploads as multipart/form-data.",
                code: "unsupported_content_type")
        }
        return try await next(request, context)
    }

    /// The page that sent the request was served by this server, under the name the request uses.
    static func isOwnOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority else { return false }
        let origin = origin.lowercased()
        return origin == "http://\(authority.lowercased())" || origin == "https://\(authority.lowercased())"
    }

    static func hasBody(_ request: Request) -> Bool {
        if request.headers[.transferEncoding] != nil { return true }
        guard let length = request.headers[.contentLength] else { return false }
        return Int(length) != 0
    }

    static func isAcceptedContentType(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json" || mediaType == "multipart/form-data"
    }
}

/// Names and addresses that only ever mean this machine.
enum Loopback {
    /// `localhost`, an IPv4 literal in 127.0.0.0/8 or `[::1]`, with or without a port.
    static func isAuthority(_ authority: String) -> Bool {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return false }
            host = host[host.index(after: host.startIndex)..<close]
            return isHost(String(host))
        }
        if let colon = host.lastIndex(of: ":") {
            guard isPort(host[colon...]) else { return false }
            host = host[..<colon]
        }
        return isHost(String(host))
    }

    /// `:8080`.
    private static func isPort(_ text: Substring) -> Bool {
        text.first == ":" && text.count > 1 && text.count <= 6 && text.dropFirst().allSatisfy(\.isASCII) && text.dropFirst().allSatisfy(\.isNumber)
    }

    /// A bare host name or address (no brackets, no port) that only ever means this machine.
    static func isHost(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "localhost." || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.map { octet -> Int? in
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(octet).flatMap { $0 <= 255 ? $0 : nil }
        }
        return values.allSatisfy { $0 != nil } && values[0] == 127
    }
}
