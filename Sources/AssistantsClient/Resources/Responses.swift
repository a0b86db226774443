import AssistantsAPI

extension AssistantsClient {
    /// `/responses`: responses, streamed or not, and the items they were given.
    public struct Responses: Sendable {
        let transport: Transport

        private var endpoints: ObjectEndpoints<ModelResponse> { ObjectEndpoints(transport, "/responses") }

        /// Creates a response and answers once it has ended (or, with `background`, at once, `queued`).
        public func create(_ request: CreateResponseRequest) async throws -> ModelResponse {
            var request = request
            request.stream = false
            return try await endpoints.create(request)
        }

        /// Creates a response and streams its events.
        public func stream(_ request: CreateResponseRequest) async throws -> ResponseStream {
            var request = request
            request.stream = true
            return try await transport.eventStream(APIRequest(.POST, "/responses", json: request), reader: ResponseEventReader())
        }

        /// Streams a background response again: its events from the first, each with the state so far, then
        /// the live ones until it ends. Events numbered up to `startingAfter` (the `lastSequenceNumber` of a
        /// stream that broke off) build the snapshot without an update of their own, as the `openai`
        /// package's `responses.stream(response_id=…, starting_after=…)` does.
        public func resume(_ id: String, startingAfter: Int? = nil) async throws -> ResponseStream {
            try await transport.eventStream(
                APIRequest(.GET, "/responses/\(id)", query: [(name: "stream", value: "true")]),
                reader: ResponseEventReader(startingAfter: startingAfter))
        }

        public func retrieve(_ id: String, include: [ResponseInclude] = []) async throws -> ModelResponse {
            try await endpoints.retrieve(id, query: include.map { (name: "include[]", value: $0.rawValue) })
        }

        /// Stops a background response: it answers `cancelled` (or as it stands, if it has ended already).
        public func cancel(_ id: String) async throws -> ModelResponse { try await endpoints.action(id, "cancel") }

        /// Deletes a stored response (and, outside a conversation, everything it added).
        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        /// The items the response was given as input, oldest first unless the query says otherwise.
        public func inputItems(_ id: String, _ query: ListQuery = .init()) -> PagedSequence<ResponseItem> {
            transport.list("/responses/\(id)/input_items", query)
        }
    }
}

extension CreateResponseRequest {
    /// A request with string input, as most calls make it.
    /// `previousResponseID` continues a response; `conversationID` answers in a conversation (not both).
    public static func text(
        _ input: String, model: String, instructions: String? = nil, tools: [ResponseTool] = [], previousResponseID: String? = nil,
        conversationID: String? = nil
    ) -> CreateResponseRequest {
        CreateResponseRequest(context: ResponseContextParameters(
            model: model, input: .text(input), instructions: instructions, tools: tools, previousResponseID: previousResponseID,
            conversationID: conversationID))
    }
}
