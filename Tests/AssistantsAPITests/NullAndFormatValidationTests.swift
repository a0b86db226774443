import AssistantsAPI
import Foundation
import Testing

/// `response_format` is checked to the spec, and `null` is refused wherever the spec does not allow it
/// (an omitted field and an explicit null are not the same request).
@Suite struct NullAndFormatValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var body: String
        var param: String
        var testDescription: String { body }
    }

    static let responseFormatCases: [Case] = [
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"s","schema":[null,null]}}}"#, param: "response_format.json_schema.schema"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"s","schema":"object"}}}"#, param: "response_format.json_schema.schema"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"s","schema":null}}}"#, param: "response_format.json_schema.schema"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"schema":{}}}}"#, param: "response_format.json_schema.name"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"has space"}}}"#, param: "response_format.json_schema.name"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"\#(String(repeating: "n", count: 65))"}}}"#, param: "response_format.json_schema.name"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"s","strict":"yes"}}}"#, param: "response_format.json_schema.strict"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"s","description":null}}}"#, param: "response_format.json_schema.description"),
        Case(body: #"{"model":"m","response_format":{"type":"json_schema"}}"#, param: "response_format.json_schema"),
        Case(body: #"{"model":"m","response_format":{"type":"xml"}}"#, param: "response_format.type"),
    ]

    @Test(arguments: responseFormatCases)
    func responseFormatIsValidatedOnAssistants(_ test: Case) {
        let error = requestError(CreateAssistantRequest.self, test.body)
        #expect(error?.status == 400)
        #expect(error?.param == test.param)
        #expect(requestError(ModifyAssistantRequest.self, test.body)?.param == test.param)
    }

    @Test(arguments: responseFormatCases)
    func responseFormatIsValidatedOnRuns(_ test: Case) {
        let body = test.body.replacingOccurrences(of: #""model":"m""#, with: #""assistant_id":"asst_1""#)
        #expect(requestError(CreateRunRequest.self, body)?.param == test.param)
        #expect(requestError(CreateThreadAndRunRequest.self, body)?.param == test.param)
    }

    @Test func validResponseFormatsDecode() throws {
        let body = #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"Answer_1-x","schema":{"type":"object"},"strict":null}}}"#
        let request = try RequestDecoder.decode(CreateAssistantRequest.self, from: Data(body.utf8))
        #expect(request.responseFormat == .jsonSchema(JSONSchemaFormat(name: "Answer_1-x", schema: .object(["type": .string("object")]))))
        for format in [#""auto""#, #"{"type":"text"}"#, #"{"type":"json_object"}"#, "null"] {
            #expect(requestError(CreateAssistantRequest.self, #"{"model":"m","response_format":\#(format)}"#) == nil, "\(format)")
        }
    }

    static let nullCases: [(type: any Decodable.Type, body: String, param: String)] = [
        (VectorStoreSearchRequest.self, #"{"query":"q","ranking_options":{"score_threshold":null}}"#, "ranking_options.score_threshold"),
        (VectorStoreSearchRequest.self, #"{"query":"q","ranking_options":{"ranker":null}}"#, "ranking_options.ranker"),
        (VectorStoreSearchRequest.self, #"{"query":"q","ranking_options":null}"#, "ranking_options"),
        (VectorStoreSearchRequest.self, #"{"query":"q","max_num_results":null}"#, "max_num_results"),
        (VectorStoreSearchRequest.self, #"{"query":"q","rewrite_query":null}"#, "rewrite_query"),
        (VectorStoreSearchRequest.self, #"{"query":"q","filters":null}"#, "filters"),
        (CreateMessageRequest.self, #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.example/a.png","detail":null}}]}"#, "content[0].image_url.detail"),
        (CreateMessageRequest.self, #"{"role":"user","content":[{"type":"image_file","image_file":{"file_id":"file-1","detail":null}}]}"#, "content[0].image_file.detail"),
        (CreateAssistantRequest.self, #"{"model":"m","tools":null}"#, "tools"),
        (CreateAssistantRequest.self, #"{"model":"m","tools":[{"type":"file_search","file_search":null}]}"#, "tools[0].file_search"),
        (CreateAssistantRequest.self, #"{"model":"m","tools":[{"type":"file_search","file_search":{"max_num_results":null}}]}"#, "tools[0].file_search.max_num_results"),
        (CreateAssistantRequest.self, #"{"model":"m","tools":[{"type":"function","function":{"name":"f","description":null}}]}"#, "tools[0].function.description"),
        (CreateAssistantRequest.self, #"{"model":"m","tool_resources":{"code_interpreter":{"file_ids":null}}}"#, "tool_resources.code_interpreter.file_ids"),
        (ModifyAssistantRequest.self, #"{"model":null}"#, "model"),
        (CreateThreadRequest.self, #"{"messages":null}"#, "messages"),
        (CreateRunRequest.self, #"{"assistant_id":"asst_1","parallel_tool_calls":null}"#, "parallel_tool_calls"),
        (CreateThreadAndRunRequest.self, #"{"assistant_id":"asst_1","thread":null}"#, "thread"),
        (CreateVectorStoreRequest.self, #"{"name":null}"#, "name"),
        (CreateVectorStoreRequest.self, #"{"description":null}"#, "description"),
        (CreateVectorStoreRequest.self, #"{"file_ids":null}"#, "file_ids"),
        (CreateVectorStoreRequest.self, #"{"expires_after":null}"#, "expires_after"),
        (CreateVectorStoreRequest.self, #"{"chunking_strategy":null}"#, "chunking_strategy"),
        (CreateVectorStoreFileRequest.self, #"{"file_id":"file-1","chunking_strategy":null}"#, "chunking_strategy"),
        (CreateFileBatchRequest.self, #"{"file_ids":null}"#, "file_ids"),
    ]

    @Test func nullIsRefusedWhereTheSpecDoesNotAllowIt() {
        for (type, body, param) in Self.nullCases {
            let error = anyRequestError(type, body)
            #expect(error?.status == 400, "\(body)")
            #expect(error?.param == param, "\(body)")
            #expect(error?.message.contains("got null") == true, "\(body)")
        }
    }

    @Test func nullIsAcceptedWhereTheSpecAllowsIt() {
        let bodies: [(any Decodable.Type, String)] = [
            (CreateAssistantRequest.self, #"{"model":"m","name":null,"description":null,"instructions":null,"tool_resources":null,"metadata":null,"temperature":null,"top_p":null}"#),
            (CreateRunRequest.self, #"{"assistant_id":"asst_1","model":null,"instructions":null,"tools":null,"stream":null,"truncation_strategy":null,"tool_choice":null}"#),
            (CreateMessageRequest.self, #"{"role":"user","content":"hi","attachments":null,"metadata":null}"#),
            (CreateThreadRequest.self, #"{"tool_resources":null,"metadata":null}"#),
        ]
        for (type, body) in bodies {
            #expect(anyRequestError(type, body) == nil, "\(body)")
        }
    }

    @Test func responsesHoldNoNullWhereTheSpecDoesNotAllowIt() throws {
        let store = try encodedJSON(VectorStore(id: "vs_1", createdAt: 1))
        #expect(store["name"] == .string(""))
        let file = try encodedJSON(FileObject(id: "file-1", bytes: 1, createdAt: 1, filename: "a.txt", purpose: "assistants"))
        #expect(file["expires_at"] == nil)
        #expect(file["status_details"] == nil)
        let function = try encodedJSON(AssistantTool.function(FunctionDefinition(name: "f")))
        #expect(function["function"]?["description"] == nil)
    }
}

