import Foundation

/// A server-sent event of a streamed run: `event: <name>` and `data: <JSON>`.
public enum AssistantStreamEvent: Sendable, Equatable {
    case threadCreated(AssistantThread)
    /// `thread.run.created`.
    case runCreated(Run)
    /// `thread.run.<status>`: queued, in_progress, requires_action, completed, ...
    case run(Run)
    case stepCreated(RunStep)
    /// `thread.run.step.<status>`.
    case step(RunStep)
    case stepDelta(RunStepDelta)
    case messageCreated(Message)
    /// `thread.message.<status>`.
    case message(Message)
    case messageDelta(MessageDelta)
    case error(ErrorEnvelope.Body)
    case done

    public var name: String {
        switch self {
        case .threadCreated: "thread.created"
        case .runCreated: "thread.run.created"
        case .run(let run): "thread.run.\(run.status.rawValue)"
        case .stepCreated: "thread.run.step.created"
        case .step(let step): "thread.run.step.\(step.status.rawValue)"
        case .stepDelta: "thread.run.step.delta"
        case .messageCreated: "thread.message.created"
        case .message(let message): "thread.message.\(message.status.rawValue)"
        case .messageDelta: "thread.message.delta"
        case .error: "error"
        case .done: "done"
        }
    }

    /// A stream closes after the run reaches a terminal state or stops to wait for tool outputs.
    public var endsStream: Bool {
        switch self {
        case .run(let run): run.status.isTerminal || run.status == .requiresAction
        case .done: true
        default: false
        }
    }

    /// One encoder for every event: a streamed run sends one per token.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The `data:` line: one line of JSON, or `[DONE]`.
    public func data() throws -> Data {
        let encoder = Self.encoder
        switch self {
        case .threadCreated(let thread): return try encoder.encode(thread)
        case .runCreated(let run), .run(let run): return try encoder.encode(run)
        case .stepCreated(let step), .step(let step): return try encoder.encode(step)
        case .stepDelta(let delta): return try encoder.encode(delta)
        case .messageCreated(let message), .message(let message): return try encoder.encode(message)
        case .messageDelta(let delta): return try encoder.encode(delta)
        case .error(let error): return try encoder.encode(error)
        case .done: return Data("[DONE]".utf8)
        }
    }

    /// The event an SSE frame carries, read back from its `event:` name and `data:` payload; nil for an event
    /// name the contract does not define, which clients must ignore.
    public init?(name: String, data: Data) throws {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type, from: data) }
        switch name {
        case "thread.created": self = .threadCreated(try decode(AssistantThread.self))
        case "thread.run.created": self = .runCreated(try decode(Run.self))
        case "thread.run.step.created": self = .stepCreated(try decode(RunStep.self))
        case "thread.run.step.delta": self = .stepDelta(try decode(RunStepDelta.self))
        case "thread.message.created": self = .messageCreated(try decode(Message.self))
        case "thread.message.delta": self = .messageDelta(try decode(MessageDelta.self))
        case "error": self = .error(try Self.errorBody(from: data))
        case "done": self = .done
        case let name where name.hasPrefix("thread.run.step."): self = .step(try decode(RunStep.self))
        case let name where name.hasPrefix("thread.message."): self = .message(try decode(Message.self))
        case let name where name.hasPrefix("thread.run."): self = .run(try decode(Run.self))
        default: return nil
        }
    }

    /// The spec sends a bare error object; some servers wrap it in OpenAI's envelope. Both are read.
    private static func errorBody(from data: Data) throws -> ErrorEnvelope.Body {
        let decoder = JSONDecoder()
        if let envelope = try? decoder.decode(ErrorEnvelope.self, from: data) { return envelope.error }
        return try decoder.decode(ErrorEnvelope.Body.self, from: data)
    }

    /// The whole SSE frame.
    public func frame() throws -> Data {
        var frame = Data("event: \(name)\ndata: ".utf8)
        frame.append(try data())
        frame.append(Data("\n\n".utf8))
        return frame
    }
}

/// `thread.message.delta`: content appended to a message; list items are located by `index`.
public struct MessageDelta: Codable, Sendable, Equatable {
    public var id: String
    public var content: [MessageContentDelta]

    public init(id: String, content: [MessageContentDelta]) {
        self.id = id
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case id, object, delta }
    struct Delta: Codable { var content: [MessageContentDelta] }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        content = try container.decode(Delta.self, forKey: .delta).content
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread.message.delta", forKey: .object)
        try container.encode(Delta(content: content), forKey: .delta)
    }
}

