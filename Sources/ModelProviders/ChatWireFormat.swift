import AssistantsAPI
import Foundation

/// The OpenAI Chat Completions wire format: what is sent, and how streamed chunks are read.
enum ChatWireFormat {
    /// One decoder for every streamed chunk: they arrive by the thousand.
    private static let chunkDecoder = JSONDecoder()

    /// `namedToolChoice: .required` sends a choice naming one function as `"required"` with only that
    /// function offered, for endpoints that read `tool_choice` only as a string.
    static func body(for request: ChatRequest, model: String, namedToolChoice: NamedToolChoice = .object) throws -> Data {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(request.messages.map(message)),
            "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(true)]),
        ]
        if !request.tools.isEmpty {
            var tools = request.tools
            var choice = request.toolChoice
            if namedToolChoice == .required, let named = choice?["function"]?["name"]?.stringValue {
                tools = tools.filter { $0.name == named }
                choice = .string("required")
            }
            body["tools"] = .array(tools.map(tool))
            if let choice { body["tool_choice"] = choice }
            if let parallel = request.parallelToolCalls { body["parallel_tool_calls"] = .bool(parallel) }
        }
        if let value = request.temperature { body["temperature"] = .number(value) }
        if let value = request.topP { body["top_p"] = .number(value) }
        // `max_tokens` is what local servers (Ollama, llama.cpp, vLLM) understand.
        if let value = request.maxTokens { body["max_tokens"] = .integer(value) }
        if let value = request.responseFormat { body["response_format"] = value }
        if let value = request.reasoningEffort { body["reasoning_effort"] = .string(value) }
        return try JSONEncoder().encode(JSONValue.object(body))
    }

    static func message(_ message: ChatMessage) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        let onlyText = message.content.allSatisfy { if case .text = $0 { true } else { false } }
        if onlyText {
            object["content"] = message.content.isEmpty && !message.toolCalls.isEmpty ? .null : .string(message.text)
        } else {
            object["content"] = .array(message.content.map { part in
                switch part {
                case .text(let text):
                    .object(["type": .string("text"), "text": .string(text)])
                case .imageURL(let url, let detail):
                    .object(["type": .string("image_url"), "image_url": .object(["url": .string(url), "detail": .string(detail)])])
                }
            })
        }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(message.toolCalls.map { call in
                .object([
                    "id": .string(call.id), "type": .string("function"),
                    "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)]),
                ])
            })
        }
        if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        return .object(object)
    }

    static func tool(_ function: FunctionDefinition) -> JSONValue {
        var definition: [String: JSONValue] = [
            "name": .string(function.name),
            "parameters": function.parameters ?? .object(["type": .string("object"), "properties": .object([:])]),
        ]
        if let description = function.description { definition["description"] = .string(description) }
        if function.strict { definition["strict"] = .bool(true) }
        return .object(["type": .string("function"), "function": .object(definition)])
    }

    /// The events of one frame of a streamed completion. An error the endpoint reports inside its stream
    /// (an `error` event, or a chunk with an `error` member, as llama.cpp's server sends) is thrown.
    static func events(fromFrame frame: ServerSentEvents.Event) throws -> [ChatStreamEvent] {
        if frame.name == "error" { throw reportedError(frame.data) }
        let chunk = try chunkDecoder.decode(Chunk.self, from: frame.data)
        if chunk.error != nil { throw reportedError(frame.data) }
        var events: [ChatStreamEvent] = []
        for choice in chunk.choices ?? [] {
            if let content = choice.delta?.content, !content.isEmpty { events.append(.text(content)) }
            for call in choice.delta?.tool_calls ?? [] {
                events.append(.toolCall(index: call.index ?? 0, id: call.id, name: call.function?.name, arguments: call.function?.arguments))
            }
            if let reason = choice.finish_reason { events.append(.finish(reason: reason)) }
        }
        if let usage = chunk.usage {
            events.append(.usage(Usage(promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0)))
        }
        return events
    }

    private static func reportedError(_ data: Data) -> ProviderError {
        ProviderError(.server, message: "The model endpoint reported an error: \(errorMessage(from: data))")
    }

    /// The message of an error response, whatever shape the endpoint uses.
    static func errorMessage(from data: Data) -> String {
        if let envelope = try? JSONDecoder().decode(ErrorBody.self, from: data) {
            if let message = envelope.error?.message { return message }
            if let message = envelope.message { return message }
        }
        if let text = try? JSONDecoder().decode([String: String].self, from: data)["error"] { return text }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }

    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                var content: String?
                var tool_calls: [ToolCall]?
            }
            var delta: Delta?
            var finish_reason: String?
        }
        struct ToolCall: Decodable {
            struct Function: Decodable {
                var name: String?
                var arguments: String?
            }
            var index: Int?
            var id: String?
            var function: Function?
        }
        struct ChunkUsage: Decodable {
            var prompt_tokens: Int?
            var completion_tokens: Int?
        }
        var choices: [Choice]?
        var usage: ChunkUsage?
        var error: JSONValue?
    }

    struct ErrorBody: Decodable {
        struct Inner: Decodable { var message: String? }
        var error: Inner?
        var message: String?
    }
}
