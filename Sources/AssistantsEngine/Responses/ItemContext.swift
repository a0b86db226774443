import AssistantsAPI
import AssistantsStore
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
                items += try await ResponseOutput.response(link, store: store).output
            }
        }
        return items
    }

    /// Items as chat messages. Function calls in a row become one assistant turn, each followed by its
    /// output, wherever in the items the output is; outputs of calls not in the context read as user text.
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
        var pending: [FunctionCallItem] = []
        func flushCalls() {
            guard !pending.isEmpty else { return }
            messages.append(ChatMessage(role: .assistant, content: [], toolCalls: pending.map { call in
                ChatToolCall(id: call.callID, name: call.name, arguments: ToolArguments(call.arguments).json)
            }))
            for call in pending {
                messages.append(.tool(callID: call.callID, output: outputs[call.callID] ?? Self.unansweredNote))
            }
            pending = []
        }
        for item in items {
            if case .functionCall(let call) = item {
                pending.append(call)
                continue
            }
            flushCalls()
            switch item {
            case .message(let message):
                messages.append(try await chatMessage(message))
            case .functionCallOutput(let output) where !calls.contains(output.callID):
                messages.append(.user("Output of function call \(output.callID): \(output.output.text)"))
            default:
                break
            }
        }
        flushCalls()
        return messages
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
