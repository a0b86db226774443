import AssistantsAPI
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

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

        public init(
            baseURL: String, apiKey: String? = nil, modelAliases: [String: String] = [:], connectTimeout: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(300), maxRetries: Int = 3, initialBackoff: Duration = .milliseconds(500),
            maxConnections: Int = 1024
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.modelAliases = modelAliases
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.maxRetries = maxRetries
            self.initialBackoff = initialBackoff
            self.maxConnections = maxConnections
        }
    }

    let configuration: Configuration
    let client: HTTPClient
    let logger: Logger

    public init(configuration: Configuration, logger: Logger = Logger(label: "model-provider")) {
        self.configuration = configuration
        self.logger = logger
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
        let body = try ChatWireFormat.body(for: request, model: model)
        var attempt = 0
        while true {
            do {
                try await streamOnce(body: body, into: continuation)
                return
            } catch let error as Retry where attempt < configuration.maxRetries && !Task.isCancelled {
                let delay = error.after ?? configuration.initialBackoff * (1 << attempt)
                logger.warning("model call failed, retrying", metadata: ["attempt": "\(attempt + 1)", "error": "\(error.failure)"])
                attempt += 1
                try await Task.sleep(for: delay)
            } catch let error as Retry {
                throw error.failure
            }
        }
    }

    /// A failure before anything was streamed, which may be retried.
    private struct Retry: Error {
        var failure: ProviderError
        var after: Duration?
    }

    private func streamOnce(body: Data, into continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation) async throws {
        var request = HTTPClientRequest(url: configuration.baseURL.trimmingSuffix("/") + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let key = configuration.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: body))

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .hours(1))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Retry(failure: ProviderError(.connection, message: "Could not reach the model endpoint: \(error)"))
        }

        guard response.status == .ok else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            let message = "The model endpoint answered \(response.status.code): \(ChatWireFormat.errorMessage(from: data))"
            let retryAfter = response.headers.first(name: "retry-after").flatMap(Double.init).map { Duration.milliseconds(Int($0 * 1000)) }
            switch response.status.code {
            case 429: throw Retry(failure: ProviderError(.rateLimited, status: 429, message: message), after: retryAfter)
            case 500...: throw Retry(failure: ProviderError(.server, status: Int(response.status.code), message: message), after: retryAfter)
            default: throw ProviderError(.rejected, status: Int(response.status.code), message: message)
            }
        }

        var lines = SSEDataLines()
        var streamed = false
        do {
            for try await buffer in response.body {
                for payload in lines.feed(buffer.readableBytesView) {
                    if payload == Data("[DONE]".utf8) { return }
                    for event in try ChatWireFormat.events(fromChunk: payload) {
                        streamed = true
                        continuation.yield(event)
                    }
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as DecodingError {
            throw ProviderError(.server, message: "The model endpoint sent a chunk that is not valid JSON: \(error)")
        } catch {
            let failure = ProviderError(.connection, message: "The model stream broke off: \(error)")
            if streamed { throw failure }
            throw Retry(failure: failure)
        }
        // A stream that ends without `[DONE]` was cut off.
        let failure = ProviderError(.connection, message: "The model stream ended before it was complete.")
        if streamed { throw failure }
        throw Retry(failure: failure)
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
