import AssistantsAPI
import AssistantsStore
import Hummingbird
import Logging

/// Turns every error a handler throws into OpenAI's error envelope. The one place errors become HTTP.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError(mapping: error, request: request)
            if apiError.status >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return Response.json(apiError.envelope, status: .init(code: apiError.status))
        }
    }
}

extension APIError {
    /// The API's view of any error: our own pass through, store and HTTP errors get OpenAI's wording,
    /// anything else is a server error (logged by the caller, never shown to the client).
    init(mapping error: any Error, request: Request) {
        switch error {
        case let error as APIError:
            self = error
        case StoreError.notFound(let kind, let id):
            self = .notFound(kind, id: id)
        case StoreError.unknownCursor(let param, let id):
            self = .invalidRequest("Invalid '\(param)': no object with id '\(id)' in this list.", param: param, code: "invalid_value")
        case StoreError.threadHasActiveRun(let threadID, let runID):
            self = .invalidRequest("Thread \(threadID) already has an active run \(runID).")
        case StoreError.threadLocked(let threadID, let runID):
            self = .invalidRequest("Can't add messages to \(threadID) while a run \(runID) is active.")
        case let error as HTTPError where error.status == .notFound:
            self = APIError(status: 404, type: "invalid_request_error", message: "Invalid URL (\(request.method) \(request.uri.path))")
        case let error as HTTPError where error.status == .contentTooLarge:
            self = APIError(status: 413, type: "invalid_request_error", message: "The request body is too large.")
        case let error as HTTPError where (400..<500).contains(error.status.code):
            self = APIError(status: error.status.code, type: "invalid_request_error", message: error.body ?? error.status.reasonPhrase)
        default:
            self = .serverError
        }
    }
}
