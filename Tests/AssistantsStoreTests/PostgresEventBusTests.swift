import AssistantsAPI
import AssistantsStore
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Testing

/// Streams across nodes: each node is a `PostgresEventBus` on its own `PostgresStore` (its own pool), all
/// on one schema.
@Suite(.closesStores) struct PostgresEventBusTests {
    @Test func aRunPublishedOnOneNodeReachesAnotherInOrderWithNothingLostOrDoubled() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let (a, b) = (try await PostgresTestDatabase.makeStore(configuration: configuration), try await PostgresTestDatabase.makeStore(configuration: configuration))
        try await withPostgresBus(a) { nodeA in
            try await withPostgresBus(b) { nodeB in
                let runIDs = (0..<24).map { _ in ObjectKind.run.newID() }
                var subscriptions: [(onA: RunEvents, onB: RunEvents)] = []
                for runID in runIDs { subscriptions.append((await nodeA.subscribe(runID: runID), await nodeB.subscribe(runID: runID))) }
                let expected = runIDs.map { runID in (0..<200).map { delta($0, runID: runID) } + [runEvent(runID, .completed)] }
                await withTaskGroup(of: Void.self) { group in
                    for (runID, events) in zip(runIDs, expected) {
                        group.addTask {
                            for event in events {
                                nodeA.publish(event, runID: runID)
                                // Yield now and then, so that the runs' events interleave in the batches.
                                if Int.random(in: 0..<8) == 0 { await Task.yield() }
                            }
                        }
                    }
                }
                for ((onA, onB), expected) in zip(subscriptions, expected) {
                    let (receivedOnB, receivedOnA) = (await everything(onB), await everything(onA))
                    #expect(frames(receivedOnB) == frames(expected))
                    #expect(frames(receivedOnA) == frames(expected))
                }
            }
        }
    }

    @Test func theNodeThatAnnouncesARunAndTheNodeThatExecutesItStreamInOneOrder() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let (a, b) = (try await PostgresTestDatabase.makeStore(configuration: configuration), try await PostgresTestDatabase.makeStore(configuration: configuration))
        try await withPostgresBus(a) { executing in
            try await withPostgresBus(b) { submitting in
                let runID = ObjectKind.run.newID()
                // Tool outputs submitted on B: B streams, announces the queued run, and hands it over.
                let events = await submitting.subscribe(runID: runID)
                submitting.publish(runEvent(runID, .queued), runID: runID)
                await submitting.flush(runID: runID)
                let execution = [runEvent(runID, .inProgress)] + (0..<20).map { delta($0) } + [runEvent(runID, .completed)]
                for event in execution { executing.publish(event, runID: runID) }
                let received = await everything(events)
                #expect(frames(received) == frames([runEvent(runID, .queued)] + execution))
            }
        }
    }

    @Test func withoutNotificationsPollingStillDeliversEverything() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let (a, b) = (try await PostgresTestDatabase.makeStore(configuration: configuration), try await PostgresTestDatabase.makeStore(configuration: configuration))
        try await withPostgresBus(a) { nodeA in
            try await withPostgresBus(b, options: .init(pollInterval: .milliseconds(20), listens: false)) { deaf in
                let runID = ObjectKind.run.newID()
                let events = await deaf.subscribe(runID: runID)
                let published = (0..<300).map { delta($0) } + [runEvent(runID, .failed)]
                for event in published { nodeA.publish(event, runID: runID) }
                let received = await everything(events)
                #expect(frames(received) == frames(published))
            }
        }
    }

    @Test func closingARunOnOneNodeEndsItsSubscribersOnEveryNode() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let (a, b) = (try await PostgresTestDatabase.makeStore(configuration: configuration), try await PostgresTestDatabase.makeStore(configuration: configuration))
        try await withPostgresBus(a) { nodeA in
            try await withPostgresBus(b) { nodeB in
                let runID = ObjectKind.run.newID()
                let subscribers = [await nodeB.subscribe(runID: runID), await nodeB.subscribe(runID: runID), await nodeA.subscribe(runID: runID)]
                let gone = AssistantStreamEvent.error(.init(message: "The run no longer exists.", type: "invalid_request_error", param: nil, code: nil))
                nodeA.publish(delta(0), runID: runID)
                nodeA.close(runID: runID, with: gone)
                for events in subscribers {
                    let received = await everything(events)
                    #expect(frames(received) == frames([delta(0), gone]))
                }
            }
        }
    }

    @Test func oldEventsArePrunedAndTheRunNumbersOnAfterwards() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        try await withPostgresBus(store) { bus in
            let runID = ObjectKind.run.newID()
            for index in 0..<5 { bus.publish(delta(index), runID: runID) }
            await bus.flush(runID: runID)
            try await EventRows.prune(.init(events: .zero, backgroundResponses: .zero), client: store.client, logger: store.logger)
            #expect(try await count("run_event", store) == 0)

            let events = await bus.subscribe(runID: runID)
            bus.publish(runEvent(runID, .expired), runID: runID)
            #expect(frames(await everything(events)) == frames([runEvent(runID, .expired)]))
            let seqs = try await store.client.query("SELECT seq FROM run_event WHERE run_id = \(runID)").collect().map { try $0.decode(Int64.self) }
            #expect(seqs == [6])
        }
    }

    private func count(_ table: String, _ store: PostgresStore) async throws -> Int {
        try await store.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table)")).collect()[0].decode(Int.self)
    }
}

/// What a client streaming from a node that has lost its database sees.
@Suite(.closesStores) struct PostgresEventBusFailureTests {
    @Test func aSubscriptionTheDatabaseCannotServeEndsWithAnError() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let cutOff = try await PostgresTestDatabase.makeStore(configuration: configuration)
        // The schema is dropped through the store made last, which stays open.
        _ = try await PostgresTestDatabase.makeStore(configuration: configuration)
        try await withPostgresBus(cutOff) { bus in
            await cutOff.close()
            let received = await everything(await bus.subscribe(runID: ObjectKind.run.newID()))
            guard received.count == 1, case .error(let error) = received[0] else {
                Issue.record("Expected one error event, got \(received.map(\.name))")
                return
            }
            #expect(error.type == "server_error")
        }
    }
}
