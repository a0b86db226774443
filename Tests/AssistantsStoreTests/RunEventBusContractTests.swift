import AssistantsAPI
import AssistantsStore
import Logging
@testable import PostgresStore
import PostgresTestSupport
import SQLiteStore
import Testing

/// What every event bus does, whichever nodes publish and subscribe: a live feed per run, in order, ending
/// after the event that ends a stream.
@Suite(.closesStores) struct RunEventBusContractTests {
    @Test(arguments: BusBackend.allCases)
    func deliversARunsEventsInOrderAndEndsAfterTheEndingEvent(_ backend: BusBackend) async throws {
        try await backend.withBus { bus in
            let runID = ObjectKind.run.newID()
            let events = await bus.subscribe(runID: runID)
            let published = (0..<50).map { delta($0) } + [runEvent(runID, .completed)]
            for event in published { bus.publish(event, runID: runID) }
            bus.publish(delta(50), runID: runID)
            #expect(frames(await everything(events)) == frames(published))
        }
    }

    @Test(arguments: BusBackend.allCases)
    func aSubscriberSeesWhatIsPublishedFromTheMomentItSubscribes(_ backend: BusBackend) async throws {
        try await backend.withBus { bus in
            let runID = ObjectKind.run.newID()
            bus.publish(delta(0), runID: runID)
            let early = await bus.subscribe(runID: runID)
            bus.publish(delta(1), runID: runID)
            let late = await bus.subscribe(runID: runID)
            bus.publish(runEvent(runID, .requiresAction), runID: runID)
            #expect(frames(await everything(early)) == frames([delta(1), runEvent(runID, .requiresAction)]))
            #expect(frames(await everything(late)) == frames([runEvent(runID, .requiresAction)]))
        }
    }

