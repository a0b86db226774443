import AsyncHTTPClient
import Foundation
import NIOCore

/// An endpoint that turns text into vectors (`POST /embeddings`), for hybrid `file_search`.
public protocol EmbeddingProvider: Sendable {
    /// One vector per text, in order. Errors are `ProviderError`s.
    func embed(_ texts: [String], model: String) async throws -> [[Float]]
}

extension OpenAICompatibleProvider: EmbeddingProvider {
    /// Texts go in requests of at most `embeddingBatchSize`; each request is retried like a model call.
    public func embed(_ texts: [String], model: String) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let batch = Array(texts[start..<min(texts.count, start + Self.embeddingBatchSize)])
            vectors += try await withRetries { try await self.embedOnce(batch, model: model) }
            start += batch.count
        }
        return vectors
    }

    static let embeddingBatchSize = 64

    private struct EmbeddingRequest: Encodable { var model: String; var input: [String] }
    private struct EmbeddingResponse: Decodable {
        struct Item: Decodable { var index: Int; var embedding: [Float] }
        var data: [Item]
    }

    private func embedOnce(_ texts: [String], model: String) async throws -> [[Float]] {
        let name = configuration.modelAliases[model] ?? model
        let request = makeRequest(path: "/embeddings", body: try JSONEncoder().encode(EmbeddingRequest(model: name, input: texts)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(120))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ProviderError(.connection, message: "Could not reach the embeddings endpoint: \(error)")
        }
        let body = Data((try await response.body.collect(upTo: 256 << 20)).readableBytesView)
        guard response.status == .ok else {
            let message = "The embeddings endpoint answered \(response.status.code): \(ChatWireFormat.errorMessage(from: body))"
            throw ProviderError(status: Int(response.status.code), message: message, retryAfter: response.headers.retryAfter)
        }
        guard let decoded = try? JSONDecoder().decode(EmbeddingResponse.self, from: body), decoded.data.count == texts.count else {
            throw ProviderError(.server, message: "The embeddings endpoint sent an answer without one embedding per input.")
        }
        return decoded.data.sorted { $0.index < $1.index }.map(\.embedding)
    }
}
