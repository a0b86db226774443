/// `object: "thread.run.step"`: one message written or one batch of tool calls made during a run.
public struct RunStep: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum {
        case inProgress = "in_progress", cancelled, failed, completed, expired
    }

    public var id: String
    public var createdAt: Int
    public var assistantID: String
    public var threadID: String
    public var runID: String
    public var status: Status
    public var details: StepDetails
    public var lastError: RunError?
    public var expiredAt: Int?
    public var cancelledAt: Int?
    public var failedAt: Int?
    public var completedAt: Int?
    public var metadata: Metadata
    public var usage: Usage?
    /// The usage of the model call that made a step still waiting for tool outputs; `usage` once it
    /// completes. Stored, not on the wire.
    public var pendingUsage: Usage?

    public init(
        id: String, createdAt: Int, assistantID: String, threadID: String, runID: String, status: Status = .inProgress,
        details: StepDetails, metadata: Metadata = [:]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.assistantID = assistantID
        self.threadID = threadID
        self.runID = runID
        self.status = status
        self.details = details
        self.metadata = metadata
    }

    public var type: String {
        if case .messageCreation = details { return "message_creation" }
        return "tool_calls"
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", assistantID = "assistant_id", threadID = "thread_id", runID = "run_id"
        case type, status, details = "step_details", lastError = "last_error", expiredAt = "expired_at"
        case cancelledAt = "cancelled_at", failedAt = "failed_at", completedAt = "completed_at", metadata, usage
        case pendingUsage = "_pending_usage"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        assistantID = try container.decode(String.self, forKey: .assistantID)
        threadID = try container.decode(String.self, forKey: .threadID)
        runID = try container.decode(String.self, forKey: .runID)
        status = try container.decode(Status.self, forKey: .status)
        details = try container.decode(StepDetails.self, forKey: .details)
        lastError = try container.decodeIfPresent(RunError.self, forKey: .lastError)
        expiredAt = try container.decodeIfPresent(Int.self, forKey: .expiredAt)
        cancelledAt = try container.decodeIfPresent(Int.self, forKey: .cancelledAt)
        failedAt = try container.decodeIfPresent(Int.self, forKey: .failedAt)
        completedAt = try container.decodeIfPresent(Int.self, forKey: .completedAt)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        pendingUsage = try container.decodeIfPresent(Usage.self, forKey: .pendingUsage)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread.run.step", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(assistantID, forKey: .assistantID)
        try container.encode(threadID, forKey: .threadID)
        try container.encode(runID, forKey: .runID)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(details, forKey: .details)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(expiredAt, forKey: .expiredAt)
        try container.encode(cancelledAt, forKey: .cancelledAt)
        try container.encode(failedAt, forKey: .failedAt)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(usage, forKey: .usage)
        if encoder.userInfo[.storage] as? Bool == true { try container.encodeIfPresent(pendingUsage, forKey: .pendingUsage) }
    }

    /// The same step with `file_search` result contents left out, as lists answer unless `include[]` asks.
    public func withoutFileSearchContent() -> RunStep {
        guard case .toolCalls(let calls) = details else { return self }
        var copy = self
        copy.details = .toolCalls(calls.map { call in
            guard case .fileSearch(var search) = call.kind else { return call }
            for index in search.results.indices { search.results[index].content = nil }
            var trimmed = call
            trimmed.kind = .fileSearch(search)
            return trimmed
        })
        return copy
    }
}

/// `step_details`.
public enum StepDetails: Codable, Sendable, Equatable {
    case messageCreation(messageID: String)
    case toolCalls([ToolCall])

    enum CodingKeys: String, CodingKey { case type, messageCreation = "message_creation", toolCalls = "tool_calls" }
    enum MessageKeys: String, CodingKey { case messageID = "message_id" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "message_creation":
            let message = try container.nestedContainer(keyedBy: MessageKeys.self, forKey: .messageCreation)
            self = .messageCreation(messageID: try message.decode(String.self, forKey: .messageID))
        default:
            self = .toolCalls(try container.decode([ToolCall].self, forKey: .toolCalls))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .messageCreation(let messageID):
            try container.encode("message_creation", forKey: .type)
            var message = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .messageCreation)
            try message.encode(messageID, forKey: .messageID)
        case .toolCalls(let calls):
            try container.encode("tool_calls", forKey: .type)
            try container.encode(calls, forKey: .toolCalls)
        }
    }
}

