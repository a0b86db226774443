import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// The `file_search` tool of responses: the stores and filters it names, its call as an output item, its
/// stream events, and citations in the answer.
@Suite struct ResponsesFileSearchTests {
    static let tea = VectorStoresRoutesTests.tea
    static let bikes = VectorStoresRoutesTests.bikes

    /// Two stores, a file each; the one with `{"topic": "tea"}` is the tea file.
    func library(_ api: TestAPI) async throws -> (tea: String, bikes: String, teaFile: String) {
        let teaFile = try await api.uploadFile(Self.tea, filename: "tea.md")
        let bikesFile = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
        let tea = try await api.createVectorStore(#"{"name":"tea"}"#)
        _ = try await api.call(.post, "/v1/vector_stores/\(tea.id)/files", #"{"file_id":"\#(teaFile.id)","attributes":{"topic":"tea"}}"#)
        let bikes = try await api.createVectorStore(#"{"name":"bikes","file_ids":["\#(bikesFile.id)"]}"#)
        _ = try await api.ingested(tea.id)
        _ = try await api.ingested(bikes.id)
        return (tea.id, bikes.id, teaFile.id)
    }

    @Test func theSearchIsAnOutputItemAndTheAnswerCitesItsFile() async throws {
        try await TestAPI.run(model: true) { api in
            let (tea, bikes, teaFile) = try await library(api)
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "file_search", arguments: #"{"query":"green tea"}"#)]),
                FakeReply(text: "Two minutes【0:0†tea.md】."))
            // Only the tea store is named: the bikes file must not reach the model.
            let body = #"{"model":"gpt-4o","input":"Green tea?","stream":true,"tools":[{"type":"file_search","vector_store_ids":["\#(tea)"]}]}"#
            let events = try await api.call(.post, "/v1/responses", body, beta: false).events
            // The text comes in several deltas; the annotation is sent once its marker has been read.
            #expect(events.map(\.name).filter { $0 != "response.output_text.delta" } == [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.file_search_call.in_progress", "response.file_search_call.searching",
                "response.file_search_call.completed", "response.output_item.done",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.annotation.added", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed",
            ])
            #expect(events[9].name == "response.output_text.delta")
            let searchDone = try #require(events[6].json["item"])
            #expect(searchDone["type"] == .string("file_search_call") && searchDone["queries"] == .array([.string("green tea")]))
            #expect(searchDone["results"] == .null, "results only when included")
            let annotation = try #require(events.first { $0.name == "response.output_text.annotation.added" }?.json["annotation"])
            #expect(annotation["file_id"] == .string(teaFile) && annotation["index"] == .integer(11))

            let id = try #require(events.last?.json["response"]?["id"]?.stringValue)
            let stored = try await api.call(.get, "/v1/responses/\(id)", beta: false).decode(ModelResponse.self)
            guard stored.output.count == 2, case .fileSearchCall(let search) = stored.output[0], case .message(let answer) = stored.output[1] else {
                Issue.record("output: \(stored.output)")
                return
            }
            #expect(search.status == .completed && search.queries == ["green tea"] && search.results == nil)
            #expect(search.id == events[6].json["item"]?["id"]?.stringValue)
            guard case .outputText(let text) = answer.content.first else { Issue.record("no text"); return }
            #expect(text.text == "Two minutes【0:0†tea.md】.")
            #expect(text.annotations == [.fileCitation(fileID: teaFile, filename: "tea.md", index: 11)])
            let tool = try #require(api.model?.requests().last?.body["messages"]?.array.last)
            #expect(tool["role"] == .string("tool"))
            #expect(tool["content"]?.stringValue?.contains(Self.tea) == true)
            #expect(tool["content"]?.stringValue?.contains(Self.bikes) == false)
            _ = bikes
        }
    }

    @Test func filtersResultsAndIncludeApply() async throws {
        try await TestAPI.run(model: true) { api in
            let (tea, bikes, teaFile) = try await library(api)
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "file_search", arguments: #"{"query":"chain oil and tea"}"#)]),
                FakeReply(text: "Only tea."))
            let tools = #"[{"type":"file_search","vector_store_ids":["\#(tea)","\#(bikes)"],"filters":{"type":"eq","key":"topic","value":"tea"}}]"#
            let body = #"{"model":"gpt-4o","input":"?","tools":\#(tools),"include":["file_search_call.results"]}"#
            let response = try await api.call(.post, "/v1/responses", body, beta: false).decode(ModelResponse.self)
            guard case .fileSearchCall(let search)? = response.output.first else { Issue.record("output: \(response.output)"); return }
            let results = try #require(search.results)
            #expect(results.map(\.fileID) == [teaFile], "the filter keeps only the tea file")
            #expect(results.first?.text.contains("Green tea") == true && results.first?.filename == "tea.md")
            // Read back later, the results are still included: the request's `include` is kept.
            let stored = try await api.call(.get, "/v1/responses/\(response.id)", beta: false).decode(ModelResponse.self)
            #expect(stored.output == response.output)
        }
    }

    @Test func storesThatDoNotExistAreRefusedByName() async throws {
        try await TestAPI.run(model: true) { api in
            let body = #"{"model":"gpt-4o","input":"?","tools":[{"type":"file_search","vector_store_ids":["vs_missing"]}]}"#
            let reply = try await api.call(.post, "/v1/responses", body, beta: false)
            #expect(reply.status == .badRequest)
            #expect(try reply.decode(ErrorEnvelope.self).error.param == "tools[0].vector_store_ids")
            let two = #"{"model":"gpt-4o","input":"?","tools":[{"type":"file_search","vector_store_ids":[]},{"type":"file_search","vector_store_ids":[]}]}"#
            let refused = try await api.call(.post, "/v1/responses", two, beta: false)
            #expect(refused.status == .badRequest)
            #expect(try refused.decode(ErrorEnvelope.self).error.param == "tools[1]")
            #expect(api.model?.requests().isEmpty == true)
        }
    }
}
