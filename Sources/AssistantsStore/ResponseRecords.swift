import AssistantsAPI
import Foundation

/// A response as stored: what its request fixed, and the run that executes it. The response's state
/// (status, timestamps, error, usage, output) is its run's and its items', assembled on read, so there is no
/// second status to keep in step with the run.
public struct ResponseRecord: Sendable, Equatable {
    /// The request's parameters; its state fields are whatever they were at creation.
    public var response: ModelResponse
    public var runID: String
    /// The conversation's thread, or the response's private thread.
    public var threadID: String
    /// `store: false`: the response, its run and its private thread go when the run has ended.
    public var ephemeral: Bool

    public init(response: ModelResponse, runID: String, threadID: String, ephemeral: Bool = false) {
        self.response = response
        self.runID = runID
        self.threadID = threadID
        self.ephemeral = ephemeral
    }

    public var id: String { response.id }
}

/// A response with the run that executes it.
public struct StoredResponse: Sendable, Equatable {
    public var record: ResponseRecord
    public var run: Run

    public init(record: ResponseRecord, run: Run) {
        self.record = record
        self.run = run
    }
}

/// An item of a thread's conversation, as the `item` index holds it. Message items are the thread's
/// messages (converted by `ResponseMessage.init(_:)`); the other kinds are stored as they are.
public struct StoredItem: Sendable, Equatable, Identifiable {
    /// Whether a response took the item as input or produced it.
    public enum Direction: String, Sendable { case input, output }

    /// The item, with its id and status.
    public var item: ResponseItem
    public var threadID: String
    /// The run that wrote the item: a response's backing run for its input and output.
    public var runID: String?
    public var direction: Direction?
    public var createdAt: Int

    public init(item: ResponseItem, threadID: String, runID: String? = nil, direction: Direction? = nil, createdAt: Int) {
        self.item = item
        self.threadID = threadID
        self.runID = runID
        self.direction = direction
        self.createdAt = createdAt
    }

    /// Every stored item has an id; one without is a programming error caught by the store.
    public var id: String { item.id ?? "" }

    /// The `call_id` pairing a function call with its output.
    public var callID: String? {
        switch item {
        case .functionCall(let call): call.callID
        case .functionCallOutput(let output): output.callID
        default: nil
        }
    }
}

/// The Responses part of `AssistantsStore`: responses and the items of threads. Every call is atomic; lists
/// page by insertion order and deleted items stay valid cursors.
///
/// Every message a thread receives, through any call of the store, is indexed as an item in the same
/// transaction, so a thread's items are always its messages in order, interleaved with the tool calls and
/// the items only a conversation has (`system` and `developer` messages, function calls and outputs).
public protocol ResponseRecords: Sendable {
    // MARK: Responses
    /// Stores the response, its backing run and its input items, in one transaction. With `privateThread`,
    /// that thread is created first and everything goes into it; otherwise into `record.threadID`, which
    /// must exist and have no active run. Input `user`/`assistant` messages are stored as thread messages
    /// too; input `function_call_output`s fill their output into the step of the run that made the call
    /// (in the thread or in the threads of the previous responses), if it has none yet.
    /// Throws `StoreError.notFound(.thread)` for a missing thread, `StoreError.notFound(.response)` for a
    /// missing previous response, `StoreError.threadHasActiveRun` while a run is active on the thread, and
    /// `StoreError.tooManyActiveRuns` as `createRun` does.
    func createResponse(_ record: ResponseRecord, run: Run, input: [StoredItem], privateThread: AssistantThread?) async throws

    /// The response with its run; nil when there is none.
    func response(id: String) async throws -> StoredResponse?

    /// The chain ending with `id` (itself last), following `previous_response_id` back. Throws
    /// `StoreError.notFound(.response, id:)` naming the first link that does not exist.
    func responseChain(endingAt id: String) async throws -> [StoredResponse]

    /// Deletes the response and its run, and its private thread with everything in it; the items of a
    /// conversation stay. False when there is no such response. Throws `threadHasActiveRun` while its run is
    /// active.
    func deleteResponse(id: String) async throws -> Bool

    /// Whether the thread is a response's private thread, which belongs to the response: the Assistants
    /// routes answer for it as for a thread that does not exist.
    func isPrivateThread(_ threadID: String) async throws -> Bool

    // MARK: Items
    /// Every live item of the thread, oldest first.
    func allItems(threadID: String) async throws -> [StoredItem]

    /// A page of the items a response's run took as input or produced.
    func listRunItems(runID: String, direction: StoredItem.Direction, _ query: ListQuery) async throws -> ListPage<ResponseItem>

    /// Inserts items, or replaces those already stored (keeping their place): the tool calls a run makes.
    /// Message items are not written here: messages index themselves.
    func saveItems(_ items: [StoredItem]) async throws

    // MARK: Conversations
    /// Creates a thread with its first items in order (a conversation created with items), in one
    /// transaction. `user`/`assistant` messages are stored as thread messages; other items as items only.
    func createThread(_ thread: AssistantThread, items: [StoredItem]) async throws

    /// Appends items to the thread in order, in one transaction: `user`/`assistant` messages also as thread
    /// messages, `function_call_output`s also filling their output into the step of the run in the thread
    /// that made the call, if it has none yet. Throws `StoreError.notFound(.thread)` for a missing thread and
    /// `StoreError.threadLocked` while a run (or a response) is active on it; then nothing is stored.
    func appendItems(_ items: [StoredItem], threadID: String) async throws

    /// A page of the thread's live items (`after`/`before` name items of the thread; deleted items stay
    /// valid cursors). Throws `StoreError.unknownCursor` for a cursor that names no item of the thread.
    func listItems(threadID: String, _ query: ListQuery) async throws -> ListPage<ResponseItem>

