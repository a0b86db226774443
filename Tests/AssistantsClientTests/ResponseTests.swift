import AssistantsAPI
@testable import AssistantsClient
import FakeModel
import Foundation
import Testing

@Suite struct ResponseTests {
    @Test func textStreamsWithSnapshotsAndIsStored() async throws {
        try await TestServer.run { server in
            let client = server.client
            server.model.enqueue(FakeReply(chunks: ["The ", "answer ", "is 4."]))
            let stream = try await client.responses.stream(.text("What is 2 + 2?", model: "gpt-4o", instructions: "Be terse."))
            var types: [String] = []
            var numbers: [Int] = []
            var textSoFar: [String] = []
            var last = ResponseSnapshot()
            for try await update in stream {
                types.append(update.event.type)
                numbers.append(update.event.sequenceNumber)
                if case .outputTextDelta = update.event.kind { textSoFar.append(update.snapshot.outputText) }
                last = update.snapshot
            }
            #expect(types.prefix(2) == ["response.created", "response.in_progress"] && types.last == "response.completed")
            #expect(numbers == Array(0..<numbers.count), "sequence numbers count from 0 without a gap")
            #expect(textSoFar == ["The ", "The answer ", "The answer is 4."])
            #expect(last.lastSequenceNumber == numbers.last)
            let response = try #require(last.response)
            #expect(response.status == .completed && last.outputText == "The answer is 4." && last.error == nil)

            let stored = try await client.responses.retrieve(response.id)
            #expect(stored.status == .completed && stored.outputText == "The answer is 4." && stored.output == last.output)
            #expect(stored.instructions == "Be terse.")
            let sent = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(sent.map { $0["content"] } == [.string("Be terse."), .string("What is 2 + 2?")])
        }
    }

    @Test func aBackgroundResponseResumesAfterTheLastEventSeen() async throws {
        try await TestServer.run { server in
            let client = server.client
            server.model.enqueue(FakeReply(chunks: ["One ", "two ", "three."], delayMsBeforeFirst: 100, delayMsBetween: 200))
            var request = CreateResponseRequest.text("Count.", model: "gpt-4o")
            request.background = true
            var seen: [Int] = []
            var id: String?
            // The first stream breaks off after the first words.
            for try await update in try await client.responses.stream(request) {
                seen.append(update.event.sequenceNumber)
                id = update.snapshot.response?.id
                if case .outputTextDelta = update.event.kind { break }
            }
            let responseID = try #require(id)
            var rest: [Int] = []
            var last = ResponseSnapshot()
            for try await update in try await client.responses.resume(responseID, startingAfter: seen.last) {
                rest.append(update.event.sequenceNumber)
                last = update.snapshot
            }
            #expect(seen + rest == Array(0..<(seen.count + rest.count)))
            #expect(last.response?.status == .completed && last.outputText == "One two three.")
            let error = await #expect(throws: AssistantsClientError.self) {
                try await client.responses.resume("resp_missing")
            }
            #expect(error?.status == 404)
        }
    }

    @Test func aFollowUpSeesTheEarlierTurnAndDeletionRemovesIt() async throws {
        try await TestServer.run { server in
            let client = server.client
            server.model.enqueue(FakeReply(text: "Hello, Ada."), FakeReply(text: "Your name is Ada."))
            let first = try await client.responses.create(.text("I am Ada.", model: "gpt-4o"))
            #expect(first.status == .completed && first.outputText == "Hello, Ada.")
            let second = try await client.responses.create(.text("What is my name?", model: "gpt-4o", previousResponseID: first.id))
            #expect(second.outputText == "Your name is Ada." && second.previousResponseID == first.id)
            let sent = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(sent.map { $0["content"] } == [.string("I am Ada."), .string("Hello, Ada."), .string("What is my name?")])

            let inputs = try await client.responses.inputItems(second.id).collect()
            guard inputs.count == 1, case .message(let message) = inputs[0] else { Issue.record("input items: \(inputs)"); return }
            #expect(message.role == .user && message.content == [.inputText("What is my name?")])

            #expect(try await client.responses.delete(second.id) == DeletionStatus(id: second.id, object: "response"))
            let error = await #expect(throws: AssistantsClientError.self) { try await client.responses.retrieve(second.id) }
            #expect(error?.status == 404)
        }
    }

    @Test func functionCallArgumentsAccumulate() async throws {
        try await TestServer.run { server in
            let client = server.client
            let arguments = #"{"city":"Paris"}"#
            server.model.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: arguments, id: "call_w")]))
            let weather = ResponseTool.function(ResponseFunctionTool(name: "get_weather", parameters: .object(["type": .string("object")])))
            let stream = try await client.responses.stream(.text("Weather in Paris?", model: "gpt-4o", tools: [weather]))
            var partial: [String] = []
            var last = ResponseSnapshot()
            for try await update in stream {
                if case .functionCallArgumentsDelta = update.event.kind, case .functionCall(let call)? = update.snapshot.output.first {
                    partial.append(call.arguments)
                }
                last = update.snapshot
            }
            #expect(partial.last == arguments && partial.count > 1, "arguments grow delta by delta: \(partial)")
            guard case .functionCall(let call)? = last.output.first else { Issue.record("no function call: \(last.output)"); return }
            #expect(call.name == "get_weather" && call.callID == "call_w" && call.arguments == arguments)
            #expect(last.response?.status == .completed)
        }
    }

    @Test func eventsOfUnknownTypesAreSkippedAndBrokenOnesAreErrors() throws {
        #expect(try ResponseStreamEvent(data: Data(#"{"type":"response.reasoning_summary.delta","sequence_number":4}"#.utf8)) == nil)
        let delta = try ResponseStreamEvent(data: Data(
            #"{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"#.utf8))
        #expect(delta == ResponseStreamEvent(.outputTextDelta(itemID: "msg_1", outputIndex: 0, contentIndex: 0, delta: "Hi"), sequenceNumber: 5))
        #expect(throws: DecodingError.self) {
            try ResponseStreamEvent(data: Data(#"{"type":"response.output_text.delta","sequence_number":5}"#.utf8))
        }
    }
}
