import Foundation

/// One request to the runner. `data` travels as base64, which JSONEncoder does for Data.
struct RunnerRequest: Encodable, Sendable {
    var id = 0
    var op: String
    var code: String?
    var name: String?
    var data: Data?

    static func exec(_ code: String) -> Self { .init(op: "exec", code: code) }
    static func put(_ file: SandboxFile) -> Self { .init(op: "put", name: file.name, data: file.contents) }
    static func get(_ name: String) -> Self { .init(op: "get", name: name) }
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
