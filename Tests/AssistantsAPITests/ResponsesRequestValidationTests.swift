import AssistantsAPI
import Foundation
import Testing

/// Bad Responses, Conversations and Containers request bodies fail with OpenAI's 400 and the offending
/// parameter's path; what the SDKs actually send decodes.
@Suite struct ResponsesRequestValidationTests {
    typealias Case = RequestValidationTests.Case

    static let responseCases: [Case] = [
        Case(body: #"{"input":"hi"}"#, param: "model"),
        Case(body: #"{"model":""}"#, param: "model"),
        Case(body: #"{"model":"m"}"#, param: "input"),
        Case(body: #"{"model":"m","input":7}"#, param: "input"),
        Case(body: #"{"model":"m","input":[{"type":"reasoning","summary":[]}]}"#, param: "input[0].type"),
        Case(body: #"{"model":"m","input":[{"role":"robot","content":"hi"}]}"#, param: "input[0].role"),
        Case(body: #"{"model":"m","input":[{"role":"user"}]}"#, param: "input[0].content"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]}"#, param: "input[0].content[0].type"),
        Case(body: #"{"model":"m","input":[{"role":"assistant","content":[{"type":"input_text","text":"x"}]}]}"#, param: "input[0].content[0].type"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}"#, param: "input[0].content[0].type"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","detail":"auto"}]}]}"#, param: "input[0].content[0]"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"ftp://x"}]}]}"#, param: "input[0].content[0].image_url"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","detail":"huge","file_id":"file-1"}]}]}"#, param: "input[0].content[0].detail"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_data":"AAAA"}]}]}"#, param: "input[0].content[0].filename"),
        Case(body: #"{"model":"m","input":[{"role":"user","content":[{"type":"input_file"}]}]}"#, param: "input[0].content[0]"),
        Case(body: #"{"model":"m","input":[{"type":"function_call_output","output":"x"}]}"#, param: "input[0].call_id"),
        Case(body: #"{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"output_text","text":"x"}]}]}"#, param: "input[0].output[0].type"),
        Case(body: #"{"model":"m","input":[{"type":"function_call","call_id":"c","arguments":"{}"}]}"#, param: "input[0].name"),
        Case(body: #"{"model":"m","input":[{"type":"item_reference"}]}"#, param: "input[0].id"),
        Case(body: #"{"model":"m","input":"hi","instructions":7}"#, param: "instructions"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"web_search"}]}"#, param: "tools[0].type"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"function","name":"has space"}]}"#, param: "tools[0].name"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"function","name":"f","parameters":"x"}]}"#, param: "tools[0].parameters"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"file_search"}]}"#, param: "tools[0].vector_store_ids"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"file_search","vector_store_ids":["vs_1"],"max_num_results":51}]}"#, param: "tools[0].max_num_results"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"file_search","vector_store_ids":["vs_1"],"ranking_options":{"score_threshold":2}}]}"#, param: "tools[0].ranking_options.score_threshold"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"file_search","vector_store_ids":["vs_1"],"filters":{"type":"like","key":"a","value":"b"}}]}"#, param: "tools[0].filters.type"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"code_interpreter"}]}"#, param: "tools[0].container"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"code_interpreter","container":{"type":"manual"}}]}"#, param: "tools[0].container.type"),
        Case(body: #"{"model":"m","input":"hi","tools":[{"type":"code_interpreter","container":{"type":"auto","memory_limit":"2g"}}]}"#, param: "tools[0].container.memory_limit"),
        Case(body: #"{"model":"m","input":"hi","tool_choice":"sometimes"}"#, param: "tool_choice"),
        Case(body: #"{"model":"m","input":"hi","tool_choice":{"type":"function","name":"f"}}"#, param: "tool_choice"),
        Case(body: #"{"model":"m","input":"hi","tool_choice":{"type":"file_search"}}"#, param: "tool_choice"),
        Case(body: #"{"model":"m","input":"hi","tool_choice":{"type":"mcp"}}"#, param: "tool_choice.type"),
        Case(body: #"{"model":"m","input":"hi","text":{"format":{"type":"xml"}}}"#, param: "text.format.type"),
        Case(body: #"{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"a"}}}"#, param: "text.format.schema"),
        Case(body: #"{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"a b","schema":{}}}}"#, param: "text.format.name"),
        Case(body: #"{"model":"m","input":"hi","text":{"verbosity":"loud"}}"#, param: "text.verbosity"),
        Case(body: #"{"model":"m","input":"hi","include":["everything"]}"#, param: "include[0]"),
        Case(body: #"{"model":"m","input":"hi","max_output_tokens":15}"#, param: "max_output_tokens"),
        Case(body: #"{"model":"m","input":"hi","max_tool_calls":0}"#, param: "max_tool_calls"),
        Case(body: #"{"model":"m","input":"hi","temperature":2.5}"#, param: "temperature"),
        Case(body: #"{"model":"m","input":"hi","top_p":1.5}"#, param: "top_p"),
        Case(body: #"{"model":"m","input":"hi","truncation":"sometimes"}"#, param: "truncation"),
        Case(body: #"{"model":"m","input":"hi","reasoning":{"effort":"extreme"}}"#, param: "reasoning.effort"),
        Case(body: #"{"model":"m","input":"hi","metadata":{"k":1}}"#, param: "metadata.k"),
        Case(body: #"{"model":"m","input":"hi","conversation":{}}"#, param: "conversation.id"),
        Case(body: #"{"model":"m","input":"hi","background":true,"store":false}"#, param: "background"),
        Case(body: #"{"model":"m","input":"hi","safety_identifier":"\#(String(repeating: "a", count: 65))"}"#, param: "safety_identifier"),
    ]

    @Test(arguments: responseCases)
    func invalidResponseRequests(_ testCase: Case) throws {
        let error = try #require(requestError(CreateResponseRequest.self, testCase.body))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == testCase.param, "\(error.message)")
    }

    @Test func errorMessagesUseOpenAIsWording() throws {
        let both = try #require(requestError(CreateResponseRequest.self, #"{"model":"m","input":"hi","previous_response_id":"resp_1","conversation":"conv_1"}"#))
        #expect(both.message == "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.")
        #expect(both.code == "mutually_exclusive_parameters")
        let role = try #require(requestError(CreateResponseRequest.self, #"{"model":"m","input":[{"role":"assistant","content":[{"type":"input_text","text":"x"}]}]}"#))
        #expect(role.message == "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.")
        let tokens = try #require(requestError(CreateResponseRequest.self, #"{"model":"m","input":"hi","max_output_tokens":15}"#))
        #expect(tokens.message == "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 instead.")
        let choice = try #require(requestError(CreateResponseRequest.self, #"{"model":"m","input":"hi","tool_choice":{"type":"function","name":"f"}}"#))
        #expect(choice.message == "Tool choice 'function' not found in 'tools' parameter.")
    }

    /// The request `responses.create` sends for an Agents SDK run that goes on from earlier output: items
    /// dumped from the package's own models (ids, statuses, `logprobs`, `annotations`), the fields it always
    /// sends, and some the server has no use for.
    @Test func agentsSDKRequestDecodes() throws {
        let body = """
            {"model":"qwen3","instructions":"You are helpful.","include":[],"tools":[
              {"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},
               "required":["city"],"additionalProperties":false},"strict":true}],
             "input":[{"content":"What's the weather in Paris?","role":"user"},
              {"id":"fc_1","arguments":"{\\"city\\":\\"Paris\\"}","call_id":"call_1","name":"get_weather","type":"function_call","status":"completed"},
              {"call_id":"call_1","output":"21C","type":"function_call_output"},
              {"id":"msg_1","content":[{"annotations":[],"text":"It is 21C.","type":"output_text","logprobs":[]}],"role":"assistant","status":"completed","type":"message"},
              {"role":"user","content":[{"type":"input_text","text":"And tomorrow?"},{"type":"input_image","image_url":"https://example.com/a.png"}]}],
             "tool_choice":"auto","parallel_tool_calls":false,"stream":true,"store":true,"temperature":0.3,
             "reasoning":{"effort":"low","summary":"auto"},"prompt_cache_retention":"24h","service_tier":"auto","stream_options":{"include_obfuscation":false},
             "top_logprobs":0,"text":{"format":{"type":"json_schema","name":"final_output","schema":{"type":"object"},"strict":true}}}
            """
        let request = try RequestDecoder.decode(CreateResponseRequest.self, from: Data(body.utf8))
        #expect(request.model == "qwen3")
        #expect(request.stream && request.store && !request.background)
        #expect(request.reasoningEffort == .low)
        #expect(request.context.parallelToolCalls == false)
        #expect(request.context.input?.items.map(\.type) == ["message", "function_call", "function_call_output", "message", "message"])
        guard case .message(let assistant) = request.context.input?.items[3] else { Issue.record("not a message"); return }
        #expect(assistant.content == [.outputText(OutputText(text: "It is 21C."))])
        guard case .jsonSchema(let schema) = request.context.text?.format else { Issue.record("not json_schema"); return }
        #expect(schema.name == "final_output" && schema.strict == true)
    }

    /// A request the Agents SDK (openai-agents 0.24.0, `OpenAIConversationsSession`) sent on the second turn
    /// of a run with a function tool, captured as it left the `openai` client: the session's items read back
    /// from a conversation, replayed with their ids, then the new input and the function's output.
    static let agentsSessionRequest = #"{"model":"m","include":[],"input":[{"id":"msg_1","content":[{"text":"Weather in Paris?","type":"input_text"}],"role":"user","status":"completed","type":"message"},{"arguments":"{\"city\":\"Paris\"}","call_id":"call_1","name":"get_weather","type":"function_call","id":"fc_1","status":"completed"},{"id":"fs_1","queries":["paris"],"status":"completed","type":"file_search_call","results":null},{"id":"ci_1","code":"print(1)","container_id":"cntr_1","outputs":null,"status":"completed","type":"code_interpreter_call"},{"content":[{"annotations":[{"file_id":"file-1","filename":"w.md","index":10,"type":"file_citation"}],"text":"It is 21C.","type":"output_text","logprobs":[]}],"role":"assistant","status":"completed","type":"message"},{"content":"Weather in Paris?","role":"user"},{"call_id":"call_1","output":"21C","type":"function_call_output"}],"instructions":"Be brief.","tools":[{"name":"get_weather","parameters":{"properties":{"city":{"title":"City","type":"string"}},"required":["city"],"title":"get_weather_args","type":"object","additionalProperties":false},"strict":true,"type":"function","description":"Weather."}]}"#

    @Test func agentsSDKSessionRequestDecodes() throws {
        let request = try RequestDecoder.decode(CreateResponseRequest.self, from: Data(Self.agentsSessionRequest.utf8))
        #expect(request.context.input?.items.map(\.type) == [
            "message", "function_call", "file_search_call", "code_interpreter_call", "message", "message", "function_call_output",
        ])
        #expect(request.context.input?.items.first?.id == "msg_1")
        #expect(request.context.tools.map(\.type) == ["function"])
        #expect(request.store && !request.stream)
    }

    @Test func stringInputIsOneUserMessage() throws {
        let request = try RequestDecoder.decode(CreateResponseRequest.self, from: Data(#"{"model":"m","input":"Hello"}"#.utf8))
        #expect(request.context.input?.items == [.message(ResponseMessage(role: .user, content: [.inputText("Hello")]))])
        #expect(request.store)
        let assistant = try JSONDecoder().decode(ResponseItem.self, from: Data(#"{"role":"assistant","content":"Hi"}"#.utf8))
        #expect(assistant == .message(ResponseMessage(role: .assistant, content: [.outputText(OutputText(text: "Hi"))])))
    }

    @Test func aConversationOrAPreviousResponseStandsInForInput() throws {
        for body in [#"{"model":"m","conversation":"conv_1"}"#, #"{"model":"m","conversation":{"id":"conv_1"}}"#] {
            let request = try RequestDecoder.decode(CreateResponseRequest.self, from: Data(body.utf8))
            #expect(request.context.conversationID == "conv_1")
        }
        let chained = try RequestDecoder.decode(CreateResponseRequest.self, from: Data(#"{"model":"m","previous_response_id":"resp_1"}"#.utf8))
        #expect(chained.context.previousResponseID == "resp_1")
    }

    @Test func inputTokensNeedsNothing() throws {
        let request = try RequestDecoder.decode(InputTokensRequest.self, from: Data())
        #expect(request.context.input == nil)
        let error = try #require(requestError(InputTokensRequest.self, #"{"input":[{"type":"nope"}]}"#))
        #expect(error.param == "input[0].type")
    }

    nonisolated(unsafe) static let conversationCases: [(type: any Decodable.Type, body: String, param: String)] = [
        (CreateConversationRequest.self, #"{"items":[\#((0..<21).map { _ in #"{"role":"user","content":"x"}"# }.joined(separator: ","))]}"#, "items"),
        (CreateConversationRequest.self, #"{"items":[{"type":"item_reference","id":"msg_1"}]}"#, "items[0].type"),
        (CreateConversationRequest.self, #"{"metadata":{"k":1}}"#, "metadata.k"),
        (UpdateConversationRequest.self, #"{}"#, "metadata"),
        (CreateConversationItemsRequest.self, #"{}"#, "items"),
        (CreateConversationItemsRequest.self, #"{"items":[]}"#, "items"),
        (CreateConversationItemsRequest.self, #"{"items":null}"#, "items"),
        (CreateConversationItemsRequest.self, #"{"items":[{"role":"user","content":[{"type":"refusal","refusal":"x"}]}]}"#, "items[0].content[0].type"),
        (CreateContainerRequest.self, #"{}"#, "name"),
        (CreateContainerRequest.self, #"{"name":"c","memory_limit":"3g"}"#, "memory_limit"),
        (CreateContainerRequest.self, #"{"name":"c","expires_after":{"anchor":"created_at","minutes":5}}"#, "expires_after.anchor"),
        (CreateContainerRequest.self, #"{"name":"c","expires_after":{"anchor":"last_active_at","minutes":0}}"#, "expires_after.minutes"),
        (CreateContainerRequest.self, #"{"name":"c","network_policy":{"type":"allowlist","allowed_domains":["x.com"]}}"#, "network_policy.type"),
        (CreateContainerFileRequest.self, #"{}"#, "file_id"),
    ]

    @Test func invalidConversationAndContainerRequests() throws {
        for (type, body, param) in Self.conversationCases {
            let error = try #require(anyRequestError(type, body), "\(body)")
            #expect(error.param == param, "\(body): \(error.message)")
        }
    }

    @Test func conversationRequestsDecode() throws {
        let create = try RequestDecoder.decode(CreateConversationRequest.self, from: Data())
        #expect(create.items.isEmpty && create.metadata == nil)
        let cleared = try RequestDecoder.decode(UpdateConversationRequest.self, from: Data(#"{"metadata":null}"#.utf8))
        #expect(cleared.metadata == nil)
        let items = try RequestDecoder.decode(CreateConversationItemsRequest.self, from: Data("""
            {"items":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello!"}]},
                      {"type":"message","role":"user","content":[{"type":"input_text","text":"How are you?"}]}]}
            """.utf8))
        #expect(items.items.count == 2)
    }

    /// What the Swift SDK encodes is what the server decodes.
    @Test func requestsSurviveTheSDKsEncoding() throws {
        func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
            try RequestDecoder.decode(T.self, from: JSONEncoder().encode(value))
        }
        let context = ResponseContextParameters(
            model: "m", input: .items([.message(ResponseMessage(role: .user, content: [.inputText("Hi")]))]), instructions: "Be brief.",
            tools: [.function(ResponseFunctionTool(name: "f", parameters: .object(["type": .string("object")]))),
                    .codeInterpreter(ResponseCodeInterpreterTool())],
            toolChoice: .function("f"), parallelToolCalls: false, conversationID: "conv_1",
            text: ResponseTextConfig(format: .jsonObject), truncation: .auto)
        let request = CreateResponseRequest(
            context: context, include: [.codeInterpreterCallOutputs], maxOutputTokens: 100, metadata: ["k": "v"], temperature: 0.5,
            reasoningEffort: .high, background: true, stream: true, user: "u")
        #expect(try roundTrip(request) == request)
        #expect(try roundTrip(InputTokensRequest(context: context)) == InputTokensRequest(context: context))
        let conversation = CreateConversationRequest(items: [.message(ResponseMessage(role: .developer, content: [.inputText("x")]))], metadata: ["a": "b"])
        #expect(try roundTrip(conversation) == conversation)
        #expect(try roundTrip(UpdateConversationRequest(metadata: nil)) == UpdateConversationRequest(metadata: nil))
        let items = CreateConversationItemsRequest(items: [.message(ResponseMessage(role: .user, content: [.inputText("x")]))])
        #expect(try roundTrip(items) == items)
        let container = CreateContainerRequest(name: "c", fileIDs: ["file-1"], expiresAfter: .init(minutes: 5), memoryLimit: "4g")
        #expect(try roundTrip(container) == container)
    }

    @Test func retrieveQueryReadsStreamAndStartingAfter() throws {
        let query = try RetrieveResponseQuery(include: ["file_search_call.results"], stream: "true", startingAfter: "12")
        #expect(query.include == [.fileSearchCallResults] && query.stream && query.startingAfter == 12)
        #expect(throws: APIError.self) { try RetrieveResponseQuery(include: [], stream: "yes", startingAfter: nil) }
        #expect(throws: APIError.self) { try RetrieveResponseQuery(include: [], stream: nil, startingAfter: "-1") }
        #expect(throws: APIError.self) { try RetrieveResponseQuery(include: ["all"], stream: nil, startingAfter: nil) }
    }
}
