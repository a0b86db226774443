import AssistantsAPI
import HTTPTypes
import Hummingbird

/// Answers a request whose path exists under another method with a 405 and an `Allow` header, as
/// OpenAI's API does, instead of the router's 404. Added to the router after every route, so it wraps
/// only the router's not-found answer. `HEAD` is answered like `GET` by the router itself
/// (`autoGenerateHeadEndpoints`); here its error answers lose their body too.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes' paths, each answering `GET` with the methods it takes: the router's own path matching,
    /// asked with the method set aside.
    private let allowed: RouterResponder<Context>

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            methods[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        let router = Router(context: Context.self)
        for (path, taken) in methods.values {
            var taken = taken
            if taken.contains(.get) { taken.insert(.head) }
            let allow = taken.map(\.rawValue).sorted().joined(separator: ", ")
            router.get(path) { _, _ in Response(status: .methodNotAllowed, headers: [.allow: allow]) }
        }
        allowed = router.buildResponder()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            var head = request.head
            head.method = .get
            let probe = Request(head: head, body: .init(buffer: ByteBuffer()))
            guard let allow = try? await allowed.respond(to: probe, context: context).headers[.allow] else {
                let notFound = APIError(mapping: error, request: request)
                response = Response.json(notFound.envelope, status: .init(code: notFound.status))
                return request.method == .head ? response.createHeadResponse() : response
            }
            let apiError = APIError(
                status: 405, type: "invalid_request_error",
                message: "Invalid method for URL (\(request.method) \(request.uri.path)): use \(allow).")
            response = Response.json(apiError.envelope, status: .methodNotAllowed)
            response.headers[.allow] = allow
        }
        return request.method == .head ? response.createHeadResponse() : response
    }
}
