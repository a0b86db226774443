import AssistantsAPI
import AssistantsStore
import Hummingbird
import Synchronization

/// The routes under an object (`/threads/{thread_id}/…`, `/vector_stores/{vector_store_id}/…`, …) answer 404
/// unless the object belongs to the request's project, as for an id that names nothing: what lives in an
/// object (messages, runs, a store's files) belongs to its project, and is reached only through it.
///
/// A response's private thread belongs to the response (it holds the response's input and output, and its
/// run), so the `/threads` and `/conversations` routes answer 404 for it too, so that no other request can
/// change what a response is made of.
///
/// A malformed id is let through, for the route's own 400 naming the parameter.
struct ProjectGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: any AssistantsStore
    /// The owners already looked up, shared by every route family, so that the store is asked once per object.
    let owners: ObjectOwners
    /// The path parameter naming the object, and the kind its 404 names.
    let parameter: String
    let kind: ObjectKind

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let id = context.parameters.get(parameter), kind.acceptedPrefixes.contains(where: id.hasPrefix) {
            let owner: String?
            if let known = owners.project(of: id) {
                owner = known
            } else {
                owner = try await store.project(of: kind, id: id)
                if let owner { owners.insert(id, project: owner) }
            }
            guard owner == ProjectScope.stamp else { throw APIError.notFound(kind, id: id) }
        }
        return try await next(request, context)
    }
}

/// The projects of objects seen at their routes. An object's project never changes, and neither does
/// whether a thread is private (from the transaction that creates it with its response to its end), so an
/// entry never goes stale: a deleted object is a 404 at its route all the same, and ids are random values
/// the server makes, so an id that names nothing now will not name another project's object later. Clients
/// poll a run's thread many times a second; on PostgreSQL each lookup is a round trip, which this saves.
///
/// Bounded: two generations of at most `capacity / 2` ids each; an id found in the older one moves to the
/// newer, and when the newer is full the older is dropped.
final class ObjectOwners: Sendable {
    private struct Generations {
        var current: [String: String] = [:]
        var previous: [String: String] = [:]
    }

    private let generationSize: Int
    private let generations = Mutex(Generations())

    init(capacity: Int = 20_000) { generationSize = max(1, capacity / 2) }

    func project(of id: String) -> String? {
        generations.withLock { generations in
            if let project = generations.current[id] { return project }
            guard let project = generations.previous[id] else { return nil }
            Self.add(id, project, to: &generations, size: generationSize)
            return project
        }
    }

    func insert(_ id: String, project: String) {
        generations.withLock { Self.add(id, project, to: &$0, size: generationSize) }
    }

    private static func add(_ id: String, _ project: String, to generations: inout Generations, size: Int) {
        if generations.current.count >= size {
            generations.previous = generations.current
            generations.current = [:]
        }
        generations.current[id] = project
    }
}
