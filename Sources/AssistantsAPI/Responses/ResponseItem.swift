/// An item of a response's input or output, or of a conversation: a tagged union on `type`.
///
/// One type serves input and output because clients send output back as input (the Agents SDK replays
/// every earlier item), and a conversation lists both. Input may leave out what the server fills in when
/// it stores an item (`id`, `status`); stored items always have both, and encode them.
public enum ResponseItem: Codable, Sendable, Equatable {
    case message(ResponseMessage)
    case functionCall(FunctionCallItem)
    case functionCallOutput(FunctionCallOutputItem)
    case fileSearchCall(FileSearchCallItem)
    case codeInterpreterCall(CodeInterpreterCallItem)
    /// `{"type": "item_reference", "id"}`: an item stored earlier, by id. Input only: the server replaces
    /// it with the item it names.
    case itemReference(id: String)

    public static let supportedTypes = [
        "message", "function_call", "function_call_output", "file_search_call", "code_interpreter_call", "item_reference",
    ]

    public var type: String {
        switch self {
        case .message: "message"
        case .functionCall: "function_call"
        case .functionCallOutput: "function_call_output"
        case .fileSearchCall: "file_search_call"
        case .codeInterpreterCall: "code_interpreter_call"
        case .itemReference: "item_reference"
        }
    }

    /// The item's id; nil for input that does not name one yet.
    public var id: String? {
        switch self {
        case .message(let message): message.id
        case .functionCall(let call): call.id
        case .functionCallOutput(let output): output.id
        case .fileSearchCall(let call): call.id
        case .codeInterpreterCall(let call): call.id
        case .itemReference(let id): id
        }
    }

    enum CodingKeys: String, CodingKey { case type, id, role }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // `type` is optional on the two shorthand forms: `{"role", "content"}` and `{"id"}`.
        let type = try container.decodeIfPresent(String.self, forKey: .type)
            ?? (container.contains(.role) ? "message" : container.contains(.id) ? "item_reference" : "message")
        switch type {
        case "message": self = .message(try ResponseMessage(from: decoder))
        case "function_call": self = .functionCall(try FunctionCallItem(from: decoder))
        case "function_call_output": self = .functionCallOutput(try FunctionCallOutputItem(from: decoder))
        case "file_search_call": self = .fileSearchCall(try FileSearchCallItem(from: decoder))
        case "code_interpreter_call": self = .codeInterpreterCall(try CodeInterpreterCallItem(from: decoder))
        case "item_reference": self = .itemReference(id: try container.decode(String.self, forKey: .id))
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: Self.supportedTypes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message): try message.encode(to: encoder)
        case .functionCall(let call): try call.encode(to: encoder)
        case .functionCallOutput(let output): try output.encode(to: encoder)
        case .fileSearchCall(let call): try call.encode(to: encoder)
        case .codeInterpreterCall(let call): try call.encode(to: encoder)
        case .itemReference(let id):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("item_reference", forKey: .type)
            try container.encode(id, forKey: .id)
        }
    }
}

extension ResponseItem {
    /// The item as a client that asked for `include` sees it: search results and code outputs are stored
    /// whole and shown only when asked for.
    public func shown(include: [ResponseInclude]) -> ResponseItem {
        switch self {
        case .fileSearchCall(let call) where !include.contains(.fileSearchCallResults): .fileSearchCall(call.withoutResults())
        case .codeInterpreterCall(let call) where !include.contains(.codeInterpreterCallOutputs): .codeInterpreterCall(call.withoutOutputs())
        default: self
        }
    }
}

/// The status of a message or function call item.
public enum ItemStatus: String, WireEnum { case inProgress = "in_progress", completed, incomplete }

/// `type: message`. Content given as a plain string reads as one `input_text` part (one `output_text` part
/// for an `assistant` message). `user`, `system` and `developer` messages hold input parts, `assistant`
/// messages output parts, as OpenAI enforces.
public struct ResponseMessage: Codable, Sendable, Equatable {
    public enum Role: String, WireEnum { case user, assistant, system, developer }

