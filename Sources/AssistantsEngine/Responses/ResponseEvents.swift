import AssistantsAPI
import AssistantsStore

/// The stream of a response, read from the events of its backing run: each Assistants event becomes the
/// Responses events that say the same thing, numbered from 0, in the order the `openai` package's
/// accumulator expects (`response.created`, `response.in_progress`, then per output item `added`, its
/// parts and deltas, `done`, and last `response.completed`, `.incomplete` or `.failed` with the whole
/// response). A cancelled response's stream ends without an event.
///
/// Translating where the stream is read keeps one event bus and one engine for both APIs: the run
/// publishes what it always publishes, and the numbering needs no agreement between nodes. It is the one
/// place that numbers a response's events: the numbers follow from the run's events in the one order the
/// bus gives every subscriber, so a client resuming a background response's stream, which translates
/// the run's kept events from its first (`RunEventBus.replay`), sees every event under the number the
/// creating client saw.
public struct ResponseEvents: Sendable {
    /// What a run event comes to.
    public enum Output: Sendable, Equatable {
        case event(ResponseStreamEvent)
        /// The run ended with `run`: the caller sends the response's terminal event, with its output read
        /// from the store (`ended(_:)`), or, for a cancelled response, nothing.
        case runEnded(Run)
    }

    private struct Call {
        var outputIndex: Int
        var itemID: String
        var callID: String
        var name: String
        var arguments: String
        var done = false
    }

    private var response: StoredResponse
    private var nextSequence = 0
    private var nextOutputIndex = 0
    /// Output index, text so far and annotations sent, by message id.
    private var messages: [String: (outputIndex: Int, text: String, annotations: Int)] = [:]
    /// Function calls by run step id and their index in the step.
    private var calls: [String: [Int: Call]] = [:]
    /// Searches by run step id and index in the step: output index, item id, and whether it is done.
    private var searches: [String: [Int: (outputIndex: Int, itemID: String, done: Bool)]] = [:]
    /// Code runs by run step id and index in the step: output index, item id, code so far, whether done.
    private var codes: [String: [Int: (outputIndex: Int, itemID: String, code: String, done: Bool)]] = [:]
    private var created = false

    public init(_ response: StoredResponse) {
        self.response = response
    }

