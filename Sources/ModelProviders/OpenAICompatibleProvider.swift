import AssistantsAPI
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// How a `tool_choice` naming one function reaches the endpoint.
public enum NamedToolChoice: String, Sendable, CaseIterable {
    /// `required` for endpoints known to read `tool_choice` only as a string (llama.cpp's server), else `object`.
    case auto
    /// OpenAI's `{"type": "function", "function": {"name": ...}}` (OpenAI, vLLM).
    case object
    /// `"required"`, with only the named function offered.
    case required
}

/// Any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, llama.cpp, vLLM, ...), streamed.
/// Failures before the first streamed byte are retried with exponential backoff; a stream that breaks
/// midway is not, since its first part has already been relayed.
public final class OpenAICompatibleProvider: ModelProvider {
    public struct Configuration: Sendable {
        /// e.g. `http://127.0.0.1:11434/v1`.
        public var baseURL: String
        public var apiKey: String?
        /// Model names as runs give them → names the endpoint knows.
        public var modelAliases: [String: String]
        public var connectTimeout: Duration
        /// Longest wait for the next byte of a response.
        public var idleTimeout: Duration
        public var maxRetries: Int
        public var initialBackoff: Duration
        /// How many streams may be open to the endpoint at once: one per executing run.
        public var maxConnections: Int
        /// How a `tool_choice` that names one function is sent.
        public var namedToolChoice: NamedToolChoice

        public init(
            baseURL: String, apiKey: String? = nil, modelAliases: [String: String] = [:], connectTimeout: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(300), maxRetries: Int = 3, initialBackoff: Duration = .milliseconds(500),
            maxConnections: Int = 1024, namedToolChoice: NamedToolChoice = .auto
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.modelAliases = modelAliases
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.maxRetries = maxRetries
            self.initialBackoff = initialBackoff
            self.maxConnections = maxConnections
            self.namedToolChoice = namedToolChoice
        }
    }

    let configuration: Configuration
    let client: HTTPClient
    let logger: Logger
    let metrics: UpstreamMetrics
    /// What `.auto` found the endpoint to accept, once it has been asked.
    private let detectedToolChoice = Mutex<NamedToolChoice?>(nil)

