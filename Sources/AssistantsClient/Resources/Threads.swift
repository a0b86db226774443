import AssistantsAPI

extension AssistantsClient {
    /// `/threads`: threads, and runs on a new thread (`createAndRun`).
    public struct Threads: Sendable {
        let transport: Transport

        /// `/threads/{thread_id}/messages`.
        public var messages: Messages { Messages(transport: transport) }
        /// `/threads/{thread_id}/runs`.
        public var runs: Runs { Runs(transport: transport) }

        private var endpoints: ObjectEndpoints<AssistantThread> { ObjectEndpoints(transport, "/threads") }

        public func create(_ request: CreateThreadRequest = .init()) async throws -> AssistantThread { try await endpoints.create(request) }

        public func retrieve(_ id: String) async throws -> AssistantThread { try await endpoints.retrieve(id) }

        public func update(_ id: String, _ request: ModifyThreadRequest) async throws -> AssistantThread { try await endpoints.update(id, request) }

        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        /// A new thread and a run on it; the run comes back `queued`.
        public func createAndRun(_ request: CreateThreadAndRunRequest) async throws -> Run {
            var request = request
            request.stream = false
            return try await transport.json(APIRequest(.POST, "/threads/runs", json: request))
        }

        /// A new thread and a run on it, polled until it completes, fails or requires action.
        public func createAndRunPoll(_ request: CreateThreadAndRunRequest) async throws -> Run {
            let run = try await createAndRun(request)
            return try await runs.poll(run.id, threadID: run.threadID)
        }

        /// A new thread and a run on it, streamed; the first event is `thread.created`.
        public func createAndRunStream(_ request: CreateThreadAndRunRequest) async throws -> RunStream {
            var request = request
            request.stream = true
            return try await transport.runStream(APIRequest(.POST, "/threads/runs", json: request))
        }
    }
}
