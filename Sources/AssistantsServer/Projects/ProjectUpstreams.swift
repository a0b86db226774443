import AssistantsStore
import Foundation
import ModelProviders
import Synchronization

/// The model endpoint of each project: a project's own (`assistants projects update --upstream-url`), or
/// the server's. The engine sees one provider; each call goes to the endpoint of the project it is made
/// for (`ProjectScope`, which a run's execution sets from the run).
///
/// What a project's record says is remembered for `ttl`, so a changed endpoint is used within that time
/// and a call costs a database read at most once per project and `ttl`. A replaced endpoint's connections
/// close when the server stops: calls in flight may still use them.
final class ProjectUpstreams: ModelProvider {
    private let server: (any ModelProvider)?
    private let store: any ProjectRecords
    private let makeProvider: @Sendable (Project.Upstream) -> any ModelProvider
    private let ttl: Duration

    private struct Known {
        var upstream: Project.Upstream?
        var provider: (any ModelProvider)?
        var until: ContinuousClock.Instant
    }

    private struct State {
        var known: [String: Known] = [:]
        /// Every provider made, to shut down with the server.
        var made: [any ModelProvider] = []
    }

    private let state = Mutex(State())

    init(
        server: (any ModelProvider)?, store: any ProjectRecords, ttl: Duration = .seconds(5),
        makeProvider: @escaping @Sendable (Project.Upstream) -> any ModelProvider
    ) {
        self.server = server
        self.store = store
        self.ttl = ttl
        self.makeProvider = makeProvider
    }

    func streamChat(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let project = ProjectScope.current ?? ProjectScope.defaultProjectID
        // The default project, and a project known to use the server's endpoint, need no detour.
        if project == ProjectScope.defaultProjectID { return serverProvider(request) }
        if let known = state.withLock({ $0.known[project] }), known.until > .now {
            return known.provider?.streamChat(request) ?? serverProvider(request)
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let events = try await self.provider(for: project).map { $0.streamChat(request) } ?? self.serverProvider(request)
                    for try await event in events { continuation.yield(event) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func shutdown() async {
        await server?.shutdown()
        for provider in state.withLock({ $0.made }) { await provider.shutdown() }
    }

    private func serverProvider(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        guard let server else {
            return AsyncThrowingStream { $0.finish(throwing: ProviderError.notConfigured) }
        }
        return server.streamChat(request)
    }

    /// The project's own provider, nil for the server's, as its record says now.
    private func provider(for project: String) async throws -> (any ModelProvider)? {
        let upstream = try await store.project(idOrName: project)?.upstream
        return state.withLock { state in
            let previous = state.known[project]
            var provider = previous?.upstream == upstream ? previous?.provider : nil
            if let upstream, provider == nil {
                let made = makeProvider(upstream)
                state.made.append(made)
                provider = made
            }
            state.known[project] = Known(upstream: upstream, provider: provider, until: .now + ttl)
            return provider
        }
    }
}
