import AssistantsAPI

extension AssistantsClient {
    /// `/conversations`: conversations and their items. A conversation is a thread: its id works with
    /// `threads` too, and responses created with its `conversationID` add to it.
    public struct Conversations: Sendable {
        let transport: Transport

        private var endpoints: ObjectEndpoints<Conversation> { ObjectEndpoints(transport, "/conversations") }

        /// Creates a conversation, with up to 20 first items.
        public func create(_ request: CreateConversationRequest = .init()) async throws -> Conversation {
            try await endpoints.create(request)
        }

        public func retrieve(_ id: String) async throws -> Conversation { try await endpoints.retrieve(id) }

        /// Replaces the conversation's metadata.
        public func update(_ id: String, metadata: Metadata) async throws -> Conversation {
            try await endpoints.update(id, UpdateConversationRequest(metadata: metadata))
        }

        /// Deletes the conversation with its items (and the thread's runs).
        public func delete(_ id: String) async throws -> DeletionStatus { try await endpoints.delete(id) }

        /// The conversation's items.
        public var items: Items { Items(transport: transport) }

        /// `/conversations/{id}/items`.
        public struct Items: Sendable {
            let transport: Transport

            /// Adds 1 to 20 items, in order, and returns them as stored (under ids of their own).
            public func create(_ conversationID: String, _ items: [ResponseItem]) async throws -> [ResponseItem] {
                let page: ListPage<ResponseItem> = try await transport.json(
                    APIRequest(.POST, "/conversations/\(conversationID)/items", json: CreateConversationItemsRequest(items: items)))
                return page.data
            }

            /// The items, newest first unless the query says otherwise.
            public func list(_ conversationID: String, _ query: ListQuery = .init()) -> PagedSequence<ResponseItem> {
                transport.list("/conversations/\(conversationID)/items", query)
            }

            public func retrieve(_ conversationID: String, itemID: String) async throws -> ResponseItem {
                try await transport.json(APIRequest(.GET, "/conversations/\(conversationID)/items/\(itemID)"))
            }

            /// Deletes an item; answers with the conversation, as OpenAI's API does.
            public func delete(_ conversationID: String, itemID: String) async throws -> Conversation {
                try await transport.json(APIRequest(.DELETE, "/conversations/\(conversationID)/items/\(itemID)"))
            }
        }
    }
}
