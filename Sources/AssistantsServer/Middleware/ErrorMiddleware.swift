import AssistantsAPI
import AssistantsStore
import Hummingbird
import Logging
import NIOCore

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
            var response = Response.json(apiError.envelope, status: .init(code: apiError.status))
            if let seconds = apiError.retryAfter { response.headers[.retryAfter] = String(seconds) }
            return response
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
        case StoreError.containerExpired(let id):
            self = .containerExpired(id: id)
        case StoreError.quotaExceeded(let quota, let limit, let used):
            self = .quotaExceeded(quota, limit: limit, used: used)
        case StoreError.tooManyActiveRuns(let limit):
            self = .tooManyActiveRuns(limit: limit)
        case StoreError.nameTaken(let kind, let name):
            self = .invalidRequest("A \(kind.displayName) named '\(name)' exists already.", param: "name", code: "name_taken")
        case let error as HTTPError where error.status == .notFound:
            self = APIError(status: 404, type: "invalid_request_error", message: "Invalid URL (\(request.method) \(request.uri.path))")
        case is NIOTooManyBytesError:
            // A body read with a cap (`collect(upTo:)`) went over it: the client's mistake, never retried
            // as the SDKs retry a 500. (Its `maxBytes` may be what was left of the cap, not the cap.)
            self = .bodyTooLarge(limit: nil)
        case let error as HTTPError where error.status == .contentTooLarge:
            self = .bodyTooLarge(limit: nil)
        case let error as HTTPError where (400..<500).contains(error.status.code):
            self = APIError(status: error.status.code, type: "invalid_request_error", message: error.body ?? error.status.reasonPhrase)
        default:
            self = .serverError
        }
    }
}

extension APIError {
    /// 413 in OpenAI's envelope, naming the limit when it is known.
    static func bodyTooLarge(limit: Int?) -> APIError {
        let shown = limit.map { $0 % (1024 * 1024) == 0 ? "\($0 / 1024 / 1024) MiB" : "\($0) bytes" }
        return APIError(
            status: 413, type: "invalid_request_error",
            message: "The request body is too large" + (shown.map { ": the maximum size is \($0)." } ?? "."),
            code: "request_too_large")
    }
}

extension APIError {
    /// A file that would take its project past a byte quota.
    static func quotaExceeded(_ quota: FileQuota, limit: Int, used: Int) -> APIError {
        let what = switch quota {
        case .storage: "its project's files may hold \(limit) bytes together, and hold \(used)"
        case .uploads: "its project may add \(limit) bytes of files a day (UTC), and has added \(used) today"
        }
        return .invalidRequest("The file does not fit: \(what).", code: quota == .storage ? "storage_quota_exceeded" : "upload_quota_exceeded")
    }
}
