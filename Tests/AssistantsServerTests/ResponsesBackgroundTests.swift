import AssistantsAPI
import FakeModel
import Foundation
import Testing

/// `background: true`: the create call answers at once, the response executes on its own, and it can be
/// cancelled.
@Suite struct ResponsesBackgroundTests {
    @Test func aBackgroundResponseAnswersQueuedAndCompletesOnItsOwn() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "Done in the background.", delayMsBeforeFirst: 200))
            let created = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Go","background":true}"#, beta: false)
                .decode(ModelResponse.self)
            #expect(created.status == .queued && created.background && created.output.isEmpty)
            let final = try await api.waitForResponse(created.id) { $0.status.isTerminal }
            #expect(final.status == .completed && final.outputText == "Done in the background." && final.background)
            #expect(api.model?.requests().count == 1)
        }
    }

    @Test func cancellingStopsABackgroundResponseAndOnlyThat() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(chunks: ["slow ", "answer"], delayMsBeforeFirst: 200, delayMsBetween: 30_000))
            let created = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Go","background":true}"#, beta: false)
                .decode(ModelResponse.self)
            // Cancelled once the model has been asked, so that what is stopped is an execution.
            let running = try await api.waitForResponse(created.id) { _ in api.model?.requests().isEmpty == false }
            #expect(running.status == .inProgress)
            let cancelled = try await api.call(.post, "/v1/responses/\(created.id)/cancel", beta: false).decode(ModelResponse.self)
            #expect(cancelled.status == .cancelled && cancelled.id == created.id)
            let stored = try await api.waitForResponse(created.id) { $0.status.isTerminal }
            #expect(stored.status == .cancelled)
            // Again: the response as it ended.
            let again = try await api.call(.post, "/v1/responses/\(created.id)/cancel", beta: false)
            #expect(again.status == .ok)
            #expect(try again.decode(ModelResponse.self).status == .cancelled)

            api.model?.enqueue(FakeReply(text: "Right away."))
            let waited = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Now"}"#, beta: false).decode(ModelResponse.self)
            let refused = try await api.call(.post, "/v1/responses/\(waited.id)/cancel", beta: false)
            #expect(refused.status == .badRequest)
            #expect(try refused.decode(ErrorEnvelope.self).error.message == "Only responses created with background=true can be cancelled.")
            let missing = try await api.call(.post, "/v1/responses/resp_missing/cancel", beta: false)
            #expect(missing.status == .notFound)
        }
    }

    @Test func aStreamedBackgroundResponseShowsItWasQueued() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "Hi."))
            let reply = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Hi","background":true,"stream":true}"#, beta: false)
            let events = reply.events
            #expect(events.prefix(3).map(\.name) == ["response.created", "response.queued", "response.in_progress"])
            #expect(events.first?.json["response"]?["status"] == .string("queued"))
            #expect(events.first?.json["response"]?["background"] == .bool(true))
            #expect(events.last?.name == "response.completed")
        }
    }

    @Test func aBackgroundResponsesStreamResumesWithItsOriginalSequenceNumbers() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(chunks: ["one ", "two ", "three ", "four"], delayMsBeforeFirst: 100, delayMsBetween: 200))
            let created = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Go","background":true}"#, beta: false)
                .decode(ModelResponse.self)
            // Mid-way: the client has had events up to 3, and gets the rest as they come, until the end.
            _ = try await api.waitForResponse(created.id) { $0.status == .inProgress }
            let resumed = try await api.call(.get, "/v1/responses/\(created.id)?stream=true&starting_after=3", beta: false)
            #expect(resumed.status == .ok)
            let rest = resumed.events
            #expect(rest.map(\.sequenceNumber) == Array(4..<(4 + rest.count)))
            #expect(rest.last?.name == "response.completed")
            let final = try rest.last.map { try JSONDecoder().decode(ModelResponse.self, from: JSONEncoder().encode($0.json["response"])) }
            #expect(final?.outputText == "one two three four")

            // After the end: every event from the first, as the first client would have had them.
            let all = try await api.call(.get, "/v1/responses/\(created.id)?stream=true", beta: false).events
            #expect(all.map(\.sequenceNumber) == Array(0..<all.count))
            #expect(all.prefix(3).map(\.name) == ["response.created", "response.queued", "response.in_progress"])
            #expect(all.filter { $0.name == "response.output_text.delta" }.map { $0.json["delta"] } == ["one ", "two ", "three ", "four"].map { .string($0) })
            #expect(Array(all.dropFirst(4).map(\.data)) == rest.map(\.data))
            let none = try await api.call(.get, "/v1/responses/\(created.id)?stream=true&starting_after=\(all.count - 1)", beta: false)
            #expect(none.status == .ok && none.events.isEmpty)
        }
    }

    @Test func aStreamedBackgroundResponseIsReplayedAsItWasStreamed() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(chunks: ["Hi ", "there."]))
            let streamed = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Hi","background":true,"stream":true}"#, beta: false).events
            guard let id = streamed.first?.json["response"]?["id"]?.stringValue else {
                Issue.record("No response id")
                return
            }
            let replayed = try await api.call(.get, "/v1/responses/\(id)?stream=true", beta: false).events
            #expect(replayed.map(\.name) == streamed.map(\.name))
            #expect(replayed.map(\.sequenceNumber) == streamed.map(\.sequenceNumber))
            #expect(replayed.map(\.data) == streamed.map(\.data))
        }
    }

    @Test func onlyABackgroundResponseStreamsAgain() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(text: "Right away."))
            let waited = try await api.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"Now"}"#, beta: false).decode(ModelResponse.self)
            let refused = try await api.call(.get, "/v1/responses/\(waited.id)?stream=true", beta: false)
            #expect(refused.status == .badRequest)
            #expect(refused.error?.message == "Only responses created with background=true can be streamed again.")
            #expect(refused.error?.param == "stream")
            let missing = try await api.call(.get, "/v1/responses/resp_missing?stream=true&starting_after=2", beta: false)
            #expect(missing.status == .notFound)
            let malformed = try await api.call(.get, "/v1/responses/\(waited.id)?stream=true&starting_after=x", beta: false)
            #expect(malformed.status == .badRequest && malformed.error?.param == "starting_after")
        }
    }
}

extension SSEEvent {
    /// The event's `sequence_number`.
    var sequenceNumber: Int? {
        guard case .integer(let number)? = json["sequence_number"] else { return nil }
        return number
    }
}

extension TestAPI {
    /// Reads the response until `isDone` holds, for up to 20 seconds.
    func waitForResponse(_ id: String, until isDone: (ModelResponse) -> Bool) async throws -> ModelResponse {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let response = try await call(.get, "/v1/responses/\(id)", beta: false).decode(ModelResponse.self)
            if isDone(response) || ContinuousClock.now > deadline { return response }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
