import AssistantsAPI

extension AssistantsClient {
    /// `/assistants`: create, retrieve, update, delete and list assistants.
    public struct Assistants: Sendable {
        let transport: Transport

        public func create(_ request: CreateAssistantRequest) async throws -> Assistant {
            try await transport.json(APIRequest(.POST, "/assistants", json: request))
        }

        public func retrieve(_ id: String) async throws -> Assistant {
            try await transport.json(APIRequest(.GET, "/assistants/\(id)"))
        }

        /// Changes the fields set in `request`; a field set to `.some(nil)` is cleared.
        public func update(_ id: String, _ request: ModifyAssistantRequest) async throws -> Assistant {
            try await transport.json(APIRequest(.POST, "/assistants/\(id)", json: request))
        }

        public func delete(_ id: String) async throws -> DeletionStatus {
            try await transport.json(APIRequest(.DELETE, "/assistants/\(id)"))
        }

        public func list(_ query: ListQuery = .init()) -> PagedSequence<Assistant> {
            transport.list("/assistants", query)
        }
    }
}
