import AssistantsAPI
import AssistantsStore

/// Checks that the files and vector stores a request names exist (and stores have not expired), before
/// anything is written.
public struct References: Sendable {
    let vectorStores: VectorStores

    public init(_ vectorStores: VectorStores) {
        self.vectorStores = vectorStores
    }

    public func check(_ resources: ToolResources, param: String = "tool_resources") async throws {
        try await vectorStores.requireFiles(resources.codeInterpreter?.fileIDs ?? []) { "\(param).code_interpreter.file_ids[\($0)]" }
        for id in resources.fileSearch?.vectorStoreIDs ?? [] {
            _ = try await vectorStores.usable(id, param: "\(param).file_search.vector_store_ids")
        }
    }

    /// Also checks the files of the stores the `vector_stores` helper asks for.
    public func check(_ request: ToolResourcesRequest, param: String = "tool_resources") async throws {
        try await check(request.resources, param: param)
        for (index, helper) in request.newVectorStores.enumerated() {
            try await vectorStores.requireFiles(helper.fileIDs) { "\(param).file_search.vector_stores[\(index)].file_ids[\($0)]" }
        }
    }

    public func check(_ message: CreateMessageRequest, param prefix: String? = nil) async throws {
        let references = message.referencedFiles
        try await vectorStores.requireFiles(references.map(\.fileID)) { index in
            prefix.map { "\($0).\(references[index].param)" } ?? references[index].param
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
