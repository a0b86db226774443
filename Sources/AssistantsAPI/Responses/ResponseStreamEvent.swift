import Foundation

/// One server-sent event of a streamed response. Every event carries its `type` (also the SSE event name)
/// and a `sequence_number`, counted from 0 per response: clients resume a stream after the last number they
/// saw (`starting_after`), so a response's events keep their numbers wherever and whenever they are replayed.
public struct ResponseStreamEvent: Codable, Sendable, Equatable {
    /// The events that carry the whole response: its state changes.
    public enum Lifecycle: String, Sendable, CaseIterable {
        case created = "response.created", queued = "response.queued", inProgress = "response.in_progress"
        case completed = "response.completed", incomplete = "response.incomplete", failed = "response.failed"
    }

    /// The phases a built-in tool call announces before its item is done.
    public enum ToolCallPhase: String, Sendable, CaseIterable {
        case inProgress = "in_progress", searching, interpreting, completed
    }

    public enum Kind: Sendable, Equatable {
        case response(Lifecycle, ModelResponse)
        case outputItemAdded(outputIndex: Int, item: ResponseItem)
        case outputItemDone(outputIndex: Int, item: ResponseItem)
        case contentPartAdded(itemID: String, outputIndex: Int, contentIndex: Int, part: ResponseContent)
        case contentPartDone(itemID: String, outputIndex: Int, contentIndex: Int, part: ResponseContent)
        case outputTextDelta(itemID: String, outputIndex: Int, contentIndex: Int, delta: String)
        case outputTextDone(itemID: String, outputIndex: Int, contentIndex: Int, text: String)
        case outputTextAnnotationAdded(itemID: String, outputIndex: Int, contentIndex: Int, annotationIndex: Int, annotation: ResponseAnnotation)
        case refusalDelta(itemID: String, outputIndex: Int, contentIndex: Int, delta: String)
        case refusalDone(itemID: String, outputIndex: Int, contentIndex: Int, refusal: String)
        case functionCallArgumentsDelta(itemID: String, outputIndex: Int, delta: String)
        case functionCallArgumentsDone(itemID: String, outputIndex: Int, name: String, arguments: String)
        /// `response.file_search_call.in_progress`, `.searching`, `.completed`.
        case fileSearchCall(ToolCallPhase, itemID: String, outputIndex: Int)
        /// `response.code_interpreter_call.in_progress`, `.interpreting`, `.completed`.
        case codeInterpreterCall(ToolCallPhase, itemID: String, outputIndex: Int)
        case codeInterpreterCodeDelta(itemID: String, outputIndex: Int, delta: String)
        case codeInterpreterCodeDone(itemID: String, outputIndex: Int, code: String)
        /// `error`: the stream ends after it. The response itself, if there is one, ends `failed`.
        case error(code: String?, message: String, param: String?)
    }

    public var sequenceNumber: Int
    public var kind: Kind

    public init(_ kind: Kind, sequenceNumber: Int) {
        self.kind = kind
        self.sequenceNumber = sequenceNumber
    }

    /// The event's `type`, which is also its SSE event name.
    public var type: String {
        switch kind {
        case .response(let lifecycle, _): lifecycle.rawValue
        case .outputItemAdded: "response.output_item.added"
        case .outputItemDone: "response.output_item.done"
        case .contentPartAdded: "response.content_part.added"
        case .contentPartDone: "response.content_part.done"
        case .outputTextDelta: "response.output_text.delta"
        case .outputTextDone: "response.output_text.done"
        case .outputTextAnnotationAdded: "response.output_text.annotation.added"
        case .refusalDelta: "response.refusal.delta"
        case .refusalDone: "response.refusal.done"
        case .functionCallArgumentsDelta: "response.function_call_arguments.delta"
        case .functionCallArgumentsDone: "response.function_call_arguments.done"
        case .fileSearchCall(let phase, _, _): "response.file_search_call.\(phase.rawValue)"
        case .codeInterpreterCall(let phase, _, _): "response.code_interpreter_call.\(phase.rawValue)"
        case .codeInterpreterCodeDelta: "response.code_interpreter_call_code.delta"
        case .codeInterpreterCodeDone: "response.code_interpreter_call_code.done"
        case .error: "error"
        }
    }

