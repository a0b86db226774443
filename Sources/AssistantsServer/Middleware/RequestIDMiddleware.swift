import AssistantsEngine
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id like OpenAI's: sent back as `x-request-id` on every response, error and
/// event streams included, and carried as `request_id` by every log line of the request, so an id quoted
/// from an SDK's `_request_id` finds its logs, those the engine, the model provider and the tools write
/// for the request included (`LogContext`), and those of the runs it queues. Outermost, so nothing escapes it.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestIdentifier.make()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await LogContext.with(["request_id": .string(id)]) { try await next(request, context) }
        response.headers[RequestIdentifier.header] = id
        return response
    }
}

/// `req_` and 32 hex digits. A client's own `x-request-id` is not reused: ids must be unique, as
/// OpenAI's are.
enum RequestIdentifier {
    static let header = HTTPField.Name("x-request-id")!

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = [generator.next(), generator.next()].map { (value: UInt64) -> String in
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
        return "req_" + digits.joined()
    }
}
