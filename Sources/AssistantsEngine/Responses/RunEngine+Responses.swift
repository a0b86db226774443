import AssistantsAPI
import AssistantsStore

extension RunEngine {
    /// A response as a create call leaves it: queued on its backing run, with the run's events, which
    /// `follow` turns into the response's stream.
    public struct ResponseStart: Sendable {
        public var response: StoredResponse
        /// The backing run's events; nil for a background response created without a stream, which the
        /// request does not follow.
        public var events: RunEvents?
        /// The files kept for the input's inline file data, which go with a response that is not stored.
        var inlineFiles: [String] = []
        /// Events published before `events`, handed over first: a resumed stream's replay.
        public var kept: [AssistantStreamEvent] = []
        /// The sequence number after which events are sent: those up to it are translated, to keep the
        /// numbering, but the client has them already.
        public var startingAfter: Int?
    }

    /// Creates a response and offers its backing run for execution, as runs are: the thread lock,
    /// dispatch, the event bus and recovery are the runs'.
    public func createResponse(_ request: CreateResponseRequest) async throws -> ResponseStart {
        let store = environment.store
        let plan = try await ResponsePlanner(
            store: store, blobs: environment.blobs, vectorStores: environment.vectorStores, containers: containers,
            contextWindow: environment.contextWindow
        ).plan(request, now: environment.clock.now())
        do {
            try await insert(plan)
        } catch {
            await InputFiles.discard(plan.inlineFiles, vectorStores: environment.vectorStores)
            throw error
        }
        let followed = request.stream || !request.background
        let start = await start(plan.run, thread: nil, stream: followed, prelude: [.runCreated(plan.run), .run(plan.run)])
        return ResponseStart(response: StoredResponse(record: plan.record, run: plan.run), events: start.events, inlineFiles: plan.inlineFiles)
    }

    /// Stores the planned response, with the API's errors for what changed since it was planned.
    private func insert(_ plan: ResponsePlanner.Plan) async throws {
        let store = environment.store
        do {
            try await store.createResponse(plan.record, run: plan.run, input: plan.input, privateThread: plan.privateThread)
        } catch StoreError.notFound(.response, let id) {
            // The previous response was deleted meanwhile.
            throw APIError.previousResponseNotFound(id)
        } catch StoreError.notFound(.thread, let id) {
            // The conversation was deleted meanwhile.
            throw APIError.notFound(.conversation, id: id)
        } catch StoreError.threadHasActiveRun(let threadID, _) {
            // One run or response at a time per thread, as for runs.
            throw APIError.invalidRequest(
                "Another response or run is active on conversation '\(threadID)'.", param: "conversation", code: "conversation_locked")
        }
    }

    /// Follows a response until its run ends: each event of its stream goes to `send` (none after one that
    /// ends the stream), and the response as it ended is returned. A background response created without a
    /// stream is not followed: it is returned as created, `queued`.
    public func follow(_ start: ResponseStart, send: (ResponseStreamEvent) async throws -> Void) async throws -> ModelResponse {
        guard let events = start.events else { return ResponseOutput.response(start.response, output: []) }
        var translator = ResponseEvents(start.response)
        var sending = true
        let skipped = start.startingAfter ?? -1
        var (kept, live) = (start.kept, events.makeAsyncIterator())
        while true {
            let batch: [AssistantStreamEvent]
            if !kept.isEmpty {
                (batch, kept) = (kept, [])
            } else if let next = await live.next() {
                batch = next
            } else {
                break
            }
            for event in batch {
                for output in translator.translate(event) {
                    switch output {
                    case .event(let event):
                        if sending && event.sequenceNumber > skipped { try await send(event) }
                        sending = sending && !event.endsStream
                    case .runEnded(let run):
                        let response = try await ResponseOutput.response(StoredResponse(record: start.response.record, run: run), store: environment.store)
                        if sending, let last = translator.ended(response), last.sequenceNumber > skipped { try await send(last) }
                        // `store: false`: nothing stays once the client has the response.
                        if start.response.record.ephemeral {
                            _ = try await environment.store.deleteResponse(id: response.id)
                            // In a conversation the turn stays, with its files.
                            if response.conversationID == nil { await InputFiles.discard(start.inlineFiles, vectorStores: environment.vectorStores) }
                        }
                        return response
                    }
                }
            }
        }
        // The events stopped without the run's end (its thread is gone): what the store holds is the answer.
        guard let stored = try await environment.store.response(id: start.response.record.id) else {
            throw APIError.notFound(.response, id: start.response.record.id)
        }
        return try await ResponseOutput.response(stored, store: environment.store)
    }

