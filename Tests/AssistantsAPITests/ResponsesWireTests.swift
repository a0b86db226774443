import AssistantsAPI
import Foundation
import Testing

/// The Responses, Conversations and Containers objects: OpenAI's examples from the spec decode into our
/// types and encode back with every key and value they show; objects built from the shapes the `openai`
/// package parses round-trip exactly.
@Suite struct ResponsesWireTests {
    /// `POST /responses` "Text input" example of the spec.
    static let textResponse = """
        {"id":"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b","object":"response","created_at":1741476542,
         "status":"completed","completed_at":1741476543,"error":null,"incomplete_details":null,"instructions":null,
         "max_output_tokens":null,"model":"gpt-5.4","output":[{"type":"message",
         "id":"msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b","status":"completed","role":"assistant",
         "content":[{"type":"output_text","text":"In a peaceful grove beneath a silver moon.","annotations":[]}]}],
         "parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,
         "temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,
         "truncation":"disabled","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},
         "output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123},"user":null,"metadata":{}}
        """

    /// Every property the spec's `Response` schema defines that this server reports.
    static let responseKeys: Set = [
        "id", "object", "created_at", "status", "completed_at", "error", "incomplete_details", "instructions", "model", "output",
        "parallel_tool_calls", "previous_response_id", "conversation", "tools", "tool_choice", "temperature", "top_p",
        "max_output_tokens", "max_tool_calls", "metadata", "text", "truncation", "usage", "reasoning", "store", "background", "user",
        "safety_identifier", "prompt_cache_key", "service_tier",
    ]

    /// A response that used every tool, in the shapes the `openai` package's pydantic models declare
    /// (`ResponseFunctionToolCall`, `ResponseFileSearchToolCall`, `ResponseCodeInterpreterToolCall`,
    /// `ResponseOutputText` with `file_citation` and `container_file_citation`).
    static let toolResponse = """
        {"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","completed_at":1741476550,
         "error":null,"incomplete_details":null,"instructions":"Be brief.","model":"qwen3","parallel_tool_calls":false,
         "previous_response_id":"resp_0","conversation":{"id":"conv_1"},
         "output":[
          {"type":"file_search_call","id":"fs_1","status":"completed","queries":["refund policy"],
           "results":[{"file_id":"file-1","filename":"policy.md","score":0.82,"text":"Refunds within 30 days.","attributes":{"lang":"en","year":2024}}]},
          {"type":"code_interpreter_call","id":"ci_1","status":"completed","container_id":"cntr_1","code":"print(1+1)",
           "outputs":[{"type":"logs","logs":"2\\n"},{"type":"image","url":"https://example.com/v1/containers/cntr_1/files/cfile_1/content"}]},
          {"type":"function_call","id":"fc_1","status":"completed","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
          {"type":"message","id":"msg_1","status":"completed","role":"assistant",
           "content":[{"type":"output_text","text":"Refunds take 30 days; see plot.png.","logprobs":[],
            "annotations":[{"type":"file_citation","file_id":"file-1","filename":"policy.md","index":23},
                           {"type":"container_file_citation","container_id":"cntr_1","file_id":"cfile_1","filename":"plot.png","start_index":26,"end_index":34}]},
            {"type":"refusal","refusal":"I cannot share that."}]}],
         "tools":[
          {"type":"function","name":"get_weather","description":null,"parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true},
          {"type":"file_search","vector_store_ids":["vs_1"],"filters":{"type":"eq","key":"lang","value":"en"},"max_num_results":5,
           "ranking_options":{"ranker":"default-2024-11-15","score_threshold":0.25}},
          {"type":"code_interpreter","container":{"type":"auto","file_ids":["file-2"]}},
          {"type":"code_interpreter","container":"cntr_1"}],
         "tool_choice":{"type":"function","name":"get_weather"},"temperature":0.2,"top_p":0.9,"max_output_tokens":512,
         "max_tool_calls":4,"metadata":{"k":"v"},
         "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true},"verbosity":"low"},
         "truncation":"auto","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},
         "output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15},
         "reasoning":{"effort":"low","summary":null},"store":true,"background":true,"user":"u1","safety_identifier":"s1",
         "prompt_cache_key":"p1","service_tier":"default"}
        """

    @Test func specResponseExampleKeepsEveryValue() throws {
        let example = try json(Self.textResponse)
        let response = try JSONDecoder().decode(ModelResponse.self, from: Data(Self.textResponse.utf8))
        let encoded = try encodedJSON(response)
        #expect(differences(from: example, in: encoded) == [])
        #expect(encoded.keys.isSubset(of: Self.responseKeys), "keys the spec does not define: \(encoded.keys.subtracting(Self.responseKeys))")
        #expect(response.outputText == "In a peaceful grove beneath a silver moon.")
    }

    @Test func responseWithEveryToolRoundTrips() throws {
        let response = try JSONDecoder().decode(ModelResponse.self, from: Data(Self.toolResponse.utf8))
        #expect(try encodedJSON(response) == json(Self.toolResponse))
        #expect(response.conversationID == "conv_1")
        #expect(response.output.map(\.type) == ["file_search_call", "code_interpreter_call", "function_call", "message"])
    }

