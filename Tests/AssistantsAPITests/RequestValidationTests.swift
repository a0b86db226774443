import AssistantsAPI
import Foundation
import Testing

/// Bad request bodies fail with OpenAI's 400 and the offending parameter's path.
@Suite struct RequestValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var body: String
        var param: String?
        var testDescription: String { body.count > 80 ? String(body.prefix(80)) + "…" : body }
    }

    static func longString(_ length: Int) -> String { String(repeating: "a", count: length) }

    static let assistantCases: [Case] = [
        Case(body: #"{"name":"x"}"#, param: "model"),
        Case(body: #"{"model":""}"#, param: "model"),
        Case(body: #"{"model":7}"#, param: "model"),
        Case(body: #"{"model":"m","name":123}"#, param: "name"),
        Case(body: #"{"model":"m","name":"\#(longString(257))"}"#, param: "name"),
        Case(body: #"{"model":"m","description":"\#(longString(513))"}"#, param: "description"),
        Case(body: #"{"model":"m","instructions":"\#(longString(256_001))"}"#, param: "instructions"),
        Case(body: #"{"model":"m","tools":[{"type":"browser"}]}"#, param: "tools[0].type"),
        Case(body: #"{"model":"m","tools":[{"type":"code_interpreter"},{"type":"function"}]}"#, param: "tools[1].function"),
        Case(body: #"{"model":"m","tools":[{"type":"function","function":{"name":"has space"}}]}"#, param: "tools[0].function.name"),
        Case(body: #"{"model":"m","tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]}"#, param: "tools[0].function.parameters"),
        Case(body: #"{"model":"m","tools":[{"type":"file_search","file_search":{"max_num_results":51}}]}"#, param: "tools[0].file_search.max_num_results"),
        Case(body: #"{"model":"m","tools":[{"type":"file_search","file_search":{"ranking_options":{"score_threshold":2}}}]}"#, param: "tools[0].file_search.ranking_options.score_threshold"),
        Case(body: #"{"model":"m","tools":"code_interpreter"}"#, param: "tools"),
        Case(body: #"{"model":"m","temperature":3}"#, param: "temperature"),
        Case(body: #"{"model":"m","top_p":-0.1}"#, param: "top_p"),
        Case(body: #"{"model":"m","response_format":"xml"}"#, param: "response_format"),
        Case(body: #"{"model":"m","response_format":{"type":"yaml"}}"#, param: "response_format.type"),
        Case(body: #"{"model":"m","reasoning_effort":"extreme"}"#, param: "reasoning_effort"),
        Case(body: #"{"model":"m","metadata":{"k":1}}"#, param: "metadata.k"),
        Case(body: #"{"model":"m","metadata":{"\#(longString(65))":"v"}}"#, param: "metadata"),
        Case(body: #"{"model":"m","metadata":{"k":"\#(longString(513))"}}"#, param: "metadata"),
        Case(body: #"{"model":"m","tool_resources":{"code_interpreter":{"file_ids":[\#((0..<21).map { "\"file-\($0)\"" }.joined(separator: ","))]}}}"#, param: "tool_resources.code_interpreter.file_ids"),
        Case(body: #"{"model":"m","tool_resources":{"file_search":{"vector_store_ids":["vs_1","vs_2"]}}}"#, param: "tool_resources.file_search.vector_store_ids"),
        Case(body: #"{"model":"m","tool_resources":{"file_search":{"vector_store_ids":["vs_1"],"vector_stores":[{"file_ids":[]}]}}}"#, param: "tool_resources.file_search"),
        Case(body: #"{"model":"m","tool_resources":{"file_search":{"vector_stores":[{"file_ids":[],"chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":50,"chunk_overlap_tokens":0}}}]}}}"#, param: "tool_resources.file_search.vector_stores[0].chunking_strategy.static.max_chunk_size_tokens"),
        Case(body: #"{"model":"m""#, param: nil),
        Case(body: #"[1,2]"#, param: nil),
    ]

    @Test(arguments: assistantCases)
    func invalidAssistantRequests(_ testCase: Case) throws {
        let error = try #require(requestError(CreateAssistantRequest.self, testCase.body))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == testCase.param)
    }

    @Test func metadataLimits() throws {
        let seventeen = (0..<17).map { "\"k\($0)\":\"v\"" }.joined(separator: ",")
        let error = try #require(requestError(CreateAssistantRequest.self, #"{"model":"m","metadata":{\#(seventeen)}}"#))
        #expect(error.param == "metadata")
        #expect(error.message.contains("at most 16 properties"))

        let sixteen = (0..<16).map { "\"k\($0)\":\"\(Self.longString(512))\"" }.joined(separator: ",")
        #expect(requestError(CreateAssistantRequest.self, #"{"model":"m","metadata":{\#(sixteen)}}"#) == nil)
    }

    @Test func errorMessagesUseOpenAIsWording() throws {
        let type = try #require(requestError(CreateAssistantRequest.self, #"{"model":"m","name":123}"#))
        #expect(type.message == "Invalid type for 'name': expected a string, but got an integer instead.")
        let missing = try #require(requestError(CreateAssistantRequest.self, #"{}"#))
        #expect(missing.message == "Missing required parameter: 'model'.")
        let value = try #require(requestError(CreateAssistantRequest.self, #"{"model":"m","tools":[{"type":"browser"}]}"#))
        #expect(value.message == "Invalid value: 'browser'. Supported values are: 'code_interpreter', 'file_search', and 'function'.")
    }

    @Test func validAssistantRequestsDecode() throws {
        let request = try RequestDecoder.decode(CreateAssistantRequest.self, from: Data("""
            {"model":"gpt-4o","name":"n","unknown_field":{"ignored":true},"tools":[{"type":"file_search"}],
             "tool_resources":{"code_interpreter":{"file_ids":["file-1"]}},"temperature":0.2,"response_format":{"type":"json_object"}}
            """.utf8))
        #expect(request.tools == [.fileSearch(.init())])
        #expect(request.toolResources?.resources.codeInterpreter?.fileIDs == ["file-1"])
        #expect(request.temperature == 0.2)
        #expect(request.responseFormat == .jsonObject)
    }

    @Test func modifyTellsNullFromAbsent() throws {
        let cleared = try RequestDecoder.decode(ModifyAssistantRequest.self, from: Data(#"{"name":null}"#.utf8))
        var assistant = Assistant(id: "asst_1", createdAt: 1, name: "Old", description: "Kept", model: "m")
        cleared.apply(to: &assistant)
        #expect(assistant.name == nil)
        #expect(assistant.description == "Kept")
        #expect(assistant.model == "m")
    }

    static let messageCases: [Case] = [
        Case(body: #"{"content":"hi"}"#, param: "role"),
        Case(body: #"{"role":"system","content":"hi"}"#, param: "role"),
        Case(body: #"{"role":"user"}"#, param: "content"),
        Case(body: #"{"role":"user","content":[]}"#, param: "content"),
        Case(body: #"{"role":"user","content":42}"#, param: "content"),
        Case(body: #"{"role":"user","content":[{"type":"video"}]}"#, param: "content[0].type"),
        Case(body: #"{"role":"user","content":[{"type":"text","text":{"value":"x"}}]}"#, param: "content[0].text"),
        Case(body: #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}"#, param: "content[0].image_url.url"),
        Case(body: #"{"role":"user","content":[{"type":"image_file","image_file":{"file_id":"file-1","detail":"max"}}]}"#, param: "content[0].image_file.detail"),
        Case(body: #"{"role":"user","content":"x","attachments":[{"file_id":"file-1","tools":[{"type":"retrieval"}]}]}"#, param: "attachments[0].tools[0].type"),
    ]

    @Test(arguments: messageCases)
    func invalidMessageRequests(_ testCase: Case) throws {
        let error = try #require(requestError(CreateMessageRequest.self, testCase.body))
        #expect(error.status == 400)
        #expect(error.param == testCase.param)
    }

    @Test func messageContentForms() throws {
        let plain = try RequestDecoder.decode(CreateMessageRequest.self, from: Data(#"{"role":"user","content":"Hello"}"#.utf8))
        #expect(plain.messageContent == [.text(.init(value: "Hello"))])
        let parts = try RequestDecoder.decode(CreateMessageRequest.self, from: Data("""
            {"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_file","image_file":{"file_id":"file-9"}},
             {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"low"}}],
             "attachments":[{"file_id":"file-7","tools":[{"type":"code_interpreter"},{"type":"file_search"}]}]}
            """.utf8))
        #expect(parts.messageContent == [
            .text(.init(value: "Look")), .imageFile(.init(fileID: "file-9")),
            .imageURL(.init(url: "https://example.com/a.png", detail: .low)),
        ])
        #expect(parts.referencedFiles.map(\.param) == ["content[1].image_file.file_id", "attachments[0].file_id"])
        #expect(parts.attachments == [Attachment(fileID: "file-7", tools: [.codeInterpreter, .fileSearch])])
    }

    @Test func emptyThreadBodyIsAnEmptyObject() throws {
        let request = try RequestDecoder.decode(CreateThreadRequest.self, from: Data())
        #expect(request.messages.isEmpty)
        let error = try #require(requestError(CreateThreadRequest.self, #"{"messages":[{"role":"user","content":"a"},{"role":"bot","content":"b"}]}"#))
        #expect(error.param == "messages[1].role")
    }

    @Test func listQueryLimits() throws {
        func query(_ parameters: [String: String], limits: ClosedRange<Int> = 1...100) throws(APIError) -> ListQuery {
            try ListQuery(parameter: { parameters[$0] }, limits: limits)
        }
        #expect(try query([:]) == ListQuery(limit: 20, order: .desc))
        #expect(try query(["limit": "1", "order": "asc", "after": "a", "before": "b"]) == ListQuery(limit: 1, order: .asc, after: "a", before: "b"))
        #expect(try query(["limit": "100"]).limit == 100)
        for bad in ["0", "101", "ten"] {
            #expect(throws: APIError.self) { try query(["limit": bad]) }
        }
        #expect(throws: APIError.self) { try query(["order": "newest"]) }
        #expect(try query(["limit": "10000"], limits: 1...10_000).limit == 10_000)
    }
}
