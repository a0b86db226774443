import AssistantsAPI
import Foundation
import Testing
@testable import FakeModel

@Suite struct ControlAndEmbeddingsTests {
    @Test func controlEndpointsScriptAndInspectOverHTTP() async throws {
        try await withServer { server in
            let root = "http://127.0.0.1:\(server.port)"
            let queued = try await send(root + "/_fake/replies", #"{"replies":[{"text":"one","chunk_size":2},{"tool_calls":[{"name":"f","arguments":"{}"}]}]}"#)
            #expect(queued.json == .object(["queued": .integer(2)]))

            let first = try await chat(server, stream: true)
            #expect(first.chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue } == ["", "on", "e"])
            let second = try await chat(server).json["choices"]?.arrayValue?.first
            #expect(second?["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == .string("f"))

            _ = try await send(server.baseURL + "/chat/completions", #"{"model":"m","messages":[]}"#, authorization: "Bearer k")
            let recorded = try await send(root + "/_fake/requests", method: "GET").json["requests"]?.arrayValue
            #expect(recorded?.count == 3)
            #expect(recorded?.first?["authorization"] == .null)
            #expect(recorded?.last == .object(["body": .object(["model": .string("m"), "messages": .array([])]), "authorization": .string("Bearer k")]))

            #expect(try await send(root + "/_fake/replies", #"{"replies":[{"text":"x"}]}"#).status == 200)
            #expect(try await send(root + "/_fake/reset").status == 200)
            #expect(try await send(root + "/_fake/requests", method: "GET").json["requests"] == .array([]))
            #expect(try await chat(server, "Yo").json["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Echo: Yo"))

            #expect(try await send(root + "/_fake/replies", #"{"replies":{}}"#).status == 400)
        }
    }

    @Test func embeddingsHaveOpenAIShapeAndRankSharedWordsHigher() async throws {
        try await withServer { server in
            let texts = ["The cat sat on the mat", "A cat on a mat!", "Quarterly revenue grew"]
            let body = #"{"model":"text-embedding-3-small","input":["\#(texts.joined(separator: #"",""#))"]}"#
            let json = try await send(server.baseURL + "/embeddings", body, authorization: "Bearer e").json
            #expect(json["object"] == .string("list"))
            #expect(json["model"] == .string("text-embedding-3-small"))
            #expect(json["usage"] == .object(["prompt_tokens": .integer(14), "total_tokens": .integer(14)]))
            let data = try #require(json["data"]?.arrayValue)
            #expect(data.map { $0["index"] } == [.integer(0), .integer(1), .integer(2)])
            #expect(data.allSatisfy { $0["object"] == .string("embedding") })
            let vectors = data.map { ($0["embedding"]?.arrayValue ?? []).map { value -> Double in
                switch value {
                case .number(let number): number
                case .integer(let integer): Double(integer)
                default: .nan
                }
            } }
            #expect(vectors.allSatisfy { $0.count == 64 && abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-9 })
            func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
            #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
            #expect(server.requests().isEmpty)
            #expect(server.embeddingRequests().map(\.authorization) == ["Bearer e"])

            let single = try await send(server.baseURL + "/embeddings", #"{"model":"m","input":"The cat sat on the mat"}"#).json
            #expect(single["data"]?.arrayValue?.first?["embedding"] == data[0]["embedding"])
            #expect(try await send(server.baseURL + "/embeddings", #"{"model":"m","input":[1,2]}"#).status == 400)
        }
    }
}