    public var id: String?
    public var role: Role
    public var content: [ResponseContent]
    public var status: ItemStatus?
    /// `commentary` or `final_answer` on assistant messages; kept as sent, since models that use it want it back.
    public var phase: String?

    public init(id: String? = nil, role: Role, content: [ResponseContent], status: ItemStatus? = nil, phase: String? = nil) {
        self.id = id
        self.role = role
        self.content = content
        self.status = status
        self.phase = phase
    }

    enum CodingKeys: String, CodingKey { case type, id, role, content, status, phase }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeNonNull(String.self, forKey: .id)
        role = try container.decode(Role.self, forKey: .role)
        status = try container.decodeIfPresent(ItemStatus.self, forKey: .status)
        phase = try container.decodeIfPresent(String.self, forKey: .phase)
        if let text = try? container.decode(String.self, forKey: .content) {
            content = [role == .assistant ? .outputText(OutputText(text: text)) : .inputText(text)]
            return
        }
        content = try container.decode([ResponseContent].self, forKey: .content)
        let allowed = role == .assistant ? ResponseContent.outputTypes : ResponseContent.inputTypes
        if let index = content.firstIndex(where: { !allowed.contains($0.type) }) {
            throw APIError.invalidValue(content[index].type, param: "\(container.param(.content))[\(index)].type", supported: allowed)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("message", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encodeIfPresent(phase, forKey: .phase)
    }
}

/// `type: function_call`: the model asks the client to call one of its functions. `call_id` pairs it with
/// the `function_call_output` the client sends back.
public struct FunctionCallItem: Codable, Sendable, Equatable {
    public var id: String?
    public var callID: String
    public var name: String
    public var arguments: String
    public var status: ItemStatus?

    public init(id: String? = nil, callID: String, name: String, arguments: String, status: ItemStatus? = nil) {
        self.id = id
        self.callID = callID
        self.name = name
        self.arguments = arguments
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case type, id, callID = "call_id", name, arguments, status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeNonNull(String.self, forKey: .id)
        callID = try container.decode(String.self, forKey: .callID)
        name = try container.decode(String.self, forKey: .name)
        arguments = try container.decode(String.self, forKey: .arguments)
        status = try container.decodeIfPresent(ItemStatus.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("function_call", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encode(arguments, forKey: .arguments)
        try container.encode(callID, forKey: .callID)
        try container.encode(name, forKey: .name)
    }
}

/// `type: function_call_output`: the client's answer to a `function_call`, as text or as input parts.
public struct FunctionCallOutputItem: Codable, Sendable, Equatable {
    public enum Output: Codable, Sendable, Equatable {
        case text(String)
        case parts([ResponseContent])

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
                return
            }
            let parts = try decoder.singleValueContainer().decode([ResponseContent].self)
            if let index = parts.firstIndex(where: { !ResponseContent.inputTypes.contains($0.type) }) {
                throw APIError.invalidValue(
                    parts[index].type, param: "\(paramPath(decoder.codingPath))[\(index)].type", supported: ResponseContent.inputTypes)
            }
            self = .parts(parts)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }

        /// What the model reads: the text, or the text parts joined.
        public var text: String {
            switch self {
            case .text(let text): text
            case .parts(let parts): parts.compactMap { if case .inputText(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            }
        }
    }

    public var id: String?
    public var callID: String
    public var output: Output
    public var status: ItemStatus?

    public init(id: String? = nil, callID: String, output: Output, status: ItemStatus? = nil) {
        self.id = id
        self.callID = callID
        self.output = output
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case type, id, callID = "call_id", output, status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeNonNull(String.self, forKey: .id)
        callID = try container.decode(String.self, forKey: .callID)
        output = try container.decode(Output.self, forKey: .output)
        status = try container.decodeIfPresent(ItemStatus.self, forKey: .status)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("function_call_output", forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encode(callID, forKey: .callID)
        try container.encode(output, forKey: .output)
    }
}

/// `type: file_search_call`: a search the server ran for the model. `results` is null unless the request
/// asked for them with `include: ["file_search_call.results"]`.
public struct FileSearchCallItem: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case inProgress = "in_progress", searching, completed, incomplete, failed }

    public struct Result: Codable, Sendable, Equatable {
        public var fileID: String
        public var filename: String
        public var score: Double
        public var text: String
        public var attributes: FileAttributes

        public init(fileID: String, filename: String, score: Double, text: String, attributes: FileAttributes = [:]) {
            self.fileID = fileID
            self.filename = filename
            self.score = score
            self.text = text
            self.attributes = attributes
        }

        enum CodingKeys: String, CodingKey { case fileID = "file_id", filename, score, text, attributes }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fileID = try container.decode(String.self, forKey: .fileID)
            filename = try container.decode(String.self, forKey: .filename)
            score = try container.decode(Double.self, forKey: .score)
            text = try container.decode(String.self, forKey: .text)
            attributes = try container.decodeIfPresent(FileAttributes.self, forKey: .attributes) ?? [:]
        }
    }

