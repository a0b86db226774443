import AssistantsAPI
import Foundation
import Testing

/// Responses stream events: the spec's examples of every event this server sends decode and encode back
/// with every key and value they show (plus the keys the spec requires that some examples leave out, like
/// `logprobs`); frames carry the event's type as their name and its sequence number.
@Suite struct ResponseStreamEventTests {
    static let specExamples = [
        // ResponseCreatedEvent
        #"{"type":"response.created","response":{"id":"resp_67ccfcdd16748190a91872c75d38539e09e4d4aac714747c","object":"response","created_at":1741487325,"status":"in_progress","completed_at":null,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o-2024-08-06","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,"truncation":"disabled","usage":null,"user":null,"metadata":{}},"sequence_number":1}"#,
        // ResponseInProgressEvent
        #"{"type":"response.in_progress","response":{"id":"resp_67ccfcdd16748190a91872c75d38539e09e4d4aac714747c","object":"response","created_at":1741487325,"status":"in_progress","completed_at":null,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4o-2024-08-06","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,"truncation":"disabled","usage":null,"user":null,"metadata":{}},"sequence_number":1}"#,
        // ResponseOutputItemAddedEvent
        #"{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_123","status":"in_progress","type":"message","role":"assistant","content":[]},"sequence_number":1}"#,
        // ResponseContentPartAddedEvent
        #"{"type":"response.content_part.added","item_id":"msg_123","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]},"sequence_number":1}"#,
        // ResponseTextDeltaEvent
        #"{"type":"response.output_text.delta","item_id":"msg_123","output_index":0,"content_index":0,"delta":"In","sequence_number":1}"#,
        // ResponseTextDoneEvent
        #"{"type":"response.output_text.done","item_id":"msg_123","output_index":0,"content_index":0,"text":"In a shimmering forest under a sky full of stars.","sequence_number":1}"#,
        // ResponseContentPartDoneEvent
        #"{"type":"response.content_part.done","item_id":"msg_123","output_index":0,"content_index":0,"sequence_number":1,"part":{"type":"output_text","text":"In a shimmering forest under a sky full of stars.","annotations":[]}}"#,
        // ResponseOutputItemDoneEvent
        #"{"type":"response.output_item.done","output_index":0,"item":{"id":"msg_123","status":"completed","type":"message","role":"assistant","content":[{"type":"output_text","text":"In a shimmering forest under a sky full of stars.","annotations":[]}]},"sequence_number":1}"#,
        // ResponseFunctionCallArgumentsDoneEvent
        #"{"type":"response.function_call_arguments.done","item_id":"item-abc","name":"get_weather","output_index":1,"arguments":"{ \"arg\": 123 }","sequence_number":1}"#,
        // ResponseFileSearchCallInProgressEvent
        #"{"type":"response.file_search_call.in_progress","output_index":0,"item_id":"fs_123","sequence_number":1}"#,
        // ResponseFileSearchCallSearchingEvent
        #"{"type":"response.file_search_call.searching","output_index":0,"item_id":"fs_123","sequence_number":1}"#,
        // ResponseFileSearchCallCompletedEvent
        #"{"type":"response.file_search_call.completed","output_index":0,"item_id":"fs_123","sequence_number":1}"#,
        // ResponseCodeInterpreterCallCodeDeltaEvent
        #"{"type":"response.code_interpreter_call_code.delta","output_index":0,"item_id":"ci_12345","delta":"print('Hello, world')","sequence_number":1}"#,
        // ResponseCodeInterpreterCallCodeDoneEvent
        #"{"type":"response.code_interpreter_call_code.done","output_index":3,"item_id":"ci_12345","code":"print('done')","sequence_number":1}"#,
        // ResponseCodeInterpreterCallInterpretingEvent
        #"{"type":"response.code_interpreter_call.interpreting","output_index":4,"item_id":"ci_12345","sequence_number":1}"#,
        // ResponseCodeInterpreterCallCompletedEvent
        #"{"type":"response.code_interpreter_call.completed","output_index":5,"item_id":"ci_12345","sequence_number":1}"#,
        // ResponseCodeInterpreterCallInProgressEvent
        #"{"type":"response.code_interpreter_call.in_progress","output_index":0,"item_id":"ci_12345","sequence_number":1}"#,
        // ResponseErrorEvent
        #"{"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}"#,
        // ResponseRefusalDeltaEvent
        #"{"type":"response.refusal.delta","item_id":"msg_123","output_index":0,"content_index":0,"delta":"refusal text so far","sequence_number":1}"#,
        // ResponseRefusalDoneEvent
        #"{"type":"response.refusal.done","item_id":"item-abc","output_index":1,"content_index":2,"refusal":"final refusal text","sequence_number":1}"#,
        // ResponseOutputTextAnnotationAddedEvent
        #"{"type":"response.output_text.annotation.added","item_id":"item-abc","output_index":0,"content_index":0,"annotation_index":0,"annotation":{"type":"file_citation","file_id":"file-abc","index":0,"filename":"example.txt"},"sequence_number":1}"#,
    ]

