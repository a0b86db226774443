import AssistantsAPI
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One API call. The body is made anew for every attempt, since a streamed upload can be read only once.
struct APIRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [(name: String, value: String)] = []
    var contentType: String?
    var body: (@Sendable () throws -> HTTPClientRequest.Body)?

    init(_ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.query = query
    }

    /// The request with `value` as its JSON body.
    init(_ method: HTTPMethod, _ path: String, json value: some Encodable & Sendable) {
        self.init(method, path)
        contentType = "application/json"
        let data = Result { try JSONEncoder().encode(value) }
        body = { .bytes(ByteBuffer(bytes: try data.get())) }
    }
}

/// Sends requests to the server: authentication, the beta header, retries with backoff, OpenAI's errors.
struct Transport: Sendable {
    let baseURL: String
    let apiKey: String?
    let http: HTTPClient
    let configuration: ClientConfiguration

    /// JSON bodies are small; file contents may be as large as an upload.
    static let maxJSONBytes = 64 << 20
    static let maxContentBytes = 1 << 30

    /// The response decoded as `T`, with its headers (polling reads `openai-poll-after-ms`).
    func decode<T: Decodable>(_ request: APIRequest, as type: T.Type = T.self) async throws -> (T, HTTPHeaders) {
        let response = try await send(request)
        let bytes = try await collect(response, upTo: Self.maxJSONBytes)
        do {
            return (try JSONDecoder().decode(T.self, from: bytes), response.headers)
        } catch {
            throw AssistantsClientError.invalidResponse(detail: "\(request.method) \(request.path): \(error)")
        }
    }

    func json<T: Decodable>(_ request: APIRequest, as type: T.Type = T.self) async throws -> T {
        try await decode(request, as: T.self).0
    }

    func bytes(_ request: APIRequest) async throws -> Data {
        try await collect(try await send(request), upTo: Self.maxContentBytes)
    }

    /// A response with a 2xx status; whatever else could be retried has been, as often as configured.
    func send(_ request: APIRequest) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            let failure: AssistantsClientError
            var headers: HTTPHeaders?
            let prepared = try prepare(request, attempt: attempt)
            do {
                let response = try await http.execute(prepared, timeout: .nanoseconds(configuration.timeout.nanoseconds))
                if (200..<300).contains(response.status.code) { return response }
                let body = try await collect(response, upTo: Self.maxJSONBytes)
                failure = .api(status: Int(response.status.code), error: try? JSONDecoder().decode(ErrorEnvelope.self, from: body).error)
                headers = response.headers
            } catch let error as AssistantsClientError {
                throw error
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                failure = .connection(error)
            }
            guard attempt < configuration.maxRetries, Self.shouldRetry(failure, headers: headers) else { throw failure }
            try await Task.sleep(for: delay(attempt: attempt, headers: headers))
            attempt += 1
        }
    }

    private func prepare(_ request: APIRequest, attempt: Int) throws -> HTTPClientRequest {
        var http = HTTPClientRequest(url: url(request))
        http.method = request.method
        http.headers.add(name: "OpenAI-Beta", value: "assistants=v2")
        if let apiKey, !apiKey.isEmpty { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if attempt > 0 { http.headers.add(name: "x-stainless-retry-count", value: String(attempt)) }
        if let contentType = request.contentType { http.headers.add(name: "Content-Type", value: contentType) }
        if let body = request.body { http.body = try body() }
        return http
    }

    private func url(_ request: APIRequest) -> String {
        guard !request.query.isEmpty else { return baseURL + request.path }
        let query = request.query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
        return baseURL + request.path + "?" + query
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private func collect(_ response: HTTPClientResponse, upTo limit: Int) async throws -> Data {
        do {
            return Data(try await response.body.collect(upTo: limit).readableBytesView)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw AssistantsClientError.connection(error)
        }
    }

    /// As OpenAI's SDKs decide: the server's `x-should-retry` first, then timeouts, conflicts, rate limits,
    /// server errors and failed connections.
    static func shouldRetry(_ failure: AssistantsClientError, headers: HTTPHeaders?) -> Bool {
        switch headers?.first(name: "x-should-retry") {
        case "true": return true
        case "false": return false
        default: break
        }
        switch failure {
        case .api(let status, _): return [408, 409, 429].contains(status) || status >= 500
        case .connection: return true
        default: return false
        }
    }

    /// `retry-after-ms` or `retry-after` (seconds) when the server sends one, else exponential backoff with
    /// jitter, so that clients turned away together do not come back together.
    func delay(attempt: Int, headers: HTTPHeaders?) -> Duration {
        let requested = headers?.first(name: "retry-after-ms").flatMap(Double.init).map { Duration.milliseconds($0) }
            ?? headers?.first(name: "retry-after").flatMap(Double.init).map { Duration.milliseconds($0 * 1000) }
        let backoff = configuration.initialBackoff * Double(1 << min(attempt, 16)) * Double.random(in: 0.75...1)
        return min(max(requested ?? backoff, .zero), configuration.maxBackoff)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