public struct MessageContentDelta: Codable, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text(value: String, annotations: [Indexed<Annotation>])
        case imageFile(ImageFile)
    }

    public var index: Int
    public var kind: Kind

    public init(index: Int, kind: Kind) {
        self.index = index
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case index, type, text, imageFile = "image_file" }
    struct Text: Codable { var value: String; var annotations: [Indexed<Annotation>]? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        if try container.decode(String.self, forKey: .type) == "image_file" {
            kind = .imageFile(try container.decode(ImageFile.self, forKey: .imageFile))
        } else {
            let text = try container.decode(Text.self, forKey: .text)
            kind = .text(value: text.value, annotations: text.annotations ?? [])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        switch kind {
        case .text(let value, let annotations):
            try container.encode("text", forKey: .type)
            try container.encode(Text(value: value, annotations: annotations.isEmpty ? nil : annotations), forKey: .text)
        case .imageFile(let image):
            try container.encode("image_file", forKey: .type)
            try container.encode(image, forKey: .imageFile)
        }
    }
}

/// A list item inside a delta: the value and its position, by which clients merge it into their copy.
public struct Indexed<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var index: Int
    public var value: Value

    public init(index: Int, value: Value) {
        self.index = index
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case index }

    public init(from decoder: any Decoder) throws {
        index = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .index)
        value = try Value(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
    }
}

/// `thread.run.step.delta`: fragments of the tool calls of a `tool_calls` step.
public struct RunStepDelta: Codable, Sendable, Equatable {
    public var id: String
    public var toolCalls: [ToolCallDelta]

    public init(id: String, toolCalls: [ToolCallDelta]) {
        self.id = id
        self.toolCalls = toolCalls
    }

    enum CodingKeys: String, CodingKey { case id, object, delta }
    struct Delta: Codable {
        struct Details: Codable {
            var type = "tool_calls"
            var tool_calls: [ToolCallDelta]
        }
        var step_details: Details
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        toolCalls = try container.decode(Delta.self, forKey: .delta).step_details.tool_calls
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread.run.step.delta", forKey: .object)
        try container.encode(Delta(step_details: .init(tool_calls: toolCalls)), forKey: .delta)
    }
}

/// One tool call's fragment. The first fragment of a call carries its `id`; later ones only what is new.
public struct ToolCallDelta: Codable, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `output` is sent as an explicit null on the first fragment, as OpenAI does.
        case function(name: String?, arguments: String?, output: String??)
        case codeInterpreter(input: String?, outputs: [Indexed<CodeInterpreterOutput>]?)
        case fileSearch
    }

    public var index: Int
    public var id: String?
    public var kind: Kind

    public init(index: Int, id: String? = nil, kind: Kind) {
        self.index = index
        self.id = id
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case index, id, type, function, codeInterpreter = "code_interpreter", fileSearch = "file_search" }
    enum FunctionKeys: String, CodingKey { case name, arguments, output }
    enum CodeKeys: String, CodingKey { case input, outputs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        switch try container.decode(String.self, forKey: .type) {
        case "function":
            let function = try container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            kind = .function(
                name: try function.decodeIfPresent(String.self, forKey: .name),
                arguments: try function.decodeIfPresent(String.self, forKey: .arguments),
                output: try function.decodePatch(String.self, forKey: .output))
        case "code_interpreter":
            let code = try container.nestedContainer(keyedBy: CodeKeys.self, forKey: .codeInterpreter)
            kind = .codeInterpreter(
                input: try code.decodeIfPresent(String.self, forKey: .input),
                outputs: try code.decodeIfPresent([Indexed<CodeInterpreterOutput>].self, forKey: .outputs))
        default:
            kind = .fileSearch
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encodeIfPresent(id, forKey: .id)
        switch kind {
        case .function(let name, let arguments, let output):
            try container.encode("function", forKey: .type)
            var function = container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            try function.encodeIfPresent(name, forKey: .name)
            try function.encodeIfPresent(arguments, forKey: .arguments)
            if let output { try function.encode(output, forKey: .output) }
        case .codeInterpreter(let input, let outputs):
            try container.encode("code_interpreter", forKey: .type)
            var code = container.nestedContainer(keyedBy: CodeKeys.self, forKey: .codeInterpreter)
            try code.encodeIfPresent(input, forKey: .input)
            try code.encodeIfPresent(outputs, forKey: .outputs)
        case .fileSearch:
            try container.encode("file_search", forKey: .type)
            _ = container.nestedContainer(keyedBy: CodeKeys.self, forKey: .fileSearch)
        }
    }
}

extension AssistantStreamEvent {
    /// The event with `file_search` result contents left out of steps, as streams send it unless the
    /// run was created with `include[]` asking for them.
    public func withoutFileSearchContent() -> AssistantStreamEvent {
        switch self {
        case .stepCreated(let step): .stepCreated(step.withoutFileSearchContent())
        case .step(let step): .step(step.withoutFileSearchContent())
        default: self
        }
    }
}
