import AssistantsAPI
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import FakeModel

/// A whole HTTP answer, read with URLSession.
struct HTTPReply {
    var status: Int
    var contentType: String?
    var body: Data

    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }

    /// The payloads of the SSE `data:` lines, `[DONE]` included.
    var events: [String] {
        String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map {
            $0.hasPrefix("data: ") ? String($0.dropFirst(6)) : "not a data line: \($0)"
        }
    }

    /// The chunk objects of an SSE stream, `[DONE]` left out.
    var chunks: [JSONValue] {
        events.filter { $0 != "[DONE]" }.map { (try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))) ?? .null }
    }
}

func send(_ url: String, _ body: String? = nil, method: String = "POST", authorization: String? = nil) async throws -> HTTPReply {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.httpBody = body.map { Data($0.utf8) }
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue(authorization, forHTTPHeaderField: "Authorization")
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    return HTTPReply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data)
}

/// A chat-completions request with one user message.
func chat(_ server: FakeModelServer, _ content: String = "Hi", stream: Bool = false, includeUsage: Bool = false) async throws -> HTTPReply {
    let options = includeUsage ? #","stream_options":{"include_usage":true}"# : ""
    let body = #"{"model":"gpt-test","stream":\#(stream)\#(options),"messages":[{"role":"user","content":"\#(content)"}]}"#
    return try await send(server.baseURL + "/chat/completions", body)
}

/// The body of a response as it arrives, piece by piece, each with the time it arrived.
func arrivals(_ url: String, _ body: String) -> AsyncThrowingStream<(Data, ContinuousClock.Instant), any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(of: (Data, ContinuousClock.Instant).self)
    let session = URLSession(configuration: .ephemeral, delegate: ArrivalRecorder(continuation), delegateQueue: nil)
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    session.dataTask(with: request).resume()
    session.finishTasksAndInvalidate()
    return stream
}

private final class ArrivalRecorder: NSObject, URLSessionDataDelegate, Sendable {
    let continuation: AsyncThrowingStream<(Data, ContinuousClock.Instant), any Error>.Continuation

    init(_ continuation: AsyncThrowingStream<(Data, ContinuousClock.Instant), any Error>.Continuation) {
        self.continuation = continuation
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        continuation.yield((data, .now))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        continuation.finish(throwing: error)
    }
}