    /// A stream closes after the response ends (completed, incomplete, failed) or after an `error`. A
    /// cancelled response sends no event of its own: its stream just ends.
    public var endsStream: Bool {
        switch kind {
        case .response(let lifecycle, _): [.completed, .incomplete, .failed].contains(lifecycle)
        case .error: true
        default: false
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, sequenceNumber = "sequence_number", response, outputIndex = "output_index", item, itemID = "item_id"
        case contentIndex = "content_index", part, delta, text, logprobs, annotationIndex = "annotation_index", annotation
        case refusal, name, arguments, code, message, param
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequenceNumber = try container.decode(Int.self, forKey: .sequenceNumber)
        let type = try container.decode(String.self, forKey: .type)
        func string(_ key: CodingKeys) throws -> String { try container.decode(String.self, forKey: key) }
        func int(_ key: CodingKeys) throws -> Int { try container.decode(Int.self, forKey: key) }
        if let lifecycle = Lifecycle(rawValue: type) {
            kind = .response(lifecycle, try container.decode(ModelResponse.self, forKey: .response))
            return
        }
        for (prefix, make) in [
            ("response.file_search_call.", { Kind.fileSearchCall($0, itemID: $1, outputIndex: $2) }),
            ("response.code_interpreter_call.", { Kind.codeInterpreterCall($0, itemID: $1, outputIndex: $2) }),
        ] as [(String, (ToolCallPhase, String, Int) -> Kind)] where type.hasPrefix(prefix) {
            guard let phase = ToolCallPhase(rawValue: String(type.dropFirst(prefix.count))) else { break }
            kind = make(phase, try string(.itemID), try int(.outputIndex))
            return
        }
        switch type {
        case "response.output_item.added":
            kind = .outputItemAdded(outputIndex: try int(.outputIndex), item: try container.decode(ResponseItem.self, forKey: .item))
        case "response.output_item.done":
            kind = .outputItemDone(outputIndex: try int(.outputIndex), item: try container.decode(ResponseItem.self, forKey: .item))
        case "response.content_part.added":
            kind = .contentPartAdded(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex),
                part: try container.decode(ResponseContent.self, forKey: .part))
        case "response.content_part.done":
            kind = .contentPartDone(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex),
                part: try container.decode(ResponseContent.self, forKey: .part))
        case "response.output_text.delta":
            kind = .outputTextDelta(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex), delta: try string(.delta))
        case "response.output_text.done":
            kind = .outputTextDone(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex), text: try string(.text))
        case "response.output_text.annotation.added":
            kind = .outputTextAnnotationAdded(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex),
                annotationIndex: try int(.annotationIndex), annotation: try container.decode(ResponseAnnotation.self, forKey: .annotation))
        case "response.refusal.delta":
            kind = .refusalDelta(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex), delta: try string(.delta))
        case "response.refusal.done":
            kind = .refusalDone(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex), contentIndex: try int(.contentIndex),
                refusal: try string(.refusal))
        case "response.function_call_arguments.delta":
            kind = .functionCallArgumentsDelta(itemID: try string(.itemID), outputIndex: try int(.outputIndex), delta: try string(.delta))
        case "response.function_call_arguments.done":
            kind = .functionCallArgumentsDone(
                itemID: try string(.itemID), outputIndex: try int(.outputIndex),
                name: try container.decodeIfPresent(String.self, forKey: .name) ?? "", arguments: try string(.arguments))
        case "response.code_interpreter_call_code.delta":
            kind = .codeInterpreterCodeDelta(itemID: try string(.itemID), outputIndex: try int(.outputIndex), delta: try string(.delta))
        case "response.code_interpreter_call_code.done":
            kind = .codeInterpreterCodeDone(itemID: try string(.itemID), outputIndex: try int(.outputIndex), code: try string(.code))
        case "error":
            kind = .error(
                code: try container.decodeIfPresent(String.self, forKey: .code), message: try string(.message),
                param: try container.decodeIfPresent(String.self, forKey: .param))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "Unknown event type '\(type)'.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(sequenceNumber, forKey: .sequenceNumber)
        func location(_ itemID: String, _ outputIndex: Int, _ contentIndex: Int? = nil) throws {
            try container.encode(itemID, forKey: .itemID)
            try container.encode(outputIndex, forKey: .outputIndex)
            try container.encodeIfPresent(contentIndex, forKey: .contentIndex)
        }
        switch kind {
        case .response(_, let response):
            try container.encode(response, forKey: .response)
        case .outputItemAdded(let outputIndex, let item), .outputItemDone(let outputIndex, let item):
            try container.encode(outputIndex, forKey: .outputIndex)
            try container.encode(item, forKey: .item)
        case .contentPartAdded(let itemID, let outputIndex, let contentIndex, let part),
             .contentPartDone(let itemID, let outputIndex, let contentIndex, let part):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(part, forKey: .part)
        case .outputTextDelta(let itemID, let outputIndex, let contentIndex, let delta):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(delta, forKey: .delta)
            try container.encode([JSONValue](), forKey: .logprobs)
        case .outputTextDone(let itemID, let outputIndex, let contentIndex, let text):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(text, forKey: .text)
            try container.encode([JSONValue](), forKey: .logprobs)
        case .outputTextAnnotationAdded(let itemID, let outputIndex, let contentIndex, let annotationIndex, let annotation):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(annotationIndex, forKey: .annotationIndex)
            try container.encode(annotation, forKey: .annotation)
        case .refusalDelta(let itemID, let outputIndex, let contentIndex, let delta):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(delta, forKey: .delta)
        case .refusalDone(let itemID, let outputIndex, let contentIndex, let refusal):
            try location(itemID, outputIndex, contentIndex)
            try container.encode(refusal, forKey: .refusal)
        case .functionCallArgumentsDelta(let itemID, let outputIndex, let delta):
            try location(itemID, outputIndex)
            try container.encode(delta, forKey: .delta)
        case .functionCallArgumentsDone(let itemID, let outputIndex, let name, let arguments):
            try location(itemID, outputIndex)
            try container.encode(name, forKey: .name)
            try container.encode(arguments, forKey: .arguments)
        case .fileSearchCall(_, let itemID, let outputIndex), .codeInterpreterCall(_, let itemID, let outputIndex):
            try location(itemID, outputIndex)
        case .codeInterpreterCodeDelta(let itemID, let outputIndex, let delta):
            try location(itemID, outputIndex)
            try container.encode(delta, forKey: .delta)
        case .codeInterpreterCodeDone(let itemID, let outputIndex, let code):
            try location(itemID, outputIndex)
            try container.encode(code, forKey: .code)
        case .error(let code, let message, let param):
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(param, forKey: .param)
        }
    }

    /// One encoder for every event: a streamed response sends one per token.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The whole SSE frame: `event: <type>`, one `data:` line of JSON. Responses streams end without `[DONE]`.
    public func frame() throws -> Data {
        var frame = Data("event: \(type)\ndata: ".utf8)
        frame.append(try Self.encoder.encode(self))
        frame.append(Data("\n\n".utf8))
        return frame
    }
}

extension ResponseStreamEvent {
    /// The event an SSE frame's `data:` carries; nil for a `type` the contract does not define (yet), which
    /// clients must skip rather than fail on.
    public init?(data: Data) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.map(\.stringValue) == ["type"] {
            return nil
        }
    }
}
