import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders

/// The conversation a run sends to the model: its instructions, the thread's messages (truncated as the
/// run asks), then what the run itself has done so far: its messages, tool calls and tool outputs.
struct ContextBuilder {
    let store: any AssistantsStore
    let blobs: any BlobStore

    struct Context {
        var messages: [ChatMessage]
        var estimatedTokens: Int
        /// The run's steps so far, as the context was built from them.
        var steps: [RunStep]
        /// Whether the run has already called tools.
        var hasToolCalls: Bool { steps.contains { if case .toolCalls = $0.details { true } else { false } } }
        /// How many calls of built-in tools (`code_interpreter`, `file_search`) the run has made.
        var builtInCalls: Int {
            steps.reduce(0) { count, step in
                guard case .toolCalls(let calls) = step.details else { return count }
                return count + calls.filter { $0.type != "function" }.count
            }
        }
    }

    /// What a response's context must fit: the model's context window, in tokens, and whether it is cut to
    /// fit (`truncation: auto`) or refused when it does not (`disabled`).
    struct Window {
        var tokens: Int
        var truncates: Bool
    }

    /// Throws `RunIncomplete.maxPromptTokens` when even the truncated context exceeds `budget`, and a
    /// `RunError` when it exceeds a `window` that does not truncate.
    func context(for run: Run, promptBudget budget: Int?, window: Window? = nil) async throws -> Context {
        let messages = try await store.allMessages(threadID: run.threadID)
        let steps = try await store.allSteps(runID: run.id)
        var history: [ChatMessage]
        if let responseID = run.responseID {
            history = try await ItemContext(store: store, readMessage: chatMessage).history(responseID: responseID, run: run)
        } else {
            history = try await messages.filter { $0.runID != run.id }.asyncMap(chatMessage)
        }
        if run.truncationStrategy.type == .lastMessages, let count = run.truncationStrategy.lastMessages {
            history = Array(history.suffix(count))
        }
        let system = run.instructions.isEmpty ? [] : [ChatMessage.system(run.instructions)]
        let ownMessages = Dictionary(messages.filter { $0.runID == run.id }.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        var progress: [ChatMessage] = []
        for step in steps {
            switch step.details {
            case .messageCreation(let messageID):
                if let message = ownMessages[messageID] { progress.append(try await chatMessage(message)) }
            case .toolCalls(let calls):
                progress += Self.transcript(of: calls)
            }
        }
        // `auto` truncation drops the oldest thread messages until the context fits the budget.
        let fixed = ChatTokens.tokens(in: system + progress)
        if let budget, run.truncationStrategy.type == .auto {
            history = ContextTruncation.fit(history, within: budget - fixed)
        }
        if let budget, fixed + ChatTokens.tokens(in: history) > budget { throw RunIncomplete.maxPromptTokens }
        if let window { history = try Self.fit(history, into: window, besides: fixed, tools: run.tools) }
        return Context(messages: system + history + progress, estimatedTokens: fixed + ChatTokens.tokens(in: history), steps: steps)
    }

    /// A response's history cut to its window, or refused (`invalid_prompt`, a response's error code) when
    /// it does not fit and is not to be cut: the context grew past the window since the create call measured
    /// it (tool outputs). The window holds the function tools' definitions too, as `input_tokens` counts them.
    private static func fit(_ history: [ChatMessage], into window: Window, besides fixed: Int, tools: [AssistantTool]) throws -> [ChatMessage] {
        let functions = tools.compactMap { if case .function(let function) = $0 { function } else { nil } }
        let others = fixed + ChatTokens.tokens(inDefinitionsOf: functions)
        if window.truncates { return ContextTruncation.fit(history, within: window.tokens - others) }
        let tokens = others + ChatTokens.tokens(in: history)
        guard tokens <= window.tokens else {
            throw RunError(code: "invalid_prompt", message: ContextTruncation.exceeded(tokens: tokens, window: window.tokens))
        }
        return history
    }

    /// The model's tool calls and the answers it got, as chat messages.
    static func transcript(of calls: [ToolCall]) -> [ChatMessage] {
        var turn: [(call: ChatToolCall, output: String?)] = []
        for call in calls {
            let name: String, arguments: String, output: String?
            switch call.kind {
            case .function(let function, let given, let answer):
                (name, arguments, output) = (function, given, answer)
            case .codeInterpreter, .fileSearch:
                guard let transcript = call.transcript else { continue }
                (name, arguments, output) = (call.type, transcript.arguments, transcript.output)
            }
            let sent = ToolArguments(arguments)
            turn.append((ChatToolCall(id: call.id, name: name, arguments: sent.json), output.map { sent.isValid ? $0 : $0 + "\n\n" + ToolArguments.notParsedNote }))
        }
        return toolTurn(turn)
    }

    /// Tool calls as the model reads them, whether they are the run's own or items of a conversation: one
    /// assistant turn with the calls, then the answer to each that has one.
    static func toolTurn(_ calls: [(call: ChatToolCall, output: String?)]) -> [ChatMessage] {
        guard !calls.isEmpty else { return [] }
        let answers = calls.compactMap { call in call.output.map { ChatMessage.tool(callID: call.call.id, output: $0) } }
        return [ChatMessage(role: .assistant, content: [], toolCalls: calls.map(\.call))] + answers
    }

    /// A message as the model reads it: its text and images, and the text of the files of its `input_file`
    /// parts where they stand (an Assistants attachment is for its tools, not read here).
    func chatMessage(_ message: Message) async throws -> ChatMessage {
        var parts: [ChatMessage.Part] = []
        for part in message.orderedParts {
            switch part {
            case .content(.text(let text)): parts.append(.text(text.value))
            case .content(.refusal(let refusal)): parts.append(.text(refusal))
            case .content(.imageURL(let image)): parts.append(.imageURL(image.url, detail: image.detail.rawValue))
            case .content(.imageFile(let image)):
                if let url = try await dataURL(fileID: image.fileID) { parts.append(.imageURL(url, detail: image.detail.rawValue)) }
            case .attachment(let attachment) where attachment.inputPart != nil:
                parts.append(.text(try await InputFiles(store: store, blobs: blobs).modelText(fileID: attachment.fileID)))
            case .attachment:
                continue
            }
        }
        return ChatMessage(role: message.role == .user ? .user : .assistant, content: parts)
    }

    /// An uploaded image as a `data:` URL, which every OpenAI-compatible endpoint accepts. The request
    /// carries the image whole, so it is read whole.
    private func dataURL(fileID: String) async throws -> String? {
        guard let file = try await store.file(id: fileID), let data = try await blobs.read(fileID) else { return nil }
        let types = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"]
        let type = types[(file.filename as NSString).pathExtension.lowercased()] ?? "image/png"
        return "data:\(type);base64,\(data.base64EncodedString())"
    }
}

/// A call's arguments as they go back to the model in later requests. Endpoints parse them (llama.cpp's
/// server refuses a whole request whose earlier call has arguments that are not JSON), so text that does
/// not parse goes back as a JSON string, and the model is told about it with the call's output.
struct ToolArguments {
    let json: String
    let isValid: Bool

    init(_ arguments: String) {
        if arguments.allSatisfy(\.isWhitespace) {
            (json, isValid) = ("{}", true)
        } else if JSONValue.parse(arguments) != nil {
            (json, isValid) = (arguments, true)
        } else {
            // A Swift string always encodes, as a JSON string literal.
            let literal = (try? JSONEncoder().encode(arguments)).map { String(decoding: $0, as: UTF8.self) }
            (json, isValid) = (literal ?? "{}", false)
        }
    }

    static let notParsedNote = "[The arguments of this call were not valid JSON, so they were taken as plain text. Send tool arguments as one JSON object.]"
}

/// Why a run ends `incomplete`: its `incomplete_details.reason`.
enum RunIncomplete: Error {
    case maxPromptTokens, maxCompletionTokens

    var reason: String { self == .maxPromptTokens ? "max_prompt_tokens" : "max_completion_tokens" }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
