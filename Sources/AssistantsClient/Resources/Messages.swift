import AssistantsAPI

extension AssistantsClient {
    /// `/threads/{thread_id}/messages`.
    public struct Messages: Sendable {
        let transport: Transport

        private func endpoints(_ threadID: String) -> ObjectEndpoints<Message> { ObjectEndpoints(transport, "/threads/\(threadID)/messages") }

        public func create(threadID: String, _ request: CreateMessageRequest) async throws -> Message {
            try await endpoints(threadID).create(request)
        }

        public func retrieve(_ id: String, threadID: String) async throws -> Message { try await endpoints(threadID).retrieve(id) }

        /// Replaces the message's metadata; nil clears it.
        public func update(_ id: String, threadID: String, metadata: Metadata?) async throws -> Message {
            try await endpoints(threadID).update(id, MetadataUpdateRequest(metadata: .some(metadata)))
        }

        public func delete(_ id: String, threadID: String) async throws -> DeletionStatus { try await endpoints(threadID).delete(id) }

        /// The thread's messages, newest first unless `query` says otherwise; `runID` keeps those a run wrote.
        public func list(threadID: String, _ query: ListQuery = .init(), runID: String? = nil) -> PagedSequence<Message> {
            endpoints(threadID).list(query, extra: runID.map { [(name: "run_id", value: $0)] } ?? [])
        }
    }
}
