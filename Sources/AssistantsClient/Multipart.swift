import AsyncHTTPClient
import Foundation
import NIOCore

/// A `multipart/form-data` body with text fields and one file, the file streamed from disk or memory.
struct MultipartForm: Sendable {
    enum Contents: Sendable {
        case path(String)
        case data(Data)
    }

    let boundary = "swift-assistants-\(UUID().uuidString)"
    var fields: [(name: String, value: String)]
    var filename: String
    var contents: Contents

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Everything before the file's bytes: the fields, then the file part's headers.
    private var head: Data {
        var head = Data()
        for field in fields {
            head.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n".utf8))
        }
        let name = filename.replacingOccurrences(of: "\"", with: "%22")
        head.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        return head
    }

    private var tail: Data { Data("\r\n--\(boundary)--\r\n".utf8) }

    func body() throws -> HTTPClientRequest.Body {
        switch contents {
        case .data(let data):
            return .bytes(ByteBuffer(bytes: head + data + tail))
        case .path(let path):
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            let (head, tail) = (head, tail)
            let chunks = FileChunks(path: path, head: head, tail: tail)
            return .stream(chunks, length: .known(Int64(head.count + size + tail.count)))
        }
    }
}

/// The head, the file read 64 KiB at a time, then the tail: uploads never hold a whole file in memory.
struct FileChunks: AsyncSequence, Sendable {
    let path: String
    let head: Data
    let tail: Data

    func makeAsyncIterator() -> Iterator { Iterator(path: path, head: head, tail: tail) }

    struct Iterator: AsyncIteratorProtocol {
        let path: String
        var head: Data?
        var tail: Data?
        var handle: FileHandle?

        init(path: String, head: Data, tail: Data) {
            self.path = path
            self.head = head
            self.tail = tail
        }

        mutating func next() async throws -> ByteBuffer? {
            if let data = head {
                head = nil
                handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
                return ByteBuffer(bytes: data)
            }
            if let handle {
                if let chunk = try handle.read(upToCount: 64 << 10), !chunk.isEmpty { return ByteBuffer(bytes: chunk) }
                try handle.close()
                self.handle = nil
            }
            defer { tail = nil }
            return tail.map { ByteBuffer(bytes: $0) }
        }
    }
}