    /// A background response's stream followed again (`GET /responses/{id}?stream=true`), for `follow`: its
    /// events from the first, kept by the bus, translated as they were for the client that created it, so
    /// every event keeps its sequence number; those after `startingAfter` are sent, then the live ones until
    /// the response ends. Nil when there is no such response; a response created without `background` is a
    /// 400, as in OpenAI.
    public func resumeResponse(id: String, startingAfter: Int?) async throws -> ResponseStart? {
        guard var stored = try await visibleResponse(id: id) else { return nil }
        guard stored.record.response.background else {
            throw APIError.invalidRequest("Only responses created with background=true can be streamed again.", param: "stream", code: nil)
        }
        // Subscribed before the run is read: an end after the read is in the replay or comes live.
        let replay = await environment.hub.replay(runID: stored.run.id)
        if replay.kept.isEmpty, let run = try await environment.store.response(id: id)?.run, run.status.isTerminal {
            // Its events are no longer kept: the stream is the response as it ended, from its creation.
            replay.live.close()
            stored.run = run
            return ResponseStart(response: stored, events: replay.live, kept: [.runCreated(run), .run(run)], startingAfter: startingAfter)
        }
        return ResponseStart(response: stored, events: replay.live, kept: replay.kept, startingAfter: startingAfter)
    }

    /// The response as clients see it; nil when there is none, or it was created with `store: false`.
    public func response(id: String) async throws -> ModelResponse? {
        guard let stored = try await visibleResponse(id: id) else { return nil }
        return try await ResponseOutput.response(stored, store: environment.store)
    }

    /// The stored response a client may see by id: none for one created with `store: false`.
    private func visibleResponse(id: String) async throws -> StoredResponse? {
        guard let stored = try await environment.store.response(id: id), !stored.record.ephemeral else { return nil }
        return stored
    }

    /// A page of the items a response took as input.
    public func inputItems(responseID: String, _ query: ListQuery) async throws -> ListPage<ResponseItem>? {
        guard let stored = try await visibleResponse(id: responseID) else { return nil }
        return try await environment.store.listRunItems(runID: stored.run.id, direction: .input, query)
    }

    /// Cancels a background response as runs are cancelled, and returns it; nil when there is none. One
    /// that has already ended is returned as it is, so cancelling twice is harmless.
    public func cancelResponse(id: String) async throws -> ModelResponse? {
        guard let stored = try await visibleResponse(id: id) else { return nil }
        guard stored.record.response.background else {
            throw APIError.invalidRequest("Only responses created with background=true can be cancelled.", param: nil, code: nil)
        }
        if !stored.run.status.isTerminal {
            do {
                _ = try await cancel(runID: stored.run.id, threadID: stored.run.threadID)
            } catch let error as APIError where error.status == 400 {
                // It ended between the read and the cancel: the response as it ended is the answer.
            }
        }
        return try await response(id: id)
    }

    /// Deletes a response with its private thread. One still in progress is refused: it would go on
    /// writing into records that are gone.
    public func deleteResponse(id: String) async throws -> Bool {
        do {
            return try await environment.store.deleteResponse(id: id)
        } catch StoreError.threadHasActiveRun {
            throw APIError.invalidRequest("Response with id '\(id)' is still in progress; it can be deleted once it has ended.", param: nil, code: "response_in_progress")
        }
    }
}
