import AssistantsAPI

/// What the fake reads from a chat-completions request body.
struct ChatRequest {
    var body: JSONValue

    var model: String { body["model"]?.stringValue ?? "fake-model" }
    var stream: Bool { body["stream"] == .bool(true) }
    var includeUsage: Bool { body["stream_options"]?["include_usage"] == .bool(true) }
    var messages: [JSONValue] { body["messages"]?.arrayValue ?? [] }

    /// The reply when nothing is scripted: lets agent loops run without scripting every turn.
    var defaultReply: FakeReply {
        let trailingTools = messages.reversed().prefix { $0["role"] == .string("tool") }
        if !trailingTools.isEmpty {
            return FakeReply(text: "Tool results: " + trailingTools.reversed().map { Self.text(of: $0) }.joined(separator: ", "))
        }
        let lastUser = messages.last { $0["role"] == .string("user") }
        return FakeReply(text: "Echo: " + (lastUser.map { Self.text(of: $0) } ?? ""))
    }

    /// A rough token count: a quarter of the characters of every message's content, rounded up.
    var promptTokens: Int {
        let characters = messages.reduce(0) { $0 + Self.text(of: $1).count }
        return (characters + 3) / 4
    }

    /// A message's text: string content, or the `text` parts of array content.
    static func text(of message: JSONValue) -> String {
        switch message["content"] {
        case .string(let text): text
        case .array(let parts): parts.compactMap { $0["text"]?.stringValue }.joined()
        default: ""
        }
    }
}
