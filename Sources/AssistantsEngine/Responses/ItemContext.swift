import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders

/// What a response's model sees before its own output: in a conversation, the conversation's items;
/// otherwise the items of the responses it continues (each one's input, then its output), oldest first,
/// then its own input. Instructions of earlier responses are not carried over, as in OpenAI's API; the
/// run's own instructions come first, as for runs.
struct ItemContext {
    let store: any AssistantsStore
    /// How a thread message reads to the model: `ContextBuilder`'s, so images become data URLs the same way.
    let readMessage: (Message) async throws -> ChatMessage

    /// Note for a function call the client never answered: chat endpoints refuse a call without an answer.
    static let unansweredNote = "No output was given for this call."

    func history(responseID: String, run: Run) async throws -> [ChatMessage] {
        let chain = try await store.responseChain(endingAt: responseID)
        if let response = chain.last, response.record.response.conversationID != nil {
            // In a conversation the context is the conversation: every item in it, whichever API added it,
            // but this response's own output, which is the run's progress.
            let items = try await store.allItems(threadID: response.record.threadID)
            return try await chatMessages(items.filter { !($0.runID == run.id && $0.direction == .output) }.map(\.item))
        }
        // The response being executed writes its output as it goes: that is the run's own progress.
        return try await chatMessages(try await items(of: chain, leavingOutOutputOf: responseID))
    }

    /// The items of a chain of responses, oldest first: each one's input, then its output (but the output
    /// of `responseID`, if given).
    func items(of chain: [StoredResponse], leavingOutOutputOf responseID: String? = nil) async throws -> [ResponseItem] {
        var items: [ResponseItem] = []
        for link in chain {
            let stored = try await store.allItems(threadID: link.record.threadID)
            items += stored.filter { $0.direction == .input }.map(\.item)
            if link.record.id != responseID {
                items += try await ResponseOutput.output(of: link, store: store)
            }
        }
        return items
    }

    /// Items as chat messages. Tool calls in a row become one assistant turn, each followed by its output:
    /// a function call's wherever in the items it is, a search's results and a code run's output from the
    /// item itself. Outputs of function calls not in the context read as user text.
    func chatMessages(_ items: [ResponseItem]) async throws -> [ChatMessage] {
        var outputs: [String: String] = [:]
        var calls = Set<String>()
        for item in items {
            switch item {
            case .functionCallOutput(let output): outputs[output.callID] = output.output.text
            case .functionCall(let call): calls.insert(call.callID)
            default: break
            }
        }
        var messages: [ChatMessage] = []
        var pending: [(call: ChatToolCall, output: String?)] = []
        for item in items {
            switch item {
            case .functionCall(let call):
                let sent = ChatToolCall(id: call.callID, name: call.name, arguments: ToolArguments(call.arguments).json)
                pending.append((sent, outputs[call.callID] ?? Self.unansweredNote))
                continue
            case .fileSearchCall(let search):
                pending.append(Self.toolCall(search))
                continue
            case .codeInterpreterCall(let code):
                pending.append(Self.toolCall(code))
                continue
            default:
                break
            }
            messages += ContextBuilder.toolTurn(pending)
            pending = []
            switch item {
            case .message(let message):
                messages.append(try await chatMessage(message))
            case .functionCallOutput(let output) where !calls.contains(output.callID):
                messages.append(.user("Output of function call \(output.callID): \(output.output.text)"))
            default:
                break
            }
        }
        return messages + ContextBuilder.toolTurn(pending)
    }

    /// A search as the model's call of `file_search` and what it read. Results are shown without citation
    /// markers: markers cite the searches of the run being executed, which this one is not.
    static func toolCall(_ search: FileSearchCallItem) -> (call: ChatToolCall, output: String?) {
        let query = search.queries.joined(separator: "\n")
        let output: String
        switch search.results {
        case nil: output = "The search for \"\(query)\" ran; its results were not kept."
        case let results? where results.isEmpty: output = FileSearchTool.noResults(query)
        case let results?:
            output = (["Results for \"\(query)\"."] + results.map { "[\($0.filename)]\n\($0.text)" }).joined(separator: "\n\n")
        }
        return (ChatToolCall(id: search.id, name: "file_search", arguments: arguments(["query": query])), output)
    }

    /// Code that ran, as the model's call of `code_interpreter` and what it printed.
    static func toolCall(_ code: CodeInterpreterCallItem) -> (call: ChatToolCall, output: String?) {
        let output: String
        if let outputs = code.outputs {
            let parts = outputs.map { output in
                switch output {
                case .logs(let logs): logs
                case .image: CodeInterpreterTool.imageNote
                }
            }
            output = parts.isEmpty ? CodeInterpreterTool.noOutput : parts.joined(separator: "\n")
        } else {
            output = "The code ran; its output was not kept."
        }
        return (ChatToolCall(id: code.id, name: "code_interpreter", arguments: arguments(["code": code.code ?? ""])), output)
    }

    private static func arguments(_ values: [String: String]) -> String {
        // A dictionary of strings always encodes.
        (try? JSONEncoder().encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private func chatMessage(_ item: ResponseMessage) async throws -> ChatMessage {
        switch item.role {
        case .system, .developer:
            let text = item.content.compactMap { if case .inputText(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            return .system(text)
        case .user, .assistant:
            // `Message(_:)` is the one conversion of message items; the id and thread do not reach the model.
            let message = Message(item, id: item.id ?? "", threadID: "", createdAt: 0)!
            return try await readMessage(message)
        }
    }
}
