import AssistantsServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestStack

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A plain TCP connection to a live server on 127.0.0.1, for what an HTTP client library would not do:
/// send a request byte by byte, stop halfway, or say nothing at all. Non-blocking: waiting sleeps the task,
/// so that the server's own tasks (on the same few threads) keep running.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// False once the server has closed the connection.
    @discardableResult
    func send(_ text: String) async -> Bool { await send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) async -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try? await Task.sleep(for: .milliseconds(2))
            } else {
                return false
            }
        }
        return true
    }

    /// Everything the server sends until it closes the connection or `seconds` pass; `closed` tells which.
    func receive(for seconds: Double) async -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        let (bytes, closed) = await read(until: deadline) { _ in false }
        received = bytes
        return (String(decoding: received, as: UTF8.self), closed)
    }

    /// What the server sends until `text` has come (or `seconds` pass, or the connection closes).
    func receive(until text: String, within seconds: Double = 10) async -> String {
        let needle = Array(text.utf8)
        let (bytes, _) = await read(until: Date().addingTimeInterval(seconds)) { bytes in
            bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first response on the connection, read until its body is complete (by `Content-Length`) or
    /// the connection closes.
    func response(within seconds: Double = 10) async -> String {
        let (bytes, _) = await read(until: Date().addingTimeInterval(seconds)) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<headEnd.lowerBound].lowercased()
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { return false }
            return text[headEnd.upperBound...].utf8.count >= length
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func read(until deadline: Date, done: ([UInt8]) -> Bool) async -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while deadline.timeIntervalSinceNow > 0 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
                if done(received) { return (received, false) }
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                return (received, true)
            } else {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        return (received, false)
    }
}

/// The server's routes on a live port (keyless unless keys are given), for tests that need real sockets.
func withLiveServer(apiKeys: Set<String> = [], _ test: @Sendable (Int) async throws -> Void) async throws {
    try await TestStack.run(model: false) { stack in
        let app = Application(router: stack.router(apiKeys: apiKeys), logger: ConnectionLimitsTests.quietLogger)
        try await app.test(.live) { client in try await test(client.port!) }
    }
}
