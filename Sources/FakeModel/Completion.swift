import AssistantsAPI
import Foundation

/// A scripted reply resolved against one request: ids, fragments, finish reason and usage fixed,
/// ready to render as a streamed or a plain chat completion.
struct Completion {
    struct ToolCall {
        var id: String
        var name: String
        var arguments: String
        var fragments: [String]
    }

    let id = "chatcmpl-fake" + randomBase62(20)
    let created = Int(Date().timeIntervalSince1970)
    var model: String
    /// nil when the reply has no text at all (`content: null` when not streamed).
    var text: String?
    var textChunks: [String]
    var toolCalls: [ToolCall]
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int

    init(reply: FakeReply, request: ChatRequest) {
        let size = max(reply.chunkSize ?? 4, 1)
        model = request.model
        textChunks = reply.chunks ?? reply.text.map { Self.split($0, size: size) } ?? []
        text = reply.chunks?.joined() ?? reply.text
        toolCalls = (reply.toolCalls ?? []).map {
            ToolCall(id: $0.id ?? "call_" + randomBase62(24), name: $0.name, arguments: $0.arguments, fragments: Self.split($0.arguments, size: size))
        }
        finishReason = reply.finishReason ?? (toolCalls.isEmpty ? "stop" : "tool_calls")
        promptTokens = reply.usage?.promptTokens ?? request.promptTokens
        completionTokens = reply.usage?.completionTokens ?? textChunks.count + toolCalls.reduce(0) { $0 + $1.fragments.count }
    }

    private static func split(_ string: String, size: Int) -> [String] {
        var chunks: [String] = []
        var rest = Substring(string)
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return chunks
    }

    private var usage: JSONValue {
        .object([
            "prompt_tokens": .integer(promptTokens),
            "completion_tokens": .integer(completionTokens),
            "total_tokens": .integer(promptTokens + completionTokens),
        ])
    }

    /// The `chat.completion.chunk` objects of the stream, in order, without the final `[DONE]`.
    func chunks(includeUsage: Bool) -> [JSONValue] {
        var deltas: [JSONValue] = [.object(["role": .string("assistant"), "content": .string("")])]
        deltas += textChunks.map { .object(["content": .string($0)]) }
        for (index, call) in toolCalls.enumerated() {
            let opening: JSONValue = .object([
                "index": .integer(index), "id": .string(call.id), "type": .string("function"),
                "function": .object(["name": .string(call.name), "arguments": .string("")]),
            ])
            deltas.append(.object(["tool_calls": .array([opening])]))
            deltas += call.fragments.map { fragment in
                .object(["tool_calls": .array([.object(["index": .integer(index), "function": .object(["arguments": .string(fragment)])])])])
            }
        }
        var chunks = deltas.map { chunk(choices: [.object(["index": .integer(0), "delta": $0, "finish_reason": .null])]) }
        chunks.append(chunk(choices: [.object(["index": .integer(0), "delta": .object([:]), "finish_reason": .string(finishReason)])]))
        if includeUsage {
            chunks.append(chunk(choices: [], usage: usage))
        }
        return chunks
    }

    private func chunk(choices: [JSONValue], usage: JSONValue? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "object": .string("chat.completion.chunk"), "created": .integer(created),
            "model": .string(model), "choices": .array(choices),
        ]
        object["usage"] = usage
        return .object(object)
    }

    /// The whole answer as one `chat.completion` object.
    var object: JSONValue {
        var message: [String: JSONValue] = ["role": .string("assistant"), "content": text.map { .string($0) } ?? .null]
        if !toolCalls.isEmpty {
            message["tool_calls"] = .array(toolCalls.map {
                .object([
                    "id": .string($0.id), "type": .string("function"),
                    "function": .object(["name": .string($0.name), "arguments": .string($0.arguments)]),
                ])
            })
        }
        return .object([
            "id": .string(id), "object": .string("chat.completion"), "created": .integer(created), "model": .string(model),
            "choices": .array([.object(["index": .integer(0), "message": .object(message), "finish_reason": .string(finishReason)])]),
            "usage": usage,
        ])
    }
}
