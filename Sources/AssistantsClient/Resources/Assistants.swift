import AssistantsAPI

extension AssistantsClient {
    /// `/assistants`: create, retrieve, update, delete and list assistants.
    public struct Assistants: Sendable {
        let transport: Transport
        private var endpoints: ObjectEndpoints<Assistant> { ObjectEndpoints(transport, "/assistants") }

        public func create(_ request: CreateAssistantRequest) async throws -> Assistant { try await endpoints.create(request) }

        public func retrieve(_ id: String) async throws -> Assistant { try await endpoints.retrieve(id) }

        /// Changes the fields set in `request`; a field set to `.some(nil)` is cleared.
        public func update(_ id: String, _ request: ModifyAssistantRequest) async throws -> Assistant { try await endpoints.update(id, request) }

        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        public func list(_ query: ListQuery = .init()) -> PagedSequence<Assistant> { endpoints.list(query) }
    }
}
