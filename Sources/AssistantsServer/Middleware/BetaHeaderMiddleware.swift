import AssistantsAPI
import HTTPTypes
import Hummingbird

/// `/assistants*` and `/threads*` require `OpenAI-Beta: assistants=v2`, as OpenAI's API did.
struct BetaHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("OpenAI-Beta")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let values = request.headers[values: Self.headerName]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if values.contains("assistants=v2") { return try await next(request, context) }
        throw values.contains("assistants=v1") ? APIError.deprecatedBetaHeader : APIError.missingBetaHeader
    }
}
