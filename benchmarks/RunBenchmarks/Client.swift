import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Just enough of an HTTP client for the benchmarks: JSON requests and timed event streams.
struct Client {
    let http: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2048
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func request(_ url: String, _ body: Any? = nil, method: HTTPMethod = .POST) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = body == nil && method == .POST ? .GET : method
        request.headers.add(name: "OpenAI-Beta", value: "assistants=v2")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: body))) }
        return request
    }

    func json(_ url: String, _ body: Any? = nil) async throws -> [String: Any] {
        let response = try await http.execute(request(url, body), timeout: .seconds(120))
        let data = Data(try await response.body.collect(upTo: 1 << 24).readableBytesView)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Times a stream: when the first and last matching `data:` lines arrived, and how many there were.
    struct StreamTiming {
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        var matches = 0
        var completed = false
        var status: UInt = 0
    }

    /// `marker` is a substring identifying the lines to time (a text delta); `end` one that marks success.
    func stream(_ url: String, _ body: Any, marker: String, end: String) async throws -> StreamTiming {
        let response = try await http.execute(request(url, body), timeout: .seconds(600))
        var timing = StreamTiming(status: response.status.code)
        var pending = ""
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let range = pending.range(of: "\n") {
                let line = pending[..<range.lowerBound]
                pending.removeSubrange(..<range.upperBound)
                if line.contains(marker) {
                    let now = ContinuousClock.now
                    if timing.first == nil { timing.first = now }
                    timing.last = now
                    timing.matches += 1
                }
                if line.contains(end) { timing.completed = true }
            }
        }
        return timing
    }
}
