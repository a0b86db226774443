import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import Testing
@testable import AssistantsEngine
@testable import PostgresStore

/// A thread's code interpreter session lives on one node: its runs execute there whichever node they were
/// created on, a node that stops takes the session's state with it (and the model is told), and deleting
/// the thread on any node ends the session.
@Suite(.serialized) struct SessionPlacementTests {
    @Test func aThreadsNextRunExecutesOnTheNodeHoldingItsSession() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            // The hand-off delay is long: only placement can bring the second run to node a in time.
            let a = try await cluster.node("a", handOffDelay: .seconds(60), model: fake, codeInterpreter: true)
            let b = try await cluster.node("b", handOffDelay: .seconds(60), model: fake, codeInterpreter: true)
            let thread = try await makeThread(on: a)

            try await execute("x = 41", on: a, thread: thread, fake: fake)
            let output = try await execute("print(x + 1)", on: b, thread: thread, fake: fake)
            #expect(output.contains("42"))
            #expect(!output.contains("NameError"))
            #expect(a.interpreter?.hasSession(thread) == true)
            #expect(b.interpreter?.hasSession(thread) == false)
            await fake.stop()
        }
    }

    @Test func onlyTheLiveHolderOfTheSessionTakesTheThreadsRuns() async throws {
        try await TestCluster.run { cluster in
            let a = try await cluster.node("a", leaseTTL: .seconds(1), handOffDelay: .seconds(60))
            let b = try await cluster.node("b", leaseTTL: .seconds(1), handOffDelay: .zero)
            let run = try await cluster.queuedRun(in: b.store)
            let reference = RunReference(runID: run.id, threadID: run.threadID)
            #expect(try await a.dispatch.makeSessionPlacement().sessionStarting(threadID: run.threadID) == false)

            #expect(try await b.dispatch.claim(reference) == false)
            #expect(try await b.dispatch.claimWaiting(limit: 10).isEmpty)
            // The holder takes it at once, without waiting out its hand-off delay.
            #expect(try await a.dispatch.claimWaiting(limit: 10).map(\.runID) == [run.id])
            // It stops without executing the run, which then waits for a node again.
            try await a.dispatch.handBack([reference])
            #expect(try await b.dispatch.claimWaiting(limit: 10).isEmpty)
            await a.stop()

            // Once the holder is gone, any node takes the run, and the new session knows the old one was lost.
            let taken = try await within(.seconds(10)) { try await b.dispatch.claimWaiting(limit: 10).isEmpty ? nil : true }
            #expect(taken)
            #expect(try await b.dispatch.makeSessionPlacement().sessionStarting(threadID: run.threadID) == true)
        }
    }

    @Test func aSessionLostWithItsNodeStartsAfreshAndTheModelIsTold() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            let a = try await cluster.node("a", leaseTTL: .seconds(1), handOffDelay: .zero, model: fake, codeInterpreter: true)
            let b = try await cluster.node("b", leaseTTL: .seconds(1), handOffDelay: .zero, model: fake, codeInterpreter: true)
            let thread = try await makeThread(on: a)
            let first = try await execute("x = 41", on: a, thread: thread, fake: fake)
            #expect(!first.contains(CodeInterpreterTool.sessionLostNote))

            await a.stop()
            let output = try await execute("print(x + 1)", on: b, thread: thread, fake: fake)
            #expect(output.contains(CodeInterpreterTool.sessionLostNote))
            #expect(output.contains("NameError"))
            #expect(b.interpreter?.hasSession(thread) == true)
            // Only the first execution of the new session carries the note.
            let next = try await execute("print(6 * 7)", on: b, thread: thread, fake: fake)
            #expect(!next.contains(CodeInterpreterTool.sessionLostNote))
            await fake.stop()
        }
    }

    @Test func deletingAThreadOnAnotherNodeEndsItsSession() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            let a = try await cluster.node("a", model: fake, codeInterpreter: true)
            let b = try await cluster.node("b", model: fake, codeInterpreter: true)
            let thread = try await makeThread(on: a)
            try await execute("x = 41", on: a, thread: thread, fake: fake)
            #expect(a.interpreter?.hasSession(thread) == true)

            #expect(try await b.engine!.deleteThread(id: thread))
            try await within(.seconds(10)) { a.interpreter?.hasSession(thread) == false ? true : nil }
            await fake.stop()
        }
    }

    /// A response's code runs in its container's session, which placement follows as it follows a thread's.
    @Test func aContainersResponsesExecuteOnTheNodeHoldingItsSessionUntilTheContainerIsDeleted() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            let a = try await cluster.node("a", handOffDelay: .seconds(60), model: fake, codeInterpreter: true)
            let b = try await cluster.node("b", handOffDelay: .seconds(60), model: fake, codeInterpreter: true)
            let container = try await a.engine!.containers.create(CreateContainerRequest(name: "work"))

            try await respond("x = 41", on: a, container: container.id, fake: fake)
            let output = try await respond("print(x + 1)", on: b, container: container.id, fake: fake)
            #expect(output.contains("42") && !output.contains("NameError"))
            #expect(a.interpreter?.hasSession(container.id) == true)
            #expect(b.interpreter?.hasSession(container.id) == false)

            #expect(try await b.engine!.containers.delete(container.id))
            try await within(.seconds(10)) { a.interpreter?.hasSession(container.id) == false ? true : nil }
            await fake.stop()
        }
    }

    /// Creates a response through `node`'s engine whose model runs `code` in the container, waits until it
    /// completed, and returns the tool output the model got.
    @discardableResult
    private func respond(_ code: String, on node: TestNode, container: String, fake: FakeModelServer) async throws -> String {
        let arguments = String(data: try JSONEncoder().encode(["code": code]), encoding: .utf8)!
        fake.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: arguments)], repeat: 1), FakeReply(text: "Done.", repeat: 1))
        let body = #"{"model":"m","input":"Run it","tools":[{"type":"code_interpreter","container":"\#(container)"}]}"#
        let requestsBefore = fake.requests().count
        let engine = try #require(node.engine)
        let start = try await engine.createResponse(try RequestDecoder.decode(CreateResponseRequest.self, from: Data(body.utf8)))
        // Read from the store: the run may execute on the other node.
        let run = start.response.run
        let ended = try await within(.seconds(30)) {
            try await node.store.run(id: run.id, threadID: run.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
        }
        #expect(ended.status == .completed)
        let followUp = try #require(fake.requests().dropFirst(requestsBefore + 1).first)
        let messages = followUp.body["messages"]?.arrayValue ?? []
        return try #require(messages.last(where: { $0["role"]?.stringValue == "tool" })?["content"]?.stringValue)
    }

    /// A thread for an assistant with the code interpreter.
    private func makeThread(on node: TestNode) async throws -> String {
        if try await node.store.assistant(id: "asst_1") == nil {
            try await node.store.createAssistant(Assistant(id: "asst_1", createdAt: 1, model: "m", tools: [.codeInterpreter]))
        }
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await node.store.createThread(thread, messages: [])
        return thread.id
    }

    /// Creates a run through `node`'s engine whose model runs `code`, waits until it completed, and
    /// returns the tool output the model got.
    @discardableResult
    private func execute(_ code: String, on node: TestNode, thread: String, fake: FakeModelServer) async throws -> String {
        let code = String(data: try JSONEncoder().encode(["code": code]), encoding: .utf8)!
        fake.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: code)], repeat: 1), FakeReply(text: "Done.", repeat: 1))
        try await node.store.appendMessage(
            Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread, role: .user, content: [.text(.init(value: "Run it"))]),
            attaching: nil)
        let requestsBefore = fake.requests().count
        let run = try await node.engine!.createRun(threadID: thread, CreateRunRequest(assistantID: "asst_1")).run
        let ended = try await within(.seconds(30)) {
            try await node.store.run(id: run.id, threadID: thread).flatMap { $0.status.isTerminal ? $0 : nil }
        }
        #expect(ended.status == .completed)
        let followUp = try #require(fake.requests().dropFirst(requestsBefore + 1).first)
        let messages = followUp.body["messages"]?.arrayValue ?? []
        return try #require(messages.last(where: { $0["role"]?.stringValue == "tool" })?["content"]?.stringValue)
    }
}

/// Waits until `condition` gives a value, checking every 50 ms for at most `limit`.
private func within<T>(_ limit: Duration, _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let value = try await condition() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(limit)")
    throw CancellationError()
}
