import AssistantsAPI
import AssistantsStore
import Hummingbird

/// A response's private thread belongs to the response (it holds the response's input and output, and its
/// run): the `/threads/{thread_id}...` and `/conversations/{conversation_id}...` routes answer 404 for it, as
/// for a thread that does not exist, so that no other request can change what a response is made of.
struct PrivateThreadMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: any AssistantsStore
    /// The path parameter naming the thread, and the kind its 404 names.
    var parameter = "thread_id"
    var kind = ObjectKind.thread

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let threadID = context.parameters.get(parameter), try await store.isPrivateThread(threadID) {
            throw APIError.notFound(kind, id: threadID)
        }
        return try await next(request, context)
    }
}
