import AssistantsAPI

/// The state of a streamed run as its events have told it: full objects from `created` and status events,
/// with the `delta` events merged in the way OpenAI's SDKs merge them.
public struct RunSnapshot: Sendable {
    /// The thread, when the stream created it (`createThreadAndRunStream`).
    public private(set) var thread: AssistantThread?
    /// The run as its latest event showed it.
    public private(set) var run: Run?
    /// Messages in the order they were created.
    public private(set) var messages: [Message] = []
    /// Steps in the order they were created.
    public private(set) var steps: [RunStep] = []
    /// The `error` event, if the server sent one.
    public private(set) var error: ErrorEnvelope.Body?

    public init() {}

    public func message(id: String) -> Message? { messages.first { $0.id == id } }

    public func step(id: String) -> RunStep? { steps.first { $0.id == id } }

    /// Takes in one event; returns what it changed in the text and the tool calls.
    mutating func apply(_ event: AssistantStreamEvent) -> [StreamChange] {
        switch event {
        case .threadCreated(let thread):
            self.thread = thread
        case .runCreated(let run), .run(let run):
            self.run = run
        case .stepCreated(let step):
            steps.upsert(step, id: \.id)
        case .step(let step):
            steps.upsert(step, id: \.id)
            if step.status != .inProgress { return [.stepDone(step)] }
        case .stepDelta(let delta):
            return merge(delta)
        case .messageCreated(let message):
            messages.upsert(message, id: \.id)
        case .message(let message):
            messages.upsert(message, id: \.id)
            if message.status != .inProgress { return [.messageDone(message)] }
        case .messageDelta(let delta):
            return merge(delta)
        case .error(let error):
            self.error = error
        case .done:
            break
        }
        return []
    }

    private mutating func merge(_ delta: MessageDelta) -> [StreamChange] {
        guard let position = messages.firstIndex(where: { $0.id == delta.id }) else { return [] }
        var changes: [StreamChange] = []
        for part in delta.content {
            var content = messages[position].content
            if part.index >= content.count, case .text = part.kind {
                changes.append(.textCreated(messageID: delta.id, index: content.count))
            }
            content.merge(part)
            if case .text(let value, _) = part.kind, !value.isEmpty, case .text(let text) = content[min(part.index, content.count - 1)] {
                changes.append(.textDelta(value, snapshot: text))
            }
            messages[position].content = content
        }
        return changes
    }

    private mutating func merge(_ delta: RunStepDelta) -> [StreamChange] {
        guard let position = steps.firstIndex(where: { $0.id == delta.id }),
              case .toolCalls(var calls) = steps[position].details else { return [] }
        var changes: [StreamChange] = []
        for fragment in delta.toolCalls {
            if fragment.index < calls.count {
                calls[fragment.index].merge(fragment)
                changes.append(.toolCallDelta(fragment, snapshot: calls[fragment.index]))
            } else {
                let call = ToolCall(started: fragment)
                calls.append(call)
                changes.append(.toolCallCreated(call))
                if fragment.carriesContent { changes.append(.toolCallDelta(fragment, snapshot: call)) }
            }
        }
        steps[position].details = .toolCalls(calls)
        return changes
    }
}

extension Array {
    /// Replaces the element with the same id, or appends it.
    mutating func upsert(_ element: Element, id: KeyPath<Element, String>) {
        if let index = firstIndex(where: { $0[keyPath: id] == element[keyPath: id] }) { self[index] = element } else { append(element) }
    }
}

extension [MessageContent] {
    /// Appends text to the part at the delta's index, or adds the part.
    mutating func merge(_ delta: MessageContentDelta) {
        switch delta.kind {
        case .text(let value, let annotations):
            if delta.index < count, case .text(var text) = self[delta.index] {
                text.value += value
                text.annotations += annotations.map(\.value)
                self[delta.index] = .text(text)
            } else {
                append(.text(MessageText(value: value, annotations: annotations.map(\.value))))
            }
        case .imageFile(let image):
            if delta.index < count { self[delta.index] = .imageFile(image) } else { append(.imageFile(image)) }
        }
    }
}

extension ToolCall {
    /// A call as its first fragment describes it.
    init(started fragment: ToolCallDelta) {
        self.init(id: fragment.id ?? "", kind: .fileSearch(FileSearchCall()))
        switch fragment.kind {
        case .function(let name, let arguments, let output):
            kind = .function(name: name ?? "", arguments: arguments ?? "", output: output ?? nil)
        case .codeInterpreter(let input, let outputs):
            kind = .codeInterpreter(CodeInterpreterCall(input: input ?? "", outputs: outputs?.map(\.value) ?? []))
        case .fileSearch:
            break
        }
    }

    /// Appends a later fragment: arguments and code input grow, outputs are set by their index.
    mutating func merge(_ fragment: ToolCallDelta) {
        switch (kind, fragment.kind) {
        case (.function(let name, let arguments, let output), .function(let newName, let more, let newOutput)):
            kind = .function(name: newName ?? name, arguments: arguments + (more ?? ""), output: newOutput ?? output)
        case (.codeInterpreter(var call), .codeInterpreter(let input, let outputs)):
            call.input += input ?? ""
            for output in outputs ?? [] {
                if output.index < call.outputs.count { call.outputs[output.index] = output.value } else { call.outputs.append(output.value) }
            }
            kind = .codeInterpreter(call)
        default:
            break
        }
    }
}

extension ToolCallDelta {
    /// Whether a first fragment already holds arguments, code or outputs, which printers show as a delta.
    var carriesContent: Bool {
        switch kind {
        case .function(_, let arguments, _): !(arguments ?? "").isEmpty
        case .codeInterpreter(let input, let outputs): !(input ?? "").isEmpty || !(outputs ?? []).isEmpty
        case .fileSearch: false
        }
    }
}