    public var id: String
    public var status: Status
    public var queries: [String]
    public var results: [Result]?

    public init(id: String, status: Status, queries: [String], results: [Result]? = nil) {
        self.id = id
        self.status = status
        self.queries = queries
        self.results = results
    }

    enum CodingKeys: String, CodingKey { case type, id, status, queries, results }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decode(Status.self, forKey: .status)
        queries = try container.decode([String].self, forKey: .queries)
        results = try container.decodeIfPresent([Result].self, forKey: .results)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("file_search_call", forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(queries, forKey: .queries)
        try container.encode(results, forKey: .results)
    }

    /// The item as responses show it unless results were asked for.
    public func withoutResults() -> FileSearchCallItem {
        var item = self
        item.results = nil
        return item
    }
}

/// `type: code_interpreter_call`: code the model ran in a container. `outputs` is null unless the request
/// asked for them with `include: ["code_interpreter_call.outputs"]`.
public struct CodeInterpreterCallItem: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case inProgress = "in_progress", completed, incomplete, interpreting, failed }

    public enum Output: Codable, Sendable, Equatable {
        case logs(String)
        /// An image the code drew, as a URL the client can fetch (the container file's content).
        case image(url: String)

        enum CodingKeys: String, CodingKey { case type, logs, url }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "logs": self = .logs(try container.decode(String.self, forKey: .logs))
            case "image": self = .image(url: try container.decode(String.self, forKey: .url))
            default: throw APIError.invalidValue(type, param: container.param(.type), supported: ["logs", "image"])
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .logs(let logs):
                try container.encode("logs", forKey: .type)
                try container.encode(logs, forKey: .logs)
            case .image(let url):
                try container.encode("image", forKey: .type)
                try container.encode(url, forKey: .url)
            }
        }
    }

    public var id: String
    public var status: Status
    public var containerID: String
    public var code: String?
    public var outputs: [Output]?

    public init(id: String, status: Status, containerID: String, code: String? = nil, outputs: [Output]? = nil) {
        self.id = id
        self.status = status
        self.containerID = containerID
        self.code = code
        self.outputs = outputs
    }

    enum CodingKeys: String, CodingKey { case type, id, status, containerID = "container_id", code, outputs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decode(Status.self, forKey: .status)
        containerID = try container.decode(String.self, forKey: .containerID)
        code = try container.decodeIfPresent(String.self, forKey: .code)
        outputs = try container.decodeIfPresent([Output].self, forKey: .outputs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("code_interpreter_call", forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(containerID, forKey: .containerID)
        try container.encode(code, forKey: .code)
        try container.encode(outputs, forKey: .outputs)
    }

    /// The item as responses show it unless outputs were asked for.
    public func withoutOutputs() -> CodeInterpreterCallItem {
        var item = self
        item.outputs = nil
        return item
    }
}
