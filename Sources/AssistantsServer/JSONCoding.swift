import AssistantsAPI
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// JSON bodies are small (instructions top out at 256,000 characters); anything larger is refused.
    static let maxJSONBodySize = 32 * 1024 * 1024

    /// The body decoded as `T`; malformed or invalid input becomes a 400 naming the parameter.
    func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maxJSONBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: Self.maxJSONBodySize)
        }
        return try RequestDecoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// A query parameter, decoded as HTML forms and the SDKs encode it: `+` is a space (`%2B` a plus).
    func query(_ name: String) -> String? {
        queryPairs.first { $0.name == name }?.value
    }

    /// Every value of the query parameters with these names. Names are compared decoded: the SDKs send
    /// `include[]` as `include%5B%5D`.
    func queryValues(named names: Set<String>) -> [String] {
        queryPairs.filter { names.contains($0.name) }.map(\.value)
    }

    /// The query's parameters in order, names and values form-decoded.
    private var queryPairs: [(name: String, value: String)] {
        (uri.query ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.formDecoded(parts[0]), parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        }
    }

    private static func formDecoded(_ encoded: Substring) -> String {
        let spaced = encoded.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The list parameters of this request.
    func listQuery(limits: ClosedRange<Int> = 1...100, defaultLimit: Int = 20, allowsBefore: Bool = true) throws -> ListQuery {
        try ListQuery(parameter: query, limits: limits, defaultLimit: defaultLimit, allowsBefore: allowsBefore)
    }
}

extension Response {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        // Encoding our own wire types cannot fail; if it ever did, that is a server error.
        guard let data = try? encoder.encode(value) else {
            return Response(status: .internalServerError)
        }
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Parameters {
    /// A path id of an object kind; an id without the kind's prefix is a 400, as on OpenAI's API.
    func id(_ name: String, of kind: ObjectKind) throws -> String {
        let id = try require(name)
        if kind != .file { try kind.validate(id: id, param: name) }
        return id
    }
}
