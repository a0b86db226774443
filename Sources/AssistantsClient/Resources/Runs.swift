import AssistantsAPI

extension AssistantsClient {
    /// `/threads/{thread_id}/runs`: runs, their tool outputs, and helpers that poll or stream them.
    public struct Runs: Sendable {
        let transport: Transport

        /// `/threads/{thread_id}/runs/{run_id}/steps`.
        public var steps: RunSteps { RunSteps(transport: transport) }

        private func endpoints(_ threadID: String) -> ObjectEndpoints<Run> { ObjectEndpoints(transport, "/threads/\(threadID)/runs") }

        /// Starts a run; it comes back `queued`.
        public func create(threadID: String, _ request: CreateRunRequest) async throws -> Run {
            var request = request
            request.stream = false
            return try await endpoints(threadID).create(request)
        }

        /// Starts a run and polls it until it completes, fails or requires action.
        public func createAndPoll(threadID: String, _ request: CreateRunRequest) async throws -> Run {
            let run = try await create(threadID: threadID, request)
            return try await poll(run.id, threadID: threadID)
        }

        /// Starts a run and streams its events.
        public func stream(threadID: String, _ request: CreateRunRequest) async throws -> RunStream {
            var request = request
            request.stream = true
            return try await transport.runStream(APIRequest(.POST, "/threads/\(threadID)/runs", json: request))
        }

        public func retrieve(_ id: String, threadID: String) async throws -> Run { try await endpoints(threadID).retrieve(id) }

        /// Replaces the run's metadata; nil clears it.
        public func update(_ id: String, threadID: String, metadata: Metadata?) async throws -> Run {
            try await endpoints(threadID).update(id, MetadataUpdateRequest(metadata: .some(metadata)))
        }

        public func list(threadID: String, _ query: ListQuery = .init()) -> PagedSequence<Run> { endpoints(threadID).list(query) }

        /// Asks the run to stop: it answers `cancelling`, and ends `cancelled` shortly after.
        public func cancel(_ id: String, threadID: String) async throws -> Run { try await endpoints(threadID).action(id, "cancel") }

        /// Answers every function call of a run that requires action, in one request.
        public func submitToolOutputs(
            _ runID: String, threadID: String, _ outputs: [SubmitToolOutputsRequest.ToolOutput]
        ) async throws -> Run {
            try await transport.json(submission(runID, threadID: threadID, outputs, stream: false))
        }

        /// Submits the outputs, then polls the run until it completes, fails or requires action again.
        public func submitToolOutputsAndPoll(
            _ runID: String, threadID: String, _ outputs: [SubmitToolOutputsRequest.ToolOutput]
        ) async throws -> Run {
            let run = try await submitToolOutputs(runID, threadID: threadID, outputs)
            return try await poll(run.id, threadID: threadID)
        }

        /// Submits the outputs and streams the run as it goes on.
        public func submitToolOutputsStream(
            _ runID: String, threadID: String, _ outputs: [SubmitToolOutputsRequest.ToolOutput]
        ) async throws -> RunStream {
            try await transport.runStream(submission(runID, threadID: threadID, outputs, stream: true))
        }

        /// Asks for the run until it completes, fails or requires action, as often as the server's
        /// `openai-poll-after-ms` says (else the configured poll interval).
        public func poll(_ id: String, threadID: String) async throws -> Run {
            try await endpoints(threadID).poll(id) { $0.status.isTerminal || $0.status == .requiresAction }
        }

        private func submission(
            _ runID: String, threadID: String, _ outputs: [SubmitToolOutputsRequest.ToolOutput], stream: Bool
        ) -> APIRequest {
            APIRequest(.POST, "/threads/\(threadID)/runs/\(runID)/submit_tool_outputs", json: SubmitToolOutputsRequest(toolOutputs: outputs, stream: stream))
        }
    }

    /// `/threads/{thread_id}/runs/{run_id}/steps`.
    public struct RunSteps: Sendable {
        let transport: Transport

        /// The run's steps; `includeFileSearchContent` asks for the text of `file_search` results too.
        public func list(runID: String, threadID: String, _ query: ListQuery = .init(), includeFileSearchContent: Bool = false) -> PagedSequence<RunStep> {
            endpoints(runID, threadID).list(query, extra: Self.include(includeFileSearchContent))
        }

        public func retrieve(_ id: String, runID: String, threadID: String, includeFileSearchContent: Bool = false) async throws -> RunStep {
            try await endpoints(runID, threadID).retrieve(id, query: Self.include(includeFileSearchContent))
        }

        private func endpoints(_ runID: String, _ threadID: String) -> ObjectEndpoints<RunStep> {
            ObjectEndpoints(transport, "/threads/\(threadID)/runs/\(runID)/steps")
        }

        private static func include(_ fileSearchContent: Bool) -> [(name: String, value: String)] {
            fileSearchContent ? [(name: "include[]", value: "step_details.tool_calls[*].file_search.results[*].content")] : []
        }
    }
}
