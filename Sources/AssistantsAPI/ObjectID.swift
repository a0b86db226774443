/// The kinds of objects the API stores, with the prefix of their ids.
public enum ObjectKind: String, Sendable, CaseIterable {
    case assistant, thread, message, run, step, file, vectorStore, fileBatch, toolCall
    case response, conversation, container, containerFile
    /// Items of responses and conversations other than messages (which are `message`s, `msg_…`).
    case functionCall, functionCallOutput, fileSearchCall, codeInterpreterCall
    /// A deployment's projects and their API keys (the admin commands').
    case project, apiKey

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
        case .response: "resp_"
        case .conversation: "conv_"
        case .container: "cntr_"
        case .containerFile: "cfile_"
        case .functionCall: "fc_"
        case .functionCallOutput: "fco_"
        case .fileSearchCall: "fs_"
        case .codeInterpreterCall: "ci_"
        case .project: "proj_"
        case .apiKey: "key_"
        }
    }

    /// How the kind is named in error messages.
    public var displayName: String {
        switch self {
        case .vectorStore: "vector store"
        case .fileBatch: "file batch"
        case .toolCall: "tool call"
        case .containerFile: "container file"
        case .apiKey: "API key"
        case .functionCall, .functionCallOutput, .fileSearchCall, .codeInterpreterCall: "item"
        default: rawValue
        }
    }

    /// A new random id in OpenAI's style: the prefix and 24 base62 characters.
    public func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return idPrefix + String((0..<24).map { _ in base62.randomElement(using: &generator)! })
    }

    /// The prefixes a valid id of the kind may have. A conversation is a thread, so thread ids and
    /// conversation ids are accepted by both route families; new ids have `idPrefix`.
    public var acceptedPrefixes: [String] {
        switch self {
        case .thread, .conversation: [ObjectKind.thread.idPrefix, ObjectKind.conversation.idPrefix]
        default: [idPrefix]
        }
    }

    /// The path parameter name ("thread_id") and the prefix OpenAI names when an id is malformed ("thread").
    public func validate(id: String, param: String) throws(APIError) {
        guard acceptedPrefixes.contains(where: id.hasPrefix) else {
            throw .invalidID(param, value: id, prefix: String(idPrefix.dropLast()))
        }
    }
}

private let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