    public mutating func translate(_ event: AssistantStreamEvent) -> [Output] {
        switch event {
        case .runCreated(let run):
            response.run = run
            guard !created else { return [] }
            // A background response waits for a worker where clients can see it.
            return response.record.response.background ? [lifecycle(.created), lifecycle(.queued)] : [lifecycle(.created)]
        case .run(let run):
            response.run = run
            if run.status.isTerminal { return [.runEnded(run)] }
            var out: [Output] = created ? [] : [lifecycle(.created)]
            if run.status == .inProgress { out.append(lifecycle(.inProgress)) }
            return out
        case .messageCreated(let message):
            let index = takeOutputIndex()
            messages[message.id] = (index, "", 0)
            var item = ResponseMessage(message)
            item.content = []
            return [
                emit(.outputItemAdded(outputIndex: index, item: .message(item))),
                emit(.contentPartAdded(itemID: message.id, outputIndex: index, contentIndex: 0, part: .outputText(OutputText(text: "")))),
            ]
        case .messageDelta(let delta):
            guard var state = messages[delta.id] else { return [] }
            var out: [Output] = []
            for part in delta.content {
                guard case .text(let value, let annotations) = part.kind else { continue }
                if !value.isEmpty {
                    state.text += value
                    out.append(emit(.outputTextDelta(itemID: delta.id, outputIndex: state.outputIndex, contentIndex: 0, delta: value)))
                }
                for annotation in annotations {
                    out.append(emit(.outputTextAnnotationAdded(
                        itemID: delta.id, outputIndex: state.outputIndex, contentIndex: 0, annotationIndex: state.annotations,
                        annotation: ResponseAnnotation(inContainer(annotation.value)))))
                    state.annotations += 1
                }
            }
            messages[delta.id] = state
            return out
        case .message(let message):
            guard message.status != .inProgress, let state = messages.removeValue(forKey: message.id) else { return [] }
            var placed = message
            placed.content = message.content.map { part in
                guard case .text(var text) = part else { return part }
                text.annotations = text.annotations.map(inContainer)
                return .text(text)
            }
            let item = ResponseMessage(placed)
            let part = item.content.first(where: { if case .outputText = $0 { true } else { false } }) ?? .outputText(OutputText(text: state.text))
            let text = if case .outputText(let output) = part { output.text } else { state.text }
            return [
                emit(.outputTextDone(itemID: message.id, outputIndex: state.outputIndex, contentIndex: 0, text: text)),
                emit(.contentPartDone(itemID: message.id, outputIndex: state.outputIndex, contentIndex: 0, part: part)),
                emit(.outputItemDone(outputIndex: state.outputIndex, item: .message(item))),
            ]
        case .stepDelta(let delta):
            var out: [Output] = []
            for call in delta.toolCalls {
                if case .codeInterpreter(let input, _) = call.kind {
                    out += codeDelta(stepID: delta.id, index: call.index, callID: call.id, input: input ?? "")
                    continue
                }
                if case .fileSearch = call.kind, searches[delta.id]?[call.index] == nil, let callID = call.id {
                    out += startSearch(stepID: delta.id, index: call.index, callID: callID)
                    continue
                }
                guard case .function(let name, let arguments, _) = call.kind else { continue }
                if calls[delta.id]?[call.index] == nil {
                    guard let callID = call.id else { continue }
                    out += startCall(stepID: delta.id, index: call.index, callID: callID, name: name ?? "")
                }
                guard var state = calls[delta.id]?[call.index] else { continue }
                if let arguments, !arguments.isEmpty {
                    state.arguments += arguments
                    out.append(emit(.functionCallArgumentsDelta(itemID: state.itemID, outputIndex: state.outputIndex, delta: arguments)))
                }
                calls[delta.id]?[call.index] = state
            }
            return out
        case .step(let step):
            guard step.status != .inProgress, case .toolCalls(let toolCalls) = step.details else { return [] }
            var out: [Output] = []
            for (index, call) in toolCalls.enumerated() {
                if case .fileSearch(let search) = call.kind {
                    out += endSearch(stepID: step.id, index: index, call: call, search)
                    continue
                }
                if case .codeInterpreter(let code) = call.kind {
                    out += endCode(stepID: step.id, index: index, call: call, code)
                    continue
                }
                guard case .function(let name, let arguments, _) = call.kind else { continue }
                if calls[step.id]?[index] == nil { out += startCall(stepID: step.id, index: index, callID: call.id, name: name) }
                guard var state = calls[step.id]?[index], !state.done else { continue }
                state.done = true
                calls[step.id]?[index] = state
                out.append(emit(.functionCallArgumentsDone(itemID: state.itemID, outputIndex: state.outputIndex, name: name, arguments: arguments)))
                let item = FunctionCallItem(id: state.itemID, callID: call.id, name: name, arguments: arguments, status: .completed)
                out.append(emit(.outputItemDone(outputIndex: state.outputIndex, item: .functionCall(item))))
            }
            return out
        case .error(let body):
            return [emit(.error(code: body.code, message: body.message, param: body.param))]
        case .threadCreated, .stepCreated, .done:
            return []
        }
    }

    /// A file path in a response's answer names a file its code wrote in its container. Events that came
    /// from another node lose the container (it is not part of the wire message): it is the response's.
    private func inContainer(_ annotation: Annotation) -> Annotation {
        guard annotation.kind == .filePath, annotation.containerID == nil, let containerID = response.record.response.containerID else {
            return annotation
        }
        var annotation = annotation
        annotation.containerID = containerID
        return annotation
    }

    /// The terminal event of the response, once its run has ended: nil for a cancelled response.
    public mutating func ended(_ response: ModelResponse) -> ResponseStreamEvent? {
        let lifecycle: ResponseStreamEvent.Lifecycle
        switch response.status {
        case .completed: lifecycle = .completed
        case .incomplete: lifecycle = .incomplete
        case .failed: lifecycle = .failed
        case .cancelled, .queued, .inProgress: return nil
        }
        return next(.response(lifecycle, response))
    }

    /// A search the model asked for: its item, in progress, with no query yet.
    private mutating func startSearch(stepID: String, index: Int, callID: String) -> [Output] {
        let search = (outputIndex: takeOutputIndex(), itemID: ToolCallItemID.fileSearchCall(callID), done: false)
        searches[stepID, default: [:]][index] = search
        let item = FileSearchCallItem(id: search.itemID, status: .inProgress, queries: [])
        return [
            emit(.outputItemAdded(outputIndex: search.outputIndex, item: .fileSearchCall(item))),
            emit(.fileSearchCall(.inProgress, itemID: search.itemID, outputIndex: search.outputIndex)),
        ]
    }