    public init(configuration: Configuration, logger: Logger = Logger(label: "model-provider"), metrics: UpstreamMetrics = .none) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        var client = HTTPClient.Configuration(timeout: .init(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(configuration.idleTimeout.nanoseconds)))
        // The default of 8 connections per host would make the 9th concurrent run wait for a free stream.
        client.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnections
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
    }

    /// Closes the connection pool; call once no stream is in use.
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func streamChat(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.stream(request, into: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func stream(_ request: ChatRequest, into continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation) async throws {
        let model = configuration.modelAliases[request.model] ?? request.model
        let choiceForm = try await namedToolChoiceForm(for: request)
        let body = try ChatWireFormat.body(for: request, model: model, namedToolChoice: choiceForm)
        try await withRetries { try await self.streamOnce(body: body, into: continuation) }
    }

    /// Calls `body` again after a retryable failure, with exponential backoff or as `retry-after` says,
    /// at most `maxRetries` more times. The one retry policy of model and embeddings calls.
    func withRetries<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as ProviderError {
                metrics.failed(error)
                guard error.isRetryable && attempt < configuration.maxRetries && !Task.isCancelled else { throw error }
                let delay = error.retryAfter ?? configuration.initialBackoff * (1 << attempt)
                logger.warning("model endpoint call failed, retrying", metadata: ["attempt": "\(attempt + 1)", "error": "\(error)"])
                attempt += 1
                metrics.retried()
                try await Task.sleep(for: delay)
            }
        }
    }

    /// One request and its stream. A failure before any event is a `connection` error (retried); after
    /// one, `interrupted` (not retried: what was relayed stands). Errors the endpoint reports, in its
    /// HTTP status or inside its stream, are thrown as it gave them.
    private func streamOnce(body: Data, into continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation) async throws {
        let request = makeRequest(path: "/chat/completions", body: body, accept: "text/event-stream")
        let response: HTTPClientResponse
        let sent = ContinuousClock.now
        do {
            response = try await client.execute(request, timeout: .hours(1))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            metrics.answered(status: "error", after: ContinuousClock.now - sent)
            throw ProviderError(.connection, message: "Could not reach the model endpoint: \(error)")
        }
        metrics.answered(status: "\(response.status.code)", after: ContinuousClock.now - sent)

        guard response.status == .ok else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            logger.trace("model endpoint answered", metadata: ["status": "\(response.status.code)", "body": "\(String(decoding: data, as: UTF8.self))"])
            throw ProviderError(
                status: Int(response.status.code),
                message: "The model endpoint answered \(response.status.code): \(ChatWireFormat.errorMessage(from: data))",
                retryAfter: response.headers.retryAfter)
        }

        var parser = ServerSentEvents()
        var streamed = false
        /// True once the stream says it is done.
        func relay(_ frame: ServerSentEvents.Event) throws -> Bool {
            logger.trace("model stream frame", metadata: ["event": "\(frame.name)", "data": "\(String(decoding: frame.data, as: UTF8.self))"])
            if frame.data == Data("[DONE]".utf8) { return true }
            for event in try ChatWireFormat.events(fromFrame: frame) {
                streamed = true
                continuation.yield(event)
            }
            return false
        }
        do {
            for try await buffer in response.body {
                for frame in parser.feed(buffer.readableBytesView) where try relay(frame) { return }
            }
            if let last = parser.finish(), try relay(last) { return }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as ProviderError {
            throw error
        } catch let error as DecodingError {
            throw ProviderError(.server, message: "The model endpoint sent a chunk that is not valid JSON: \(error)")
        } catch {
            throw ProviderError(streamed ? .interrupted : .connection, message: "The model stream broke off: \(error)")
        }
        // A stream that ends without `[DONE]` (and without an error) was cut off.
        throw ProviderError(streamed ? .interrupted : .connection, message: "The model stream ended before it was complete.")
    }

    /// The form for this request's named `tool_choice`: as configured, or for `.auto` what the endpoint
    /// accepts. llama.cpp's server reads `tool_choice` only as a string and quietly falls back to `auto` for
    /// the object form; it names itself as the owner of its models (`owned_by: "llamacpp"`), so `/models`
    /// is asked once, and only when a request names a function.
    private func namedToolChoiceForm(for request: ChatRequest) async throws -> NamedToolChoice {
        guard configuration.namedToolChoice == .auto, request.toolChoice?["function"] != nil else { return configuration.namedToolChoice }
        if let known = detectedToolChoice.withLock({ $0 }) { return known }
        var probe = HTTPClientRequest(url: configuration.baseURL.trimmingSuffix("/") + "/models")
        if let key = configuration.apiKey, !key.isEmpty { probe.headers.add(name: "Authorization", value: "Bearer \(key)") }
        struct Models: Decodable {
            struct Model: Decodable { var owned_by: String? }
            var data: [Model]?
        }
        let form: NamedToolChoice
        do {
            let response = try await client.execute(probe, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let models = try? JSONDecoder().decode(Models.self, from: Data(body.readableBytesView))
            form = models?.data?.contains { $0.owned_by == "llamacpp" } == true ? .required : .object
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Unreachable now: the model call itself will say so; ask again next time.
            return .object
        }
        logger.debug("named tool_choice form detected", metadata: ["form": "\(form.rawValue)"])
        detectedToolChoice.withLock { $0 = form }
        return form
    }

    /// A POST to the endpoint, with the key if one is configured.
    func makeRequest(path: String, body: Data, accept: String = "application/json") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.baseURL.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        if let key = configuration.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        // The key never reaches the logs: only that one was sent.
        logger.trace("model endpoint request", metadata: [
            "url": "\(request.url)", "authorization": "\(request.headers.contains(name: "Authorization") ? "Bearer [redacted]" : "none")",
            "body": "\(String(decoding: body, as: UTF8.self))",
        ])
        return request
    }
}

extension HTTPHeaders {
    /// `retry-after` in seconds, as OpenAI and most endpoints send it.
    var retryAfter: Duration? {
        first(name: "retry-after").flatMap(Double.init).map { .milliseconds(Int($0 * 1000)) }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
