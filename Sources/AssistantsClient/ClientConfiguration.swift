/// How an `AssistantsClient` retries, times out and polls.
public struct ClientConfiguration: Sendable {
    /// Retries after the first attempt, for 408, 409, 429, 5xx and connection failures.
    public var maxRetries: Int
    /// The first retry waits this long (doubling each time, with jitter) unless the server says otherwise.
    public var initialBackoff: Duration
    /// No wait between retries is longer, whatever `retry-after` asks.
    public var maxBackoff: Duration
    /// How long a request may take until its response starts; streamed bodies may then take as long as they need.
    public var timeout: Duration
    /// How often polling helpers ask when the server sends no `openai-poll-after-ms`.
    public var pollInterval: Duration

    public init(
        maxRetries: Int = 2, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(60),
        timeout: Duration = .seconds(600), pollInterval: Duration = .seconds(1)
    ) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
        self.pollInterval = pollInterval
    }
}