    /// A search that ran: its phases, then its item with the query and, if asked for, the results.
    private mutating func endSearch(stepID: String, index: Int, call: ToolCall, _ search: FileSearchCall) -> [Output] {
        var out: [Output] = []
        if searches[stepID]?[index] == nil { out += startSearch(stepID: stepID, index: index, callID: call.id) }
        guard let started = searches[stepID]?[index], !started.done else { return out }
        searches[stepID]?[index]?.done = true
        let item = ResponseItem.fileSearchCall(call.fileSearchItem(search)).shown(include: response.record.response.include)
        return out + [
            emit(.fileSearchCall(.searching, itemID: started.itemID, outputIndex: started.outputIndex)),
            emit(.fileSearchCall(.completed, itemID: started.itemID, outputIndex: started.outputIndex)),
            emit(.outputItemDone(outputIndex: started.outputIndex, item: item)),
        ]
    }

    /// Code the model is writing: its item when it starts, then the code as it comes.
    private mutating func codeDelta(stepID: String, index: Int, callID: String?, input: String) -> [Output] {
        var out: [Output] = []
        if codes[stepID]?[index] == nil {
            guard let callID else { return [] }
            out += startCode(stepID: stepID, index: index, callID: callID)
        }
        guard var state = codes[stepID]?[index], !state.done, !input.isEmpty else { return out }
        state.code += input
        codes[stepID]?[index] = state
        return out + [emit(.codeInterpreterCodeDelta(itemID: state.itemID, outputIndex: state.outputIndex, delta: input))]
    }

    private mutating func startCode(stepID: String, index: Int, callID: String) -> [Output] {
        let state = (outputIndex: takeOutputIndex(), itemID: ToolCallItemID.codeInterpreterCall(callID), code: "", done: false)
        codes[stepID, default: [:]][index] = state
        let item = CodeInterpreterCallItem(
            id: state.itemID, status: .inProgress, containerID: response.record.response.containerID ?? "", code: "")
        return [
            emit(.outputItemAdded(outputIndex: state.outputIndex, item: .codeInterpreterCall(item))),
            emit(.codeInterpreterCall(.inProgress, itemID: state.itemID, outputIndex: state.outputIndex)),
        ]
    }

    /// Code that ran: the whole code, its phases, then its item with the outputs if they were asked for.
    private mutating func endCode(stepID: String, index: Int, call: ToolCall, _ code: CodeInterpreterCall) -> [Output] {
        var out: [Output] = []
        if codes[stepID]?[index] == nil { out += startCode(stepID: stepID, index: index, callID: call.id) }
        guard let started = codes[stepID]?[index], !started.done else { return out }
        codes[stepID]?[index]?.done = true
        let containerID = call.transcript?.containerID ?? response.record.response.containerID ?? ""
        let item = ResponseItem.codeInterpreterCall(call.codeInterpreterItem(code, containerID: containerID))
            .shown(include: response.record.response.include)
        return out + [
            emit(.codeInterpreterCodeDone(itemID: started.itemID, outputIndex: started.outputIndex, code: code.input)),
            emit(.codeInterpreterCall(.interpreting, itemID: started.itemID, outputIndex: started.outputIndex)),
            emit(.codeInterpreterCall(.completed, itemID: started.itemID, outputIndex: started.outputIndex)),
            emit(.outputItemDone(outputIndex: started.outputIndex, item: item)),
        ]
    }

    private mutating func startCall(stepID: String, index: Int, callID: String, name: String) -> [Output] {
        let state = Call(
            outputIndex: takeOutputIndex(), itemID: ToolCallItemID.functionCall(callID), callID: callID, name: name, arguments: "")
        calls[stepID, default: [:]][index] = state
        let item = FunctionCallItem(id: state.itemID, callID: callID, name: name, arguments: "", status: .inProgress)
        return [emit(.outputItemAdded(outputIndex: state.outputIndex, item: .functionCall(item)))]
    }

    private mutating func takeOutputIndex() -> Int {
        defer { nextOutputIndex += 1 }
        return nextOutputIndex
    }

    /// `response.created` or `response.in_progress`, with the response as it stands.
    private mutating func lifecycle(_ lifecycle: ResponseStreamEvent.Lifecycle) -> Output {
        created = true
        var snapshot = ResponseOutput.response(response, output: [])
        // A response the client waits on is in progress from the start, as OpenAI reports it.
        if snapshot.status == .queued && !snapshot.background { snapshot.status = .inProgress }
        return emit(.response(lifecycle, snapshot))
    }

    private mutating func emit(_ kind: ResponseStreamEvent.Kind) -> Output {
        .event(next(kind))
    }

    private mutating func next(_ kind: ResponseStreamEvent.Kind) -> ResponseStreamEvent {
        defer { nextSequence += 1 }
        return ResponseStreamEvent(kind, sequenceNumber: nextSequence)
    }
}