    @Test func responseHasTheRequiredKeysEvenWhenNull() throws {
        let encoded = try encodedJSON(ModelResponse(id: "resp_1", createdAt: 1, model: "m"))
        let required: Set = [
            "id", "object", "created_at", "error", "incomplete_details", "instructions", "model", "tools", "output",
            "parallel_tool_calls", "metadata", "tool_choice", "temperature", "top_p",
        ]
        #expect(encoded.keys.isSuperset(of: required))
        #expect(encoded["temperature"] == .integer(1))
        #expect(encoded["status"] == .string("queued"))
        #expect(encoded["text"] == (try json(#"{"format":{"type":"text"},"verbosity":"medium"}"#)))
    }

    @Test func storageKeepsUnsetSamplingParametersUnset() throws {
        let encoder = JSONEncoder()
        encoder.userInfo[.storage] = true
        let stored = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(ModelResponse(id: "resp_1", createdAt: 1, model: "m")))
        #expect(stored["temperature"] == .null)
        let decoded = try JSONDecoder().decode(ModelResponse.self, from: encoder.encode(ModelResponse(id: "resp_1", createdAt: 1, model: "m")))
        #expect(decoded.temperature == nil)
    }

    /// The item shapes the Conversations API lists (spec examples), and the input item list of a response.
    @Test func conversationAndInputItemExamplesRoundTrip() throws {
        let conversationItems = """
            {"object":"list","data":[{"type":"message","id":"msg_abc","status":"completed","role":"user",
             "content":[{"type":"input_text","text":"Hello!"}]},{"type":"message","id":"msg_def","status":"completed","role":"user",
             "content":[{"type":"input_text","text":"How are you?"}]}],"first_id":"msg_abc","last_id":"msg_def","has_more":false}
            """
        let inputItems = """
            {"object":"list","data":[{"id":"msg_abc123","type":"message","role":"user",
             "content":[{"type":"input_text","text":"Tell me a three sentence bedtime story about a unicorn."}]}],
             "first_id":"msg_abc123","last_id":"msg_abc123","has_more":false}
            """
        for text in [conversationItems, inputItems] {
            let page = try JSONDecoder().decode(ListPage<ResponseItem>.self, from: Data(text.utf8))
            #expect(try encodedJSON(page) == json(text))
        }
    }

    @Test func inputPartsRoundTrip() throws {
        let text = """
            [{"type":"input_text","text":"What is in these?"},
             {"type":"input_image","detail":"high","image_url":"data:image/png;base64,AAAA"},
             {"type":"input_image","detail":"auto","file_id":"file-1"},
             {"type":"input_file","file_id":"file-2"},
             {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,AAAA"},
             {"type":"input_file","file_url":"https://example.com/a.pdf"}]
            """
        let parts = try JSONDecoder().decode([ResponseContent].self, from: Data(text.utf8))
        #expect(try encodedJSON(parts) == json(text))
    }

    /// A message item's input files are a thread message's attachments that remember their place and
    /// filename in storage only: the item reads back as sent, the Assistants message shows plain attachments.
    @Test func inputFilesKeepTheirPlaceThroughTheThreadMessage() throws {
        let item = ResponseMessage(role: .user, content: [
            .inputFile(InputFile(fileID: "file-1", filename: "a.pdf")), .inputText("Compare"), .inputFile(InputFile(fileID: "file-2")),
            .inputText("please."),
        ])
        let message = try #require(Message(item, id: "msg_1", threadID: "thread_1", createdAt: 1))
        #expect(message.attachments.map(\.fileID) == ["file-1", "file-2"] && message.attachments.allSatisfy(\.tools.isEmpty))
        #expect(ResponseMessage(message).content == item.content)

        let encoder = JSONEncoder()
        encoder.userInfo[.storage] = true
        let stored = try JSONDecoder().decode(Message.self, from: encoder.encode(message))
        #expect(ResponseMessage(stored).content == item.content)
        let wire = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(message))
        #expect(wire["attachments"] == (try json(#"[{"file_id":"file-1","tools":[]},{"file_id":"file-2","tools":[]}]"#)))
        // An Assistants message's attachment comes after its parts, and a client cannot place one.
        let request = try JSONDecoder().decode(
            CreateMessageRequest.self, from: Data(#"{"role":"user","content":"x","attachments":[{"file_id":"file-3","tools":[],"_input_part":{"index":0}}]}"#.utf8))
        #expect(request.attachments == [Attachment(fileID: "file-3", tools: [])])
    }

    /// A file path to a container's file reads as a `container_file_citation`, and back.
    @Test func containerFilePathsAreContainerFileCitations() throws {
        let path = Annotation(kind: .filePath, text: "sandbox:/mnt/data/out.csv", fileID: "cfile_1", startIndex: 4, endIndex: 29, containerID: "cntr_1")
        let citation = ResponseAnnotation(path)
        #expect(citation == .containerFileCitation(containerID: "cntr_1", fileID: "cfile_1", filename: "out.csv", startIndex: 4, endIndex: 29))
        #expect(try encodedJSON(citation) == json(
            #"{"type":"container_file_citation","container_id":"cntr_1","file_id":"cfile_1","filename":"out.csv","start_index":4,"end_index":29}"#))
        let item = ResponseMessage(role: .assistant, content: [.outputText(OutputText(text: "See sandbox:/mnt/data/out.csv", annotations: [citation]))])
        let message = try #require(Message(item, id: "msg_1", threadID: "thread_1", createdAt: 1))
        #expect(ResponseMessage(message).content == item.content)
        // Without a container it is the Assistants file path it always was.
        #expect(ResponseAnnotation(Annotation(kind: .filePath, text: "sandbox:/mnt/data/out.csv", fileID: "file-1", startIndex: 4, endIndex: 29))
            == .filePath(fileID: "file-1", index: 4))
    }

    @Test func functionCallOutputsRoundTrip() throws {
        for text in [
            #"{"type":"function_call_output","id":"fco_1","status":"completed","call_id":"call_1","output":"{\"temp\":21}"}"#,
            #"{"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"21 degrees"}]}"#,
            #"{"type":"item_reference","id":"msg_1"}"#,
        ] {
            let item = try JSONDecoder().decode(ResponseItem.self, from: Data(text.utf8))
            #expect(try encodedJSON(item) == json(text))
        }
    }

    @Test func resultsAndOutputsAreNullUnlessIncluded() throws {
        let search = FileSearchCallItem(id: "fs_1", status: .completed, queries: ["q"], results: [.init(fileID: "f", filename: "a", score: 1, text: "t")])
        #expect(try encodedJSON(ResponseItem.fileSearchCall(search.withoutResults()))["results"] == .null)
        let code = CodeInterpreterCallItem(id: "ci_1", status: .completed, containerID: "cntr_1", code: "1", outputs: [.logs("1")])
        let encoded = try encodedJSON(ResponseItem.codeInterpreterCall(code.withoutOutputs()))
        #expect(encoded["outputs"] == .null)
        #expect(encoded["code"] == .string("1"))
    }

    @Test func conversationExamplesRoundTrip() throws {
        let text = #"{"id":"conv_123","object":"conversation","created_at":1741900000,"metadata":{"topic":"demo"}}"#
        let conversation = try JSONDecoder().decode(Conversation.self, from: Data(text.utf8))
        #expect(try encodedJSON(conversation) == json(text))
        let thread = AssistantThread(id: "thread_1", createdAt: 5, metadata: ["a": "b"])
        #expect(try encodedJSON(Conversation(thread)) == json(#"{"id":"thread_1","object":"conversation","created_at":5,"metadata":{"a":"b"}}"#))
        let deleted = #"{"id":"conv_123","object":"conversation.deleted","deleted":true}"#
        #expect(try encodedJSON(DeletionStatus(id: "conv_123", object: "conversation.deleted")) == json(deleted))
    }

    @Test func containerExamplesKeepEveryValue() throws {
        let text = """
            {"id":"cntr_682dfebaacac8198bbfe9c2474fb6f4a085685cbe3cb5863","object":"container","created_at":1747844794,
             "status":"running","expires_after":{"anchor":"last_active_at","minutes":20},"last_active_at":1747844794,
             "memory_limit":"1g","name":"My Container"}
            """
        let encoded = try encodedJSON(try JSONDecoder().decode(Container.self, from: Data(text.utf8)))
        #expect(differences(from: try json(text), in: encoded) == [])
        #expect(encoded["network_policy"] == (try json(#"{"type":"disabled"}"#)))
        let file = """
            {"id":"cfile_682e0e8a43c88191a7978f477a09bdf5","object":"container.file","created_at":1747848842,"bytes":880,
             "container_id":"cntr_682e0e7318108198aa783fd921ff305e08e78805b9fdbb04",
             "path":"/mnt/data/88e12fa445d32636f190a0b33daed6cb-tsconfig.json","source":"user"}
            """
        #expect(try encodedJSON(try JSONDecoder().decode(ContainerFile.self, from: Data(file.utf8))) == json(file))
    }

    @Test func inputTokenCountHasItsObjectName() throws {
        #expect(try encodedJSON(InputTokenCount(inputTokens: 11)) == json(#"{"object":"response.input_tokens","input_tokens":11}"#))
    }

    @Test func notFoundUsesTheResponsesWording() throws {
        #expect(APIError.notFound(.response, id: "resp_x").message == "Response with id 'resp_x' not found.")
        #expect(APIError.notFound(.conversation, id: "conv_x").message == "Conversation with id 'conv_x' not found.")
        #expect(APIError.notFound(.containerFile, id: "cfile_x").message == "Container file with id 'cfile_x' not found.")
        #expect(APIError.itemNotFound(id: "msg_x").message == "Item with id 'msg_x' not found.")
        #expect(APIError.notFound(.thread, id: "thread_x").message == "No thread found with id 'thread_x'.")
    }
}
