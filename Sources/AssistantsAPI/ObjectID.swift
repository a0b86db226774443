/// The kinds of objects the API stores, with the prefix of their ids.
public enum ObjectKind: String, Sendable, CaseIterable {
    case assistant, thread, message, run, step, file, vectorStore, fileBatch, toolCall

    /// OpenAI's id prefix; files use a hyphen (`file-…`), everything else an underscore.
    public var idPrefix: String {
        switch self {
        case .assistant: "asst_"
        case .thread: "thread_"
        case .message: "msg_"
        case .run: "run_"
        case .step: "step_"
        case .file: "file-"
        case .vectorStore: "vs_"
        case .fileBatch: "vsfb_"
        case .toolCall: "call_"
        }
    }

    /// How the kind is named in error messages.
    public var displayName: String {
        switch self {
        case .vectorStore: "vector store"
        case .fileBatch: "file batch"
        case .toolCall: "tool call"
        default: rawValue
        }
    }

    /// A new random id in OpenAI's style: the prefix and 24 base62 characters.
    public func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return idPrefix + String((0..<24).map { _ in base62.randomElement(using: &generator)! })
    }

    /// The path parameter name ("thread_id") and the prefix OpenAI names when an id is malformed ("thread").
    public func validate(id: String, param: String) throws(APIError) {
        guard id.hasPrefix(idPrefix) else {
            throw .invalidID(param, value: id, prefix: String(idPrefix.dropLast()))
        }
    }
}

private let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
