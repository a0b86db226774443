import AssistantsAPI

/// A streamed response: every event the server sends, in order, each with the state so far. The stream ends
/// after the response completes, is incomplete or fails, after an `error` event, or, for a cancelled
/// response, when the server closes it.
public typealias ResponseStream = AsyncThrowingStream<ResponseStreamUpdate, any Error>

/// One event of a streamed response, with the snapshot it leads to.
public struct ResponseStreamUpdate: Sendable {
    public var event: ResponseStreamEvent
    /// Everything the stream has told so far, this event included.
    public var snapshot: ResponseSnapshot
}

/// The state of a streamed response as its events have told it: the response from its lifecycle events,
/// and its output items built up from the item, part and delta events, as the `openai` package's
/// accumulator builds them.
public struct ResponseSnapshot: Sendable, Equatable {
    /// The response as its latest lifecycle event (`response.created`, `.in_progress`, `.completed`, ...)
    /// showed it.
    public private(set) var response: ModelResponse?
    /// The output items by `output_index`, with the deltas so far merged in. Once the response has ended,
    /// the final response's output.
    public private(set) var output: [ResponseItem] = []
    /// The `error` event, if the server sent one.
    public private(set) var error: ErrorEnvelope.Body?
    /// The sequence number of the latest event: where a resumed stream starts after.
    public private(set) var lastSequenceNumber: Int?

    public init() {}

    /// The text of every `output_text` part so far, joined.
    public var outputText: String { output.outputText }

    /// Takes in one event.
    mutating func apply(_ event: ResponseStreamEvent) {
        lastSequenceNumber = event.sequenceNumber
        switch event.kind {
        case .response(let lifecycle, let response):
            self.response = response
            if [.completed, .incomplete, .failed].contains(lifecycle) { output = response.output }
        case .outputItemAdded(let index, let item), .outputItemDone(let index, let item):
            if output.indices.contains(index) { output[index] = item } else if index == output.count { output.append(item) }
        case .contentPartAdded(_, let index, let part, let content):
            updateMessage(at: index) { message in
                if part <= message.content.count { message.content.insert(content, at: part) }
            }
        case .contentPartDone(_, let index, let part, let content):
            updateMessage(at: index) { message in
                if message.content.indices.contains(part) { message.content[part] = content }
            }
        case .outputTextDelta(_, let index, let part, let delta):
            updateText(at: index, part: part) { $0.text += delta }
        case .outputTextDone(_, let index, let part, let text):
            updateText(at: index, part: part) { $0.text = text }
        case .outputTextAnnotationAdded(_, let index, let part, _, let annotation):
            updateText(at: index, part: part) { $0.annotations.append(annotation) }
        case .refusalDelta(_, let index, let part, let delta):
            updateMessage(at: index) { message in
                guard message.content.indices.contains(part), case .refusal(let refusal) = message.content[part] else { return }
                message.content[part] = .refusal(refusal + delta)
            }
        case .refusalDone(_, let index, let part, let refusal):
            updateMessage(at: index) { message in
                if message.content.indices.contains(part) { message.content[part] = .refusal(refusal) }
            }
        case .functionCallArgumentsDelta(_, let index, let delta):
            updateFunctionCall(at: index) { $0.arguments += delta }
        case .functionCallArgumentsDone(_, let index, _, let arguments):
            updateFunctionCall(at: index) { $0.arguments = arguments }
        case .codeInterpreterCodeDelta(_, let index, let delta):
            updateCode(at: index) { $0.code = ($0.code ?? "") + delta }
        case .codeInterpreterCodeDone(_, let index, let code):
            updateCode(at: index) { $0.code = code }
        case .fileSearchCall, .codeInterpreterCall:
            break  // Phases only; the item itself comes with `output_item.done`.
        case .error(let code, let message, let param):
            error = ErrorEnvelope.Body(message: message, type: "server_error", param: param, code: code)
        }
    }

    private mutating func updateMessage(at index: Int, _ change: (inout ResponseMessage) -> Void) {
        guard output.indices.contains(index), case .message(var message) = output[index] else { return }
        change(&message)
        output[index] = .message(message)
    }

    private mutating func updateText(at index: Int, part: Int, _ change: (inout OutputText) -> Void) {
        updateMessage(at: index) { message in
            guard message.content.indices.contains(part), case .outputText(var text) = message.content[part] else { return }
            change(&text)
            message.content[part] = .outputText(text)
        }
    }

    private mutating func updateFunctionCall(at index: Int, _ change: (inout FunctionCallItem) -> Void) {
        guard output.indices.contains(index), case .functionCall(var call) = output[index] else { return }
        change(&call)
        output[index] = .functionCall(call)
    }

    private mutating func updateCode(at index: Int, _ change: (inout CodeInterpreterCallItem) -> Void) {
        guard output.indices.contains(index), case .codeInterpreterCall(var call) = output[index] else { return }
        change(&call)
        output[index] = .codeInterpreterCall(call)
    }
}

/// A response's events, up to the one that ends its stream.
struct ResponseEventReader: EventReader {
    var snapshot = ResponseSnapshot()
    /// Events numbered up to it build the snapshot without an update of their own: a resumed stream's.
    var startingAfter: Int?

    /// A cancelled response's stream ends without an event of its own.
    var earlyEnd: AssistantsClientError? { nil }

    mutating func read(_ frame: ServerSentEvents.Event) throws -> (update: ResponseStreamUpdate?, isLast: Bool) {
        let event: ResponseStreamEvent?
        do {
            event = try ResponseStreamEvent(data: frame.data)
        } catch {
            throw AssistantsClientError.invalidResponse(detail: "event \(frame.name): \(error)")
        }
        guard let event else { return (nil, false) }
        snapshot.apply(event)
        let isNew = event.sequenceNumber > startingAfter ?? -1
        return (isNew ? ResponseStreamUpdate(event: event, snapshot: snapshot) : nil, event.endsStream)
    }
}

extension ResponseStreamUpdate: SnapshotUpdate {
    public static var emptySnapshot: ResponseSnapshot { ResponseSnapshot() }
}
