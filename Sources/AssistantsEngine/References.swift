import AssistantsAPI
import AssistantsStore

/// Checks that the files and vector stores a request names exist, before anything is written.
public struct References: Sendable {
    let store: any AssistantsStore

    public init(store: any AssistantsStore) {
        self.store = store
    }

    public func check(_ resources: ToolResources, param: String = "tool_resources") async throws {
        let fileIDs = resources.codeInterpreter?.fileIDs ?? []
        if let missing = try await store.missingFiles(among: fileIDs).first {
            throw APIError.invalidRequest("No file found with id '\(missing)'.", param: "\(param).code_interpreter.file_ids", code: "invalid_value")
        }
        // Vector stores are not part of this server yet, so no id can name one.
        if let id = resources.fileSearch?.vectorStoreIDs.first {
            throw APIError.invalidRequest("No vector store found with id '\(id)'.", param: "\(param).file_search.vector_store_ids", code: "invalid_value")
        }
    }

    public func check(_ request: ToolResourcesRequest, param: String = "tool_resources") async throws {
        try await check(request.resources, param: param)
        if !request.newVectorStores.isEmpty {
            throw APIError.invalidRequest(
                "Creating vector stores through 'vector_stores' is not supported by this server yet.",
                param: "\(param).file_search.vector_stores", code: "unsupported_value")
        }
    }

    public func check(_ message: CreateMessageRequest, param prefix: String? = nil) async throws {
        let references = message.referencedFiles
        let missing = Set(try await store.missingFiles(among: references.map(\.fileID)))
        if let reference = references.first(where: { missing.contains($0.fileID) }) {
            let param = prefix.map { "\($0).\(reference.param)" } ?? reference.param
            throw APIError.invalidRequest("No file found with id '\(reference.fileID)'.", param: param, code: "invalid_value")
        }
    }
}

extension CreateMessageRequest {
    /// The message object this request creates on `threadID`.
    public func message(threadID: String, createdAt: Int) -> Message {
        Message(
            id: ObjectKind.message.newID(), createdAt: createdAt, threadID: threadID, completedAt: createdAt, role: role,
            content: messageContent, attachments: attachments, metadata: metadata ?? [:])
    }
}
