import AssistantsAPI

/// A streamed run: every event the server sends, in order, each with what it changed and the state so far.
/// The stream ends after the run completes, fails, or stops to wait for tool outputs.
public typealias RunStream = AsyncThrowingStream<RunStreamEvent, any Error>

/// One server-sent event of a run, with the snapshot it leads to.
public struct RunStreamEvent: Sendable {
    /// The event as the server sent it.
    public var event: AssistantStreamEvent
    /// What the event added to the messages' text and the tool calls, as printers want it.
    public var changes: [StreamChange]
    /// Everything the stream has told so far, this event included.
    public var snapshot: RunSnapshot
}

/// A change to the text or the tool calls of a streamed run, merged from the server's deltas.
public enum StreamChange: Sendable, Equatable {
    /// A message started a new text part at `index` of its content.
    case textCreated(messageID: String, index: Int)
    /// Text appended to a message, and the whole text part so far.
    case textDelta(String, snapshot: MessageText)
    /// The model started a tool call; the snapshot holds its first fragment.
    case toolCallCreated(ToolCall)
    /// A fragment of a tool call (arguments, code input, outputs), and the whole call so far.
    case toolCallDelta(ToolCallDelta, snapshot: ToolCall)
    /// A message is complete (or incomplete): its final content.
    case messageDone(Message)
    /// A step finished, whatever its outcome: tool calls carry their outputs here.
    case stepDone(RunStep)
}

/// A streamed update that carries the state of everything streamed so far.
public protocol SnapshotUpdate: Sendable {
    associatedtype Snapshot: Sendable
    /// The state before any event.
    static var emptySnapshot: Snapshot { get }
    var snapshot: Snapshot { get }
}

extension RunStreamEvent: SnapshotUpdate {
    public static var emptySnapshot: RunSnapshot { RunSnapshot() }
}

extension AsyncThrowingStream where Element: SnapshotUpdate, Failure == any Error {
    /// Reads the stream to its end and returns the final snapshot.
    public func untilDone() async throws -> Element.Snapshot {
        var last = Element.emptySnapshot
        for try await update in self { last = update.snapshot }
        try Task.checkCancellation()
        return last
    }
}
