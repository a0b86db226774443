import AssistantsAPI
import Foundation
import Hummingbird

/// A value behind a lock. (`Synchronization.Mutex` needs macOS 15; the package supports macOS 14.)
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

extension JSONValue {
    /// Compact JSON text (one SSE `data:` line), keys sorted so output reads the same on every run.
    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        // Encoding a JSONValue cannot fail: it holds only JSON already.
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }
}

extension Response {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    /// OpenAI's error envelope: `{"error": {"message", "type", "param": null, "code": null}}`.
    static func error(status: Int, message: String, type: String? = nil) -> Response {
        let type = type ?? (status >= 500 ? "server_error" : "invalid_request_error")
        let envelope = APIError(status: status, type: type, message: message).envelope
        let body = (try? JSONEncoder().encode(envelope)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Random letters and digits, as OpenAI uses after its id prefixes.
func randomBase62(_ count: Int) -> String {
    let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return String((0..<count).map { _ in alphabet.randomElement()! })
}
