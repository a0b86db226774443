import Foundation

/// One request to the runner. `data` travels as base64, which JSONEncoder does for Data.
struct RunnerRequest: Encodable, Sendable {
    var id = 0
    var op: String
    var code: String?
    var name: String?
    var data: Data?
    /// exec: bytes the images may take in all; get: bytes the file may have. The runner refuses more.
    var limit: Int?

    static func exec(_ code: String, imageLimit: Int) -> Self { .init(op: "exec", code: code, limit: imageLimit) }
    static func put(_ file: SandboxFile) -> Self { .init(op: "put", name: file.name, data: file.contents) }
    static func get(_ name: String, limit: Int) -> Self { .init(op: "get", name: name, limit: limit) }

    /// The longest reply line a request whose payload is at most `payload` bytes can get: the payload in base64,
    /// plus the escaped output (up to 6 bytes a character) and up to 100 escaped file names.
    static func replyLimit(payload: Int, outputLimit: Int) -> Int {
        payload / 3 * 4 + 4 + outputLimit * 12 + (8 << 20)
    }
}

/// The runner's reply to one request (id 0 is its greeting when it is ready).
struct RunnerReply: Decodable, Sendable {
    struct Listed: Decodable, Sendable {
        var name: String
        var size: Int
    }

    var id: Int
    var ok: Bool
    var error: String?
    /// exec
    var output: String?
    var failed: Bool?
    var images: [Data]?
    var files: [Listed]?
    /// get
    var data: Data?
}