/// A tool call recorded in a step.
public struct ToolCall: Codable, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case function(name: String, arguments: String, output: String?)
        case codeInterpreter(CodeInterpreterCall)
        case fileSearch(FileSearchCall)
    }

    public var id: String
    public var kind: Kind
    /// What the model sent and was answered for a built-in tool, kept to replay the conversation to it.
    /// Stored, never part of the wire object (see `CodingUserInfoKey.storage`).
    public var transcript: Transcript?

    public struct Transcript: Codable, Sendable, Equatable {
        public var arguments: String
        public var output: String?
        /// Files the call produced, by the path the model knows them under (`/mnt/data/plot.csv` → file id).
        public var files: [String: String]?
        /// The container a response's code ran in: its `code_interpreter_call` item names it wherever it shows.
        public var containerID: String?

        public init(arguments: String, output: String? = nil, files: [String: String]? = nil, containerID: String? = nil) {
            self.arguments = arguments
            self.output = output
            self.files = files
            self.containerID = containerID
        }
    }

    public init(id: String, kind: Kind, transcript: Transcript? = nil) {
        self.id = id
        self.kind = kind
        self.transcript = transcript
    }

    public var type: String {
        switch kind {
        case .function: "function"
        case .codeInterpreter: "code_interpreter"
        case .fileSearch: "file_search"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, type, function, codeInterpreter = "code_interpreter", fileSearch = "file_search", transcript = "_transcript"
    }
    enum FunctionKeys: String, CodingKey { case name, arguments, output }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        transcript = try container.decodeIfPresent(Transcript.self, forKey: .transcript)
        switch try container.decode(String.self, forKey: .type) {
        case "function":
            let function = try container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            kind = .function(
                name: try function.decode(String.self, forKey: .name), arguments: try function.decode(String.self, forKey: .arguments),
                output: try function.decodeIfPresent(String.self, forKey: .output))
        case "code_interpreter":
            kind = .codeInterpreter(try container.decode(CodeInterpreterCall.self, forKey: .codeInterpreter))
        default:
            kind = .fileSearch(try container.decode(FileSearchCall.self, forKey: .fileSearch))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        if encoder.userInfo[.storage] as? Bool == true { try container.encodeIfPresent(transcript, forKey: .transcript) }
        switch kind {
        case .function(let name, let arguments, let output):
            var function = container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            try function.encode(name, forKey: .name)
            try function.encode(arguments, forKey: .arguments)
            try function.encode(output, forKey: .output)
        case .codeInterpreter(let call):
            try container.encode(call, forKey: .codeInterpreter)
        case .fileSearch(let call):
            try container.encode(call, forKey: .fileSearch)
        }
    }
}

public struct CodeInterpreterCall: Codable, Sendable, Equatable {
    public var input: String
    public var outputs: [CodeInterpreterOutput]

    public init(input: String, outputs: [CodeInterpreterOutput] = []) {
        self.input = input
        self.outputs = outputs
    }
}

/// `{type: "logs", logs}` or `{type: "image", image: {file_id}}`.
public enum CodeInterpreterOutput: Codable, Sendable, Equatable {
    case logs(String)
    case image(fileID: String)

    enum CodingKeys: String, CodingKey { case type, logs, image }
    struct Image: Codable { var file_id: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decode(String.self, forKey: .type) == "logs" {
            self = .logs(try container.decode(String.self, forKey: .logs))
        } else {
            self = .image(fileID: try container.decode(Image.self, forKey: .image).file_id)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .logs(let logs):
            try container.encode("logs", forKey: .type)
            try container.encode(logs, forKey: .logs)
        case .image(let fileID):
            try container.encode("image", forKey: .type)
            try container.encode(Image(file_id: fileID), forKey: .image)
        }
    }
}

public struct FileSearchCall: Codable, Sendable, Equatable {
    public var rankingOptions: FileSearchRankingOptions
    public var results: [FileSearchResult]

    public init(rankingOptions: FileSearchRankingOptions = .init(), results: [FileSearchResult] = []) {
        self.rankingOptions = rankingOptions
        self.results = results
    }

    enum CodingKeys: String, CodingKey { case rankingOptions = "ranking_options", results }
}

public struct FileSearchResult: Codable, Sendable, Equatable {
    public typealias Content = TextContent

    public var fileID: String
    public var fileName: String
    public var score: Double
    public var content: [Content]?

    public init(fileID: String, fileName: String, score: Double, content: [Content]? = nil) {
        self.fileID = fileID
        self.fileName = fileName
        self.score = score
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", fileName = "file_name", score, content }
}

extension CodingUserInfoKey {
    /// Set to `true` when encoding for storage: fields kept for the server's own use are included.
    public static let storage = CodingUserInfoKey(rawValue: "swift-assistants.storage")!
}
