import AssistantsAPI

extension AssistantsClient {
    /// `/threads/{thread_id}/messages`.
    public struct Messages: Sendable {
        let transport: Transport

        public func create(threadID: String, _ request: CreateMessageRequest) async throws -> Message {
            try await transport.json(APIRequest(.POST, "/threads/\(threadID)/messages", json: request))
        }

        public func retrieve(_ id: String, threadID: String) async throws -> Message {
            try await transport.json(APIRequest(.GET, "/threads/\(threadID)/messages/\(id)"))
        }

        /// Replaces the message's metadata; nil clears it.
        public func update(_ id: String, threadID: String, metadata: Metadata?) async throws -> Message {
            try await transport.json(APIRequest(.POST, "/threads/\(threadID)/messages/\(id)", json: MetadataUpdateRequest(metadata: .some(metadata))))
        }

        public func delete(_ id: String, threadID: String) async throws -> DeletionStatus {
            try await transport.json(APIRequest(.DELETE, "/threads/\(threadID)/messages/\(id)"))
        }

        /// The thread's messages, newest first unless `query` says otherwise; `runID` keeps those a run wrote.
        public func list(threadID: String, _ query: ListQuery = .init(), runID: String? = nil) -> PagedSequence<Message> {
            transport.list("/threads/\(threadID)/messages", query, extra: runID.map { [(name: "run_id", value: $0)] } ?? [])
        }
    }
}
