import AssistantsAPI

/// A request the fake received: its JSON body and its Authorization header.
public struct RecordedRequest: Sendable, Equatable {
    public var body: JSONValue
    public var authorization: String?
}

/// The queue of scripted replies and everything received, shared by all connections.
final class ReplyScript: Sendable {
    private struct Queued {
        var reply: FakeReply
        /// nil: serves forever.
        var remaining: Int?
    }

    private struct State {
        var queue: [Queued] = []
        var chatRequests: [RecordedRequest] = []
        var embeddingRequests: [RecordedRequest] = []
    }

    private let state = Locked(State())

    func enqueue(_ replies: [FakeReply]) {
        let queued = replies.map { Queued(reply: $0, remaining: $0.repeat == 0 ? nil : max($0.repeat ?? 1, 1)) }
        state.withLock { $0.queue.append(contentsOf: queued) }
    }

    /// Records a chat-completions request and takes the reply for it; nil means the queue is empty.
    /// One lock for both, so concurrent requests are recorded in the order they consume the queue.
    func takeReply(for request: RecordedRequest) -> FakeReply? {
        state.withLock { state in
            state.chatRequests.append(request)
            guard let first = state.queue.first else { return nil }
            if let remaining = first.remaining {
                if remaining <= 1 { state.queue.removeFirst() } else { state.queue[0].remaining = remaining - 1 }
            }
            return first.reply
        }
    }

    func recordEmbedding(_ request: RecordedRequest) {
        state.withLock { $0.embeddingRequests.append(request) }
    }

    var chatRequests: [RecordedRequest] { state.withLock { $0.chatRequests } }
    var embeddingRequests: [RecordedRequest] { state.withLock { $0.embeddingRequests } }

    func reset() { state.withLock { $0 = State() } }
}