    @Test(arguments: BusBackend.allCases)
    func closeEndsEverySubscriberOfTheRunOnly(_ backend: BusBackend) async throws {
        try await backend.withBus { bus in
            let (runID, otherID) = (ObjectKind.run.newID(), ObjectKind.run.newID())
            let subscribers = [await bus.subscribe(runID: runID), await bus.subscribe(runID: runID)]
            let other = await bus.subscribe(runID: otherID)
            let gone = AssistantStreamEvent.error(.init(message: "gone", type: "invalid_request_error", param: nil, code: nil))
            bus.publish(delta(0), runID: runID)
            bus.close(runID: runID, with: gone)
            for events in subscribers { #expect(frames(await everything(events)) == frames([delta(0), gone])) }
            bus.publish(delta(1), runID: otherID)
            bus.publish(runEvent(otherID, .cancelled), runID: otherID)
            #expect(frames(await everything(other)) == frames([delta(1), runEvent(otherID, .cancelled)]))
        }
    }

    @Test(arguments: BusBackend.allCases)
    func manyRunsPublishingAtOnceEachGetTheirOwnEventsInOrder(_ backend: BusBackend) async throws {
        try await backend.withBus { bus in
            let runIDs = (0..<20).map { _ in ObjectKind.run.newID() }
            var subscriptions: [RunEvents] = []
            for runID in runIDs { subscriptions.append(await bus.subscribe(runID: runID)) }
            let expected = runIDs.map { runID in (0..<100).map { delta($0, runID: runID) } + [runEvent(runID, .completed)] }
            await withTaskGroup(of: Void.self) { group in
                for (runID, events) in zip(runIDs, expected) {
                    group.addTask { for event in events { bus.publish(event, runID: runID) } }
                }
            }
            for (events, expected) in zip(subscriptions, expected) { #expect(frames(await everything(events)) == frames(expected)) }
        }
    }

    @Test(arguments: BusBackend.allCases)
    func aSubscriberThatFallsBehindCatchesUpInOneBatch(_ backend: BusBackend) async throws {
        try await backend.withBus { bus in
            let runID = ObjectKind.run.newID()
            let events = await bus.subscribe(runID: runID)
            let published = (0..<100).map { delta($0) } + [runEvent(runID, .completed)]
            for event in published { bus.publish(event, runID: runID) }
            await bus.flush(runID: runID)
            var batches = events.makeAsyncIterator()
            #expect(frames(await batches.next() ?? []) == frames(published))
            #expect(await batches.next() == nil)
        }
    }
}

/// The event bus implementations, each on a fresh database where it has one.
enum BusBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inProcess
    /// One process's bus keeping its events in SQLite, as the server runs on SQLite.
    case sqlite
    /// One node's bus; `PostgresEventBusTests` has several nodes.
    case postgres

    var testDescription: String { rawValue }

    static var allCases: [BusBackend] {
        StoreBackend.allCases.contains(.postgres) ? [.inProcess, .sqlite, .postgres] : [.inProcess, .sqlite]
    }

    /// The buses that keep events, for `replay`.
    static var keeping: [BusBackend] { allCases.filter { $0 != .inProcess } }

    func withBus(_ body: (any RunEventBus) async throws -> Void) async throws {
        switch self {
        case .inProcess:
            try await body(InProcessEventBus())
        case .sqlite:
            try await withLoggedBus { bus, _ in try await body(bus) }
        case .postgres:
            try await withLoggedBus { bus, _ in try await body(bus) }
        }
    }

    /// A bus that keeps events, with the store keeping them: the response records and retention are the
    /// store's.
    func withLoggedBus(_ body: (any RunEventBus, any AssistantsStore & RunEventRetention) async throws -> Void) async throws {
        switch self {
        case .inProcess:
            Issue.record("The in-process bus without a log keeps nothing")
        case .sqlite:
            let store = try SQLiteStore.inMemory()
            let bus = try InProcessEventBus(log: store, logger: Logger(label: "test"))
            do {
                try await body(bus, store)
            } catch {
                await bus.close()
                throw error
            }
            await bus.close()
        case .postgres:
            let store = try await PostgresTestDatabase.makeStore()
            try await withPostgresBus(store) { try await body($0, store) }
        }
    }
}

/// A bus on `store`, closed when `body` is done, before the store is.
func withPostgresBus(
    _ store: PostgresStore, options: PostgresEventBus.Options = .init(), _ body: (PostgresEventBus) async throws -> Void
) async throws {
    let bus = PostgresEventBus(store: store, options: options)
    do {
        try await body(bus)
    } catch {
        await bus.close()
        throw error
    }
    await bus.close()
}

/// Every event until the subscription ends; should it not end within a minute, an issue.
func everything(_ events: RunEvents) async -> [AssistantStreamEvent] {
    let received = await withTaskGroup(of: [AssistantStreamEvent]?.self) { group in
        group.addTask {
            var received: [AssistantStreamEvent] = []
            for await batch in events { received += batch }
            return received
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(60))
            return nil
        }
        defer { group.cancelAll() }
        return await group.next()!
    }
    guard let received else {
        Issue.record("The subscription did not end")
        return []
    }
    return received
}

/// The events as a client reads them. Events that crossed the database were decoded from these, so
/// they compare equal only as frames (the wire form fills in defaults, such as a run's temperature).
func frames(_ events: [AssistantStreamEvent]) -> [String] {
    events.map { String(decoding: try! $0.frame(), as: UTF8.self) }
}

func delta(_ index: Int, runID: String = "") -> AssistantStreamEvent {
    .messageDelta(MessageDelta(id: "msg_\(runID)", content: [MessageContentDelta(index: 0, kind: .text(value: "\(index)", annotations: []))]))
}

func runEvent(_ runID: String, _ status: Run.Status) -> AssistantStreamEvent {
    .run(Run(id: runID, createdAt: 1, threadID: "thread_1", assistantID: "asst_1", status: status, model: "m", instructions: ""))
}