    /// The live item `id` of the thread, or of whichever thread holds it when `threadID` is nil (an
    /// `item_reference`); nil when there is none.
    func item(id: String, threadID: String?) async throws -> StoredItem?

    /// Deletes the item, and its thread message if it is a message, in one transaction; a run step keeps
    /// its tool calls as history. False when the thread has no such live item. Throws
    /// `StoreError.threadLocked` while a run (or a response) is active on the thread.
    func deleteItem(id: String, threadID: String) async throws -> Bool
}

/// The ids of the items that show a run step's tool calls: the call id under the item's prefix, so that
/// every place showing a call (a response's output, its stream, a conversation's items) names it alike.
public enum ToolCallItemID {
    public static func functionCall(_ callID: String) -> String { ObjectKind.functionCall.idPrefix + suffix(callID) }
    public static func functionCallOutput(_ callID: String) -> String { ObjectKind.functionCallOutput.idPrefix + suffix(callID) }
    public static func fileSearchCall(_ callID: String) -> String { ObjectKind.fileSearchCall.idPrefix + suffix(callID) }
    public static func codeInterpreterCall(_ callID: String) -> String { ObjectKind.codeInterpreterCall.idPrefix + suffix(callID) }

    private static func suffix(_ callID: String) -> String {
        let prefix = ObjectKind.toolCall.idPrefix
        return callID.hasPrefix(prefix) ? String(callID.dropFirst(prefix.count)) : callID
    }
}

extension RunStep {
    /// The conversation items of the step's tool calls, in the order the model made them: its function
    /// calls, each followed by its output once a client has submitted it (`submit_tool_outputs`), its
    /// searches and the code it ran (with their results and outputs: who shows them applies `include`). How
    /// a run's tool calls show in its thread's items and in a response's output. The stores index them
    /// whenever a step is saved, upserting by id, so a call keeps the place where it started. Outputs a
    /// response's input gives are items of their own and are not repeated here. `containerID` is the
    /// container of code calls whose transcript does not name one.
    public func toolCallItems(containerID: String? = nil) -> [StoredItem] {
        guard case .toolCalls(let calls) = details else { return [] }
        let status: ItemStatus = self.status == .inProgress ? .inProgress : .completed
        return calls.flatMap { call -> [StoredItem] in
            let item: ResponseItem
            switch call.kind {
            case .function(let name, let arguments, let output):
                let function = FunctionCallItem(
                    id: ToolCallItemID.functionCall(call.id), callID: call.id, name: name, arguments: arguments, status: status)
                var items = [StoredItem(item: .functionCall(function), threadID: threadID, runID: runID, direction: .output, createdAt: createdAt)]
                if let output {
                    let answer = FunctionCallOutputItem(
                        id: ToolCallItemID.functionCallOutput(call.id), callID: call.id, output: .text(output), status: .completed)
                    items.append(StoredItem(item: .functionCallOutput(answer), threadID: threadID, runID: runID, createdAt: completedAt ?? createdAt))
                }
                return items
            case .fileSearch(let search):
                item = .fileSearchCall(call.fileSearchItem(search))
            case .codeInterpreter(let code):
                item = .codeInterpreterCall(call.codeInterpreterItem(code, containerID: call.transcript?.containerID ?? containerID ?? ""))
            }
            return [StoredItem(item: item, threadID: threadID, runID: runID, direction: .output, createdAt: createdAt)]
        }
    }
}

extension ToolCall {
    /// A search the run ran, as the item that shows it: its query is what the model sent (in the call's
    /// transcript, which storage keeps; empty where only the wire object travelled).
    public func fileSearchItem(_ search: FileSearchCall) -> FileSearchCallItem {
        // Some models send the query itself rather than `{"query": ...}`.
        let query = transcript.map { transcript in
            (try? JSONDecoder().decode(JSONValue.self, from: Data(transcript.arguments.utf8)))?["query"]?.stringValue ?? transcript.arguments
        }
        return FileSearchCallItem(
            id: ToolCallItemID.fileSearchCall(id), status: .completed, queries: query.map { [$0] } ?? [],
            results: search.results.map { result in
                FileSearchCallItem.Result(
                    fileID: result.fileID, filename: result.fileName, score: result.score,
                    text: result.content?.map(\.text).joined(separator: "\n") ?? "")
            })
    }

    /// Code the run ran, as the item that shows it. Figures are files, by the URL of their content (relative
    /// to the server: the item does not know the address clients reach it by): a container's files for a
    /// response, stored files for an Assistants run, which has no container.
    public func codeInterpreterItem(_ code: CodeInterpreterCall, containerID: String) -> CodeInterpreterCallItem {
        let outputs = code.outputs.map { output -> CodeInterpreterCallItem.Output in
            switch output {
            case .logs(let logs): .logs(logs)
            case .image(let fileID):
                .image(url: containerID.isEmpty ? "/v1/files/\(fileID)/content" : "/v1/containers/\(containerID)/files/\(fileID)/content")
            }
        }
        return CodeInterpreterCallItem(
            id: ToolCallItemID.codeInterpreterCall(id), status: .completed, containerID: containerID, code: code.input, outputs: outputs)
    }
}

extension RunStep {
    /// Fills in the output of the step's function call `callID` if it has none yet. True when it did.
    package mutating func answer(callID: String, with output: String) -> Bool {
        guard case .toolCalls(var calls) = details,
              let index = calls.firstIndex(where: { $0.id == callID }),
              case .function(let name, let arguments, nil) = calls[index].kind
        else { return false }
        calls[index].kind = .function(name: name, arguments: arguments, output: output)
        details = .toolCalls(calls)
        return true
    }
}
