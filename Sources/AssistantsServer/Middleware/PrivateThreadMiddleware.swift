import AssistantsAPI
import AssistantsStore
import Hummingbird
import Synchronization

/// A response's private thread belongs to the response (it holds the response's input and output, and its
/// run): the `/threads/{thread_id}...` and `/conversations/{conversation_id}...` routes answer 404 for it, as
/// for a thread that does not exist, so that no other request can change what a response is made of.
struct PrivateThreadMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: any AssistantsStore
    /// Threads seen to be public, shared by every route family, so that the store is asked once per thread.
    let publicThreads: PublicThreads
    /// The path parameter naming the thread, and the kind its 404 names.
    var parameter = "thread_id"
    var kind = ObjectKind.thread

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let threadID = context.parameters.get(parameter), !publicThreads.contains(threadID) {
            if try await store.isPrivateThread(threadID) { throw APIError.notFound(kind, id: threadID) }
            publicThreads.insert(threadID)
        }
        return try await next(request, context)
    }
}

/// The ids of threads known not to be private. A thread is private from the transaction that creates it
/// (with its response) to its end, so "public" never goes stale: a deleted thread is a 404 at its route
/// all the same, and ids are random values the server makes, so an id that names no thread now will not
/// name a private one later. Clients poll a run's thread many times a second; on PostgreSQL each check is a
/// round trip, which this saves.
///
/// Bounded: two generations of at most `capacity / 2` ids each; an id found in the older one moves to the
/// newer, and when the newer is full the older is dropped.
final class PublicThreads: Sendable {
    private struct Generations {
        var current: Set<String> = []
        var previous: Set<String> = []
    }

    private let generationSize: Int
    private let generations = Mutex(Generations())

    init(capacity: Int = 20_000) { generationSize = max(1, capacity / 2) }

    func contains(_ threadID: String) -> Bool {
        generations.withLock { generations in
            if generations.current.contains(threadID) { return true }
            guard generations.previous.contains(threadID) else { return false }
            Self.add(threadID, to: &generations, size: generationSize)
            return true
        }
    }

    func insert(_ threadID: String) {
        generations.withLock { Self.add(threadID, to: &$0, size: generationSize) }
    }

    private static func add(_ threadID: String, to generations: inout Generations, size: Int) {
        if generations.current.count >= size {
            generations.previous = generations.current
            generations.current = []
        }
        generations.current.insert(threadID)
    }
}
