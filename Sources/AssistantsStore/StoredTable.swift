import AssistantsAPI

/// The tables every SQL backend keeps, by name: constants, since they are spliced into SQL and so never
/// come from input. For the backends only.
package enum StoredTable {
    package static let assistant = "assistant"
    package static let thread = "thread"
    package static let message = "message"
    package static let file = "file"
    package static let run = "run"
    package static let step = "step"
    package static let vectorStore = "vector_store"
    /// Row ids are `<store id>/<file id>`: a file may be in several stores.
    package static let vectorStoreFile = "vector_store_file"
    package static let fileBatch = "file_batch"
    package static let response = "response"
    /// A thread's conversation items, in order: an index over its messages and tool calls.
    package static let item = "item"
    package static let container = "container"
    /// Row ids are the files' `cfile_` ids, unique across containers.
    package static let containerFile = "container_file"
    package static let project = "project"
    /// A project's keys, by the SHA-256 of their values (`hash`); a revoked key keeps its row, bodiless.
    package static let apiKey = "api_key"

    /// The tables whose rows carry the `project` they belong to: the objects with routes of their own.
    /// What lives in them (messages, runs, a store's files, a container's files, items) is reached only
    /// through them, so it belongs to their project without a column of its own.
    package static let projectScoped: Set<String> = [assistant, thread, file, vectorStore, response, container]

    /// The project a read of `table` must match: the task's, for a project-scoped table; nil for the
    /// others and for the server's own work.
    package static func projectFilter(_ table: String) -> String? {
        projectScoped.contains(table) ? ProjectScope.current : nil
    }

    /// The table of a kind with routes of its own (`ProjectRecords.project(of:id:)`).
    package static func of(_ kind: ObjectKind) -> String? {
        switch kind {
        case .assistant: assistant
        case .thread, .conversation: thread
        case .file: file
        case .vectorStore: vectorStore
        case .response: response
        case .container: container
        default: nil
        }
    }
}

extension StoredTable {
    /// The id of a vector store file's row: `<store id>/<file id>`.
    package static func vectorStoreFileRow(_ storeID: String, _ fileID: String) -> String { "\(storeID)/\(fileID)" }
}

extension ListQuery {
    /// A list of one store's files as its rows are keyed: the cursors, file ids, become row ids.
    package func vectorStoreFileRows(of storeID: String) -> ListQuery {
        var rows = self
        rows.after = after.map { StoredTable.vectorStoreFileRow(storeID, $0) }
        rows.before = before.map { StoredTable.vectorStoreFileRow(storeID, $0) }
        return rows
    }
}
