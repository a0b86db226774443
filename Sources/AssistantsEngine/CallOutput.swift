import AssistantsAPI
import AssistantsStore

/// What one model call has produced so far: the message it writes and its step, its tool calls and
/// their step, its usage and finish reason. Streaming clients are told of each part as it comes.
struct CallOutput {
    let run: Run
    var message: Message?
    var messageStep: RunStep?
    var streamed: StreamedText
    var toolStep: RunStep?
    var assembler = ToolCallAssembler()
    var pendingFunctionCalls: [RequiredToolCall] = []
    var usage: Usage?
    var finishReason: String?
    let clock: any WallClock

    /// `produced`: what the run's earlier steps produced, which this call's text may cite.
    init(run: Run, produced: ProducedOutputs, clock: any WallClock) {
        self.run = run
        self.clock = clock
        streamed = StreamedText(produced: produced)
    }

    var text: String { streamed.text }

    var estimatedCompletionTokens: Int {
        ChatTokens.tokens(in: text) + assembler.ordered.reduce(0) { $0 + ChatTokens.tokens(in: $1.arguments) }
    }

    /// Text starts the message (and its step) on its first fragment, then streams as deltas.
    mutating func appendText(_ fragment: String, store: any AssistantsStore, hub: any RunEventBus) async throws {
        if message == nil {
            let now = clock.now()
            let message = Message(
                id: ObjectKind.message.newID(), createdAt: now, threadID: run.threadID, status: .inProgress, role: .assistant,
                content: [], assistantID: run.assistantID, runID: run.id)
            let step = RunStep(
                id: ObjectKind.step.newID(), createdAt: now, assistantID: run.assistantID, threadID: run.threadID, runID: run.id,
                details: .messageCreation(messageID: message.id))
            try await store.saveRunProgress(messages: [message], steps: [step])
            hub.publish(.stepCreated(step), runID: run.id)
            hub.publish(.step(step), runID: run.id)
            hub.publish(.messageCreated(message), runID: run.id)
            hub.publish(.message(message), runID: run.id)
            self.message = message
            messageStep = step
        }
        publish(streamed.append(fragment), hub: hub)
    }

    /// Tool calls start the tool step on their first fragment; each fragment streams as a step delta.
    mutating func appendToolCall(
        index: Int, id: String?, name: String?, arguments: String?, store: any AssistantsStore, hub: any RunEventBus
    ) async throws {
        if toolStep == nil {
            let step = RunStep(
                id: ObjectKind.step.newID(), createdAt: clock.now(), assistantID: run.assistantID, threadID: run.threadID,
                runID: run.id, details: .toolCalls([]))
            try await store.saveRunProgress(messages: [], steps: [step])
            hub.publish(.stepCreated(step), runID: run.id)
            hub.publish(.step(step), runID: run.id)
            toolStep = step
        }
        if let delta = assembler.add(index: index, id: id, name: name, arguments: arguments) {
            hub.publish(.stepDelta(RunStepDelta(id: toolStep!.id, toolCalls: [delta])), runID: run.id)
        }
    }

    /// The call broke off: what was streamed of the message is sent and kept in it, still in progress,
    /// for whoever ends the run to close (`incomplete`, with the run's reason).
    mutating func keepPartialMessage(store: any AssistantsStore, hub: any RunEventBus) async throws {
        guard var message else { return }
        publish(streamed.flush(), hub: hub)
        message.content = [.text(MessageText(value: text, annotations: streamed.annotations))]
        try await store.saveRunProgress(messages: [message], steps: [])
        self.message = message
    }

