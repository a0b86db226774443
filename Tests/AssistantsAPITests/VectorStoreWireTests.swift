import AssistantsAPI
import Foundation
import Testing

/// The vector store objects against OpenAI's examples, and attribute filters.
@Suite struct VectorStoreWireTests {
    @Test func vectorStoreExampleRoundTrips() throws {
        let text = """
            {"id":"vs_123","object":"vector_store","created_at":1698107661,"usage_bytes":123456,"last_active_at":1698107661,
             "name":"my_vector_store","status":"completed","expires_at":null,"metadata":{},
             "file_counts":{"in_progress":0,"completed":100,"cancelled":0,"failed":0,"total":100}}
            """
        let decoded = try JSONDecoder().decode(VectorStore.self, from: Data(text.utf8))
        #expect(try encodedJSON(decoded) == json(text))
    }

    @Test func vectorStoreFileExampleRoundTrips() throws {
        let text = """
            {"id":"file-abc123","object":"vector_store.file","usage_bytes":1234,"created_at":1698107661,"vector_store_id":"vs_abc123",
             "status":"completed","last_error":null,"attributes":null,
             "chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":800,"chunk_overlap_tokens":400}}}
            """
        let decoded = try JSONDecoder().decode(VectorStoreFile.self, from: Data(text.utf8))
        #expect(try encodedJSON(decoded) == json(text))
    }

    @Test func fileBatchUsesTheSchemasObjectName() throws {
        let batch = VectorStoreFileBatch(id: "vsfb_123", createdAt: 1, vectorStoreID: "vs_1", fileCounts: FileCounts(inProgress: 1, completed: 2))
        let encoded = try encodedJSON(batch)
        #expect(encoded["object"] == .string("vector_store.files_batch"))
        #expect(encoded["file_counts"]?["total"] == .integer(3))
    }

    @Test func searchResultsPageHasEveryKey() throws {
        let page = VectorStoreSearchResults(
            searchQuery: ["q"],
            data: [.init(fileID: "file-1", filename: "a.txt", score: 0.5, attributes: ["n": .number(2), "ok": .bool(true)], content: [.init(text: "t")])])
        let encoded = try encodedJSON(page)
        #expect(encoded.keys == ["object", "search_query", "data", "has_more", "next_page"])
        let attributes = try json(#"{"n":2,"ok":true}"#)
        #expect(encoded["data"]?.arrayValue?.first?["attributes"] == attributes)
    }

    @Test func autoChunkingIsReportedAsItsSizes() {
        let file = VectorStoreFile(id: "file-1", createdAt: 1, vectorStoreID: "vs_1", chunkingStrategy: .auto)
        #expect(file.chunkingStrategy == .static(maxChunkSizeTokens: 800, chunkOverlapTokens: 400))
    }

    @Test func filtersCompareAttributes() throws {
        let attributes: FileAttributes = ["region": .string("eu"), "year": .number(2024), "draft": .bool(false), "date": .string("2024-05-01")]
        func matches(_ filter: String) throws -> Bool {
            try RequestDecoder.decode(SearchFilter.self, from: Data(filter.utf8)).matches(attributes)
        }
        #expect(try matches(#"{"type":"eq","key":"region","value":"eu"}"#))
        #expect(try matches(#"{"key":"region","value":"eu"}"#))
        #expect(try !matches(#"{"type":"eq","key":"draft","value":true}"#))
        #expect(try matches(#"{"type":"gte","key":"year","value":2024}"#))
        #expect(try !matches(#"{"type":"gt","key":"year","value":2024}"#))
        #expect(try matches(#"{"type":"lt","key":"date","value":"2024-06-01"}"#))
        #expect(try matches(#"{"type":"in","key":"region","value":["us","eu"]}"#))
        #expect(try matches(#"{"type":"nin","key":"missing","value":["x"]}"#))
        #expect(try !matches(#"{"type":"eq","key":"missing","value":"x"}"#))
        #expect(try matches(#"{"type":"ne","key":"missing","value":"x"}"#))
        #expect(try !matches(#"{"type":"gt","key":"region","value":1}"#))
        #expect(try matches(#"{"type":"and","filters":[{"type":"eq","key":"region","value":"eu"},{"type":"or","filters":[{"type":"eq","key":"year","value":1},{"type":"eq","key":"draft","value":false}]}]}"#))
        #expect(requestError(SearchFilter.self, #"{"type":"in","key":"a","value":"x"}"#)?.param == "value")
        #expect(requestError(SearchFilter.self, #"{"type":"eq","key":"a","value":[1]}"#)?.param == "value")
    }

    @Test func attributesAreLimited() {
        let tooMany = "{" + (0..<17).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        #expect(requestError(UpdateVectorStoreFileRequest.self, #"{"attributes":\#(tooMany)}"#)?.code == "object_above_max_properties")
        let long = String(repeating: "x", count: 513)
        #expect(requestError(UpdateVectorStoreFileRequest.self, #"{"attributes":{"k":"\#(long)"}}"#)?.param == "attributes.k")
        #expect(requestError(UpdateVectorStoreFileRequest.self, #"{"attributes":null}"#) == nil)
    }
}