    @Test(arguments: specExamples)
    func specExampleKeepsEveryValue(_ text: String) throws {
        let event = try JSONDecoder().decode(ResponseStreamEvent.self, from: Data(text.utf8))
        let encoded = try encodedJSON(event)
        #expect(differences(from: try json(text), in: encoded) == [])
        #expect(event.sequenceNumber == 1)
        #expect(encoded["type"] == .string(event.type))
    }

    @Test func textDeltasCarryTheLogprobsTheSpecRequires() throws {
        let delta = ResponseStreamEvent(.outputTextDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 0, delta: "Hi"), sequenceNumber: 4)
        #expect(try encodedJSON(delta) == json("""
            {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,
             "delta":"Hi","logprobs":[]}
            """))
    }

    @Test func errorEventHasEveryKey() throws {
        let error = ResponseStreamEvent(.error(code: "server_error", message: "The model failed.", param: nil), sequenceNumber: 7)
        #expect(try encodedJSON(error) == json(#"{"type":"error","sequence_number":7,"code":"server_error","message":"The model failed.","param":null}"#))
        #expect(error.endsStream)
    }

    @Test func functionCallArgumentsDoneNamesTheFunction() throws {
        let done = ResponseStreamEvent(
            .functionCallArgumentsDone(itemID: "fc_1", outputIndex: 1, name: "get_weather", arguments: "{}"), sequenceNumber: 9)
        #expect(try encodedJSON(done) == json("""
            {"type":"response.function_call_arguments.done","sequence_number":9,"item_id":"fc_1","output_index":1,
             "name":"get_weather","arguments":"{}"}
            """))
    }

    /// A whole text response as a client sees it: each frame's name is its data's `type`, numbers count up
    /// from 0, and only the last event ends the stream.
    @Test func framesOfATextResponse() throws {
        // Sampling parameters set, since unset ones read back as the 1 the wire reports for them.
        var response = ModelResponse(id: "resp_1", createdAt: 1, status: .inProgress, model: "m", temperature: 0.5, topP: 1)
        let message = ResponseMessage(id: "msg_1", role: .assistant, content: [], status: .inProgress)
        var done = message
        done.content = [.outputText(OutputText(text: "Hello"))]
        done.status = .completed
        let kinds: [ResponseStreamEvent.Kind] = [
            .response(.created, response), .response(.inProgress, response),
            .outputItemAdded(outputIndex: 0, item: .message(message)),
            .contentPartAdded(itemID: "msg_1", outputIndex: 0, contentIndex: 0, part: .outputText(OutputText(text: ""))),
            .outputTextDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 0, delta: "Hel"),
            .outputTextDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 0, delta: "lo"),
            .outputTextDone(itemID: "msg_1", outputIndex: 0, contentIndex: 0, text: "Hello"),
            .contentPartDone(itemID: "msg_1", outputIndex: 0, contentIndex: 0, part: .outputText(OutputText(text: "Hello"))),
            .outputItemDone(outputIndex: 0, item: .message(done)),
        ]
        response.status = .completed
        response.output = [.message(done)]
        let events = (kinds + [.response(.completed, response)]).enumerated().map { ResponseStreamEvent($1, sequenceNumber: $0) }
        var parser = ServerSentEvents()
        let frames = parser.feed(try events.reduce(into: Data()) { $0.append(try $1.frame()) })
        #expect(frames.count == events.count)
        for (index, frame) in frames.enumerated() {
            let data = try JSONDecoder().decode(JSONValue.self, from: frame.data)
            #expect(data["type"] == .string(frame.name))
            #expect(data["sequence_number"] == .integer(index))
            #expect(try JSONDecoder().decode(ResponseStreamEvent.self, from: frame.data) == events[index])
        }
        #expect(frames.map(\.name) == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
            "response.output_item.done", "response.completed",
        ])
        #expect(events.map(\.endsStream) == Array(repeating: false, count: events.count - 1) + [true])
    }

    /// Every kind of event reads back as itself from its own encoding (the Swift SDK reads what the server writes).
    @Test func everyKindRoundTrips() throws {
        let response = ModelResponse(id: "resp_1", createdAt: 1, status: .failed, model: "m", temperature: 1, topP: 1)
        let call = ResponseItem.codeInterpreterCall(CodeInterpreterCallItem(id: "ci_1", status: .interpreting, containerID: "cntr_1", code: "1"))
        let citation = ResponseAnnotation.containerFileCitation(containerID: "cntr_1", fileID: "cfile_1", filename: "a.png", startIndex: 1, endIndex: 2)
        let kinds: [ResponseStreamEvent.Kind] = ResponseStreamEvent.Lifecycle.allCases.map { .response($0, response) } + [
            .outputItemAdded(outputIndex: 2, item: call), .outputItemDone(outputIndex: 2, item: call),
            .contentPartAdded(itemID: "msg_1", outputIndex: 0, contentIndex: 1, part: .refusal("")),
            .contentPartDone(itemID: "msg_1", outputIndex: 0, contentIndex: 1, part: .refusal("No.")),
            .outputTextDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 0, delta: "a"),
            .outputTextDone(itemID: "msg_1", outputIndex: 0, contentIndex: 0, text: "a"),
            .outputTextAnnotationAdded(itemID: "msg_1", outputIndex: 0, contentIndex: 0, annotationIndex: 3, annotation: citation),
            .refusalDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 1, delta: "No"),
            .refusalDone(itemID: "msg_1", outputIndex: 0, contentIndex: 1, refusal: "No."),
            .functionCallArgumentsDelta(itemID: "fc_1", outputIndex: 1, delta: "{"),
            .functionCallArgumentsDone(itemID: "fc_1", outputIndex: 1, name: "f", arguments: "{}"),
            .fileSearchCall(.inProgress, itemID: "fs_1", outputIndex: 0), .fileSearchCall(.searching, itemID: "fs_1", outputIndex: 0),
            .fileSearchCall(.completed, itemID: "fs_1", outputIndex: 0),
            .codeInterpreterCall(.inProgress, itemID: "ci_1", outputIndex: 2), .codeInterpreterCall(.interpreting, itemID: "ci_1", outputIndex: 2),
            .codeInterpreterCall(.completed, itemID: "ci_1", outputIndex: 2),
            .codeInterpreterCodeDelta(itemID: "ci_1", outputIndex: 2, delta: "pr"),
            .codeInterpreterCodeDone(itemID: "ci_1", outputIndex: 2, code: "print(1)"),
            .error(code: nil, message: "Boom.", param: "input"),
        ]
        for (number, kind) in kinds.enumerated() {
            let event = ResponseStreamEvent(kind, sequenceNumber: number)
            let data = try JSONEncoder().encode(event)
            #expect(try JSONDecoder().decode(ResponseStreamEvent.self, from: data) == event, "\(event.type)")
        }
    }

    @Test func toolCallPhasesNameTheirEvents() {
        #expect(ResponseStreamEvent(.fileSearchCall(.searching, itemID: "fs_1", outputIndex: 0), sequenceNumber: 0).type == "response.file_search_call.searching")
        #expect(ResponseStreamEvent(.codeInterpreterCall(.interpreting, itemID: "ci_1", outputIndex: 0), sequenceNumber: 0).type
            == "response.code_interpreter_call.interpreting")
        #expect(ResponseStreamEvent(.codeInterpreterCodeDone(itemID: "ci_1", outputIndex: 0, code: "1"), sequenceNumber: 0).type
            == "response.code_interpreter_call_code.done")
    }
}