    /// The message with its full text, completed (or incomplete when the model hit its token limit), and
    /// its step completed with the call's usage. What the run's tools produced is attached: annotations
    /// for the files the text cites and the images drawn; those not streamed with the text yet (file
    /// paths, images) go to streaming clients as a last delta.
    mutating func finishMessage(truncated: Bool, usage: Usage, hub: any RunEventBus) -> [Message] {
        guard var message, var step = messageStep else { return [] }
        publish(streamed.flush(), hub: hub)
        let now = clock.now()
        let sent = streamed.annotations
        let rest = streamed.produced.annotations(in: text).filter { annotation in
            !sent.contains { $0.kind == annotation.kind && $0.startIndex == annotation.startIndex }
        }
        // A response shows figures in its code_interpreter_call outputs; its message holds only text.
        let images = run.responseID == nil ? streamed.produced.images : []
        message.content = [.text(MessageText(value: text, annotations: sent + rest))] + images.map { .imageFile(ImageFile(fileID: $0)) }
        if !rest.isEmpty || !images.isEmpty {
            let indexed = rest.enumerated().map { Indexed(index: sent.count + $0.offset, value: $0.element) }
            let imageParts = images.enumerated().map { MessageContentDelta(index: $0.offset + 1, kind: .imageFile(ImageFile(fileID: $0.element))) }
            let parts = [MessageContentDelta(index: 0, kind: .text(value: "", annotations: indexed))] + imageParts
            hub.publish(.messageDelta(MessageDelta(id: message.id, content: parts)), runID: run.id)
        }
        if truncated {
            message.status = .incomplete
            message.incompleteAt = now
            message.incompleteDetails = .init(reason: "max_tokens")
        } else {
            message.status = .completed
            message.completedAt = now
        }
        step.status = .completed
        step.completedAt = now
        step.usage = usage
        self.message = message
        messageStep = step
        return [message]
    }

    private func publish(_ parts: [MessageContentDelta], hub: any RunEventBus) {
        guard let message else { return }
        for part in parts { hub.publish(.messageDelta(MessageDelta(id: message.id, content: [part])), runID: run.id) }
    }
}

/// The text of a message as it streams, cut into the deltas clients receive. A citation marker
/// (`【0:1†notes.md】`) is held back until it is complete, then sent as one delta whose value is the marker
/// with its `file_citation`, as OpenAI sends them: clients that read annotations only from deltas that
/// carry text see every citation.
struct StreamedText {
    let produced: ProducedOutputs
    private(set) var text = ""
    /// The annotations sent so far, in the order of their delta indices.
    private(set) var annotations: [Annotation] = []
    /// The end of the text relayed so far, and its length in Unicode scalars (annotation offsets).
    private var relayed: String.Index
    private var relayedScalars = 0

    /// A marker still open after this many scalars is no marker: it is relayed as plain text.
    static let longestMarker = 320

    init(produced: ProducedOutputs) {
        self.produced = produced
        relayed = text.startIndex
    }

    /// The deltas `fragment` completes.
    mutating func append(_ fragment: String) -> [MessageContentDelta] {
        text += fragment
        return relay(final: false)
    }

    /// The deltas of whatever is held back: the text has ended.
    mutating func flush() -> [MessageContentDelta] {
        relay(final: true)
    }

    private mutating func relay(final: Bool) -> [MessageContentDelta] {
        var deltas: [MessageContentDelta] = []
        while relayed < text.endIndex {
            let rest = text[relayed...]
            guard let open = rest.firstIndex(of: "【") else {
                deltas.append(send(upTo: text.endIndex))
                break
            }
            if open > relayed {
                deltas.append(send(upTo: open))
                continue
            }
            let afterOpen = text.index(after: open)
            let nextOpen = text[afterOpen...].firstIndex(of: "【")
            if let close = text[afterOpen...].firstIndex(of: "】"), nextOpen.map({ close < $0 }) ?? true {
                deltas.append(send(upTo: text.index(after: close), citing: true))
            } else if let nextOpen {
                deltas.append(send(upTo: nextOpen))
            } else if final || rest.unicodeScalars.count > Self.longestMarker {
                deltas.append(send(upTo: text.endIndex))
            } else {
                break
            }
        }
        return deltas
    }

    /// The text up to `end` as one delta; a complete marker that cites a search result carries its annotation.
    private mutating func send(upTo end: String.Index, citing: Bool = false) -> MessageContentDelta {
        let piece = String(text[relayed..<end])
        let length = piece.unicodeScalars.count
        var indexed: [Indexed<Annotation>] = []
        if citing, var citation = produced.citations(in: piece).first {
            citation.startIndex += relayedScalars
            citation.endIndex += relayedScalars
            indexed = [Indexed(index: annotations.count, value: citation)]
            annotations.append(citation)
        }
        relayed = end
        relayedScalars += length
        return MessageContentDelta(index: 0, kind: .text(value: piece, annotations: indexed))
    }
}
