import Hummingbird
import Logging

/// A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.
///
/// `requests()` lists chat-completions requests only; embeddings requests are in `embeddingRequests()`.
public final class FakeModelServer: Sendable {
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    private let script: ReplyScript
    private let task: Task<Void, Never>

    private init(port: Int, script: ReplyScript, task: Task<Void, Never>) {
        self.port = port
        self.script = script
        self.task = task
    }

    /// Starts on 127.0.0.1 (port 0: one the OS picks) and returns once it accepts connections.
    /// `modelOwner` is what `GET /v1/models` gives as `owned_by`: "llamacpp" passes for llama.cpp's server.
    public static func start(port: Int = 0, modelOwner: String = "fake-model") async throws -> FakeModelServer {
        let script = ReplyScript()
        let (ports, listening) = AsyncThrowingStream.makeStream(of: Int.self)
        // `stop()` cancels the server, which Hummingbird logs as errors: only critical ones are worth showing here.
        let app = makeApplication(script: script, port: port, modelOwner: modelOwner, logLevel: .critical) { listening.yield($0) }
        let task = Task {
            do {
                try await app.run()
                listening.finish()
            } catch {
                listening.finish(throwing: error)
            }
        }
        for try await boundPort in ports {
            return FakeModelServer(port: boundPort, script: script, task: task)
        }
        // Only cancellation ends the stream without a port or an error; don't leave the server behind.
        task.cancel()
        throw CancellationError()
    }

    /// Runs a server until SIGINT or SIGTERM; `onListening` gets the bound port. For the `fake-model` executable.
    public static func run(port: Int, modelOwner: String = "fake-model", onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await makeApplication(script: ReplyScript(), port: port, modelOwner: modelOwner, logLevel: .warning, onListening: onListening)
            .runService()
    }

    private static func makeApplication(
        script: ReplyScript, port: Int, modelOwner: String, logLevel: Logger.Level, onListening: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        // Logs go to stderr: the executable's stdout carries just its "listening" line.
        var logger = Logger(label: "fake-model", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = logLevel
        return Application(
            router: buildRouter(script: script, modelOwner: modelOwner),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-model"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Appends replies to the queue; each chat-completions request takes the first one.
    public func enqueue(_ replies: FakeReply...) { script.enqueue(replies) }

    /// Every `/v1/chat/completions` request received, in order.
    public func requests() -> [RecordedRequest] { script.chatRequests }

    /// Every `/v1/embeddings` request received, in order.
    public func embeddingRequests() -> [RecordedRequest] { script.embeddingRequests }

    /// Clears the queue and the recorded requests.
    public func reset() { script.reset() }

    /// Stops at once: cancellation closes open connections, even a stream still sleeping between chunks.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
