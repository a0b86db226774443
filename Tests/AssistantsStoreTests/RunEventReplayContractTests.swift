import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import PostgresTestSupport
import SQLiteStore
import Testing

/// What a bus that keeps events does (`RunEventBus.replay`, `RunEventRetention`), on SQLite (one process)
/// and on PostgreSQL: a replay gives a run's events from its first one, then the live ones, none lost or
/// given twice whenever it starts; kept events go with their retention or their response.
@Suite(.closesStores) struct RunEventReplayContractTests {
    @Test(arguments: BusBackend.keeping)
    func aReplayGivesTheEventsSoFarThenTheLiveOnes(_ backend: BusBackend) async throws {
        try await backend.withLoggedBus { bus, _ in
            let runID = ObjectKind.run.newID()
            let before = [runEvent(runID, .queued)] + (0..<30).map { delta($0) }
            for event in before { bus.publish(event, runID: runID) }
            let replay = await bus.replay(runID: runID)
            #expect(frames(replay.kept) == frames(before))
            let after = (30..<60).map { delta($0) } + [runEvent(runID, .completed)]
            for event in after { bus.publish(event, runID: runID) }
            #expect(frames(await everything(replay.live)) == frames(after))
        }
    }

    @Test(arguments: BusBackend.keeping)
    func aReplayWhilePublishingMissesNothingAndDoublesNothing(_ backend: BusBackend) async throws {
        try await backend.withLoggedBus { bus, _ in
            let runID = ObjectKind.run.newID()
            let published = (0..<300).map { delta($0) } + [runEvent(runID, .completed)]
            let publisher = Task {
                for (index, event) in published.enumerated() {
                    bus.publish(event, runID: runID)
                    if index % 10 == 0 { try? await Task.sleep(for: .milliseconds(1)) }
                }
            }
            try await Task.sleep(for: .milliseconds(20))
            var replays: [ReplayedRunEvents] = []
            for _ in 0..<3 {
                replays.append(await bus.replay(runID: runID))
                try await Task.sleep(for: .milliseconds(15))
            }
            await publisher.value
            for replay in replays {
                #expect(frames(replay.kept + (await everything(replay.live))) == frames(published))
            }
        }
    }

    @Test(arguments: BusBackend.keeping)
    func aReplayOfAnEndedRunGivesAllItsEventsAndEnds(_ backend: BusBackend) async throws {
        try await backend.withLoggedBus { bus, _ in
            let runID = ObjectKind.run.newID()
            let published = (0..<5).map { delta($0) } + [runEvent(runID, .failed)]
            for event in published { bus.publish(event, runID: runID) }
            // Twice: a replay takes nothing from the next.
            for _ in 0..<2 {
                let replay = await bus.replay(runID: runID)
                #expect(frames(replay.kept) == frames(published))
                #expect(await everything(replay.live).isEmpty)
            }
            let unknown = await bus.replay(runID: ObjectKind.run.newID())
            #expect(unknown.kept.isEmpty)
            unknown.live.close()
        }
    }

    @Test(arguments: BusBackend.keeping)
    func retentionKeepsABackgroundResponsesEventsLongerAndDeletingItDeletesThem(_ backend: BusBackend) async throws {
        try await backend.withLoggedBus { bus, store in
            let plainRun = ObjectKind.run.newID()
            let background = try await makeResponse(store, background: true)
            let deleted = try await makeResponse(store, background: true)
            let foreground = try await makeResponse(store, background: false)
            for runID in [plainRun, background.runID, deleted.runID, foreground.runID] {
                bus.publish(delta(0), runID: runID)
                bus.publish(runEvent(runID, .completed), runID: runID)
                // Stored, as a replay shows.
                #expect(await bus.replay(runID: runID).kept.count == 2)
            }
            #expect(try await store.deleteResponse(id: deleted.responseID))
            #expect(await bus.replay(runID: deleted.runID).kept.isEmpty)

            try await Task.sleep(for: .milliseconds(20))
            try await store.pruneEvents(RunEventRetentionPolicy(events: .zero, backgroundResponses: .seconds(3600)))
            #expect(await bus.replay(runID: plainRun).kept.isEmpty)
            #expect(await bus.replay(runID: foreground.runID).kept.isEmpty)
            #expect(await bus.replay(runID: background.runID).kept.count == 2)

            try await store.pruneEvents(RunEventRetentionPolicy(events: .zero, backgroundResponses: .zero))
            #expect(await bus.replay(runID: background.runID).kept.isEmpty)
        }
    }

    @Test func theSQLiteLogNumbersOnAcrossRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let runID = ObjectKind.run.newID()
        let first = try InProcessEventBus(log: try SQLiteStore(path: path), logger: Logger(label: "test"))
        for index in 0..<3 { first.publish(delta(index), runID: runID) }
        await first.close()
        let second = try InProcessEventBus(log: try SQLiteStore(path: path), logger: Logger(label: "test"))
        second.publish(delta(3), runID: runID)
        second.publish(runEvent(runID, .completed), runID: runID)
        let replay = await second.replay(runID: runID)
        #expect(frames(replay.kept) == frames((0..<4).map { delta($0) } + [runEvent(runID, .completed)]))
        await second.close()
    }

    /// A completed response on a private thread, background or not.
    func makeResponse(_ store: any AssistantsStore, background: Bool) async throws -> (responseID: String, runID: String) {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let run = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "", status: .completed, model: "m", instructions: "")
        let record = ResponseRecord(
            response: ModelResponse(id: ObjectKind.response.newID(), createdAt: 1, model: "m", background: background),
            runID: run.id, threadID: thread.id)
        try await store.createResponse(record, run: run, input: [], privateThread: thread)
        return (record.id, run.id)
    }
}
