import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import FakeModel
import Foundation
import ModelProviders
@testable import PostgresStore
import PostgresTestSupport
import Retrieval
import Testing

/// A run executing through the engine on one node, streamed by a client of another.
@Suite(.closesStores) struct CrossNodeStreamingTests {
    @Test func aRunExecutingOnOneNodeStreamsOnAnotherEventForEvent() async throws {
        let configuration = try PostgresTestDatabase.configuration()
        let (storeA, storeB) = (try await PostgresTestDatabase.makeStore(configuration: configuration), try await PostgresTestDatabase.makeStore(configuration: configuration))
        let model = try await FakeModelServer.start()
        let provider = OpenAICompatibleProvider(configuration: .init(baseURL: model.baseURL))
        let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "Relay", model: "fake")
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await storeA.createAssistant(assistant)
        try await storeA.createThread(thread, messages: [])
        model.enqueue(FakeReply(chunks: (0..<40).map { "word\($0) " }))

        var failure: (any Error)?
        do { try await withPostgresBus(storeA) { busA in
            try await withPostgresBus(storeB) { busB in
                let blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
                let engineA = RunEngine(
                    store: storeA, blobs: blobs, vectorStores: VectorStores(store: storeA, blobs: blobs, index: try SearchIndex()),
                    provider: provider, events: busA)
                // Created and streamed on A; the run waits in A's queue until A's workers start.
                let start = try await engineA.createRun(threadID: thread.id, CreateRunRequest(assistantID: assistant.id, stream: true))
                let onB = await busB.subscribe(runID: start.run.id)
                let working = Task { try await engineA.run() }
                let streamedOnA = await everything(try #require(start.events))
                let streamedOnB = await everything(onB)
                working.cancel()
                _ = await working.result
                #expect(streamedOnA.prefix(2).map(\.name) == ["thread.run.created", "thread.run.queued"])
                // As a client reads them: the frames.
                #expect(try streamedOnB.map { try $0.frame() } == streamedOnA.dropFirst(2).map { try $0.frame() },
                        "B streams everything after it subscribed, as A does")
                #expect(streamedOnB.last?.name == "thread.run.completed")
                let text = streamedOnB.compactMap { event -> String? in
                    guard case .messageDelta(let delta) = event, case .text(let value, _) = delta.content.first?.kind else { return nil }
                    return value
                }
                #expect(text.joined() == (0..<40).map { "word\($0) " }.joined())
            }
        } } catch { failure = error }
        await provider.shutdown()
        await model.stop()
        if let failure { throw failure }
    }
}
