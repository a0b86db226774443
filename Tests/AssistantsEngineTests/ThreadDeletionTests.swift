import AssistantsAPI
import AssistantsStore
import Foundation
import SQLiteStore
import Synchronization
import Testing
@testable import AssistantsEngine

/// What the built-in tools keep for a thread or a container (the code interpreter's session) goes with it.
@Suite struct ThreadDeletionTests {
    final class RecordingTool: BuiltInTool {
        let deleted = Mutex<[String]>([])
        var name: String { "code_interpreter" }
        var definition: FunctionDefinition { ReservedTools.codeInterpreter }
        func call(arguments: String, context: ToolCallContext) async throws -> BuiltInToolResult {
            BuiltInToolResult(call: .codeInterpreter(.init(input: arguments)), output: "")
        }
        func ownerDeleted(_ id: String) async { deleted.withLock { $0.append(id) } }
    }

    @Test func toolsLetGoOfADeletedThread() async throws {
        let store = try SQLiteStore.inMemory()
        let tool = RecordingTool()
        let engine = try RunEngine.testing(store: store, provider: nil, tools: [tool])
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        #expect(try await engine.deleteThread(id: thread.id))
        #expect(tool.deleted.withLock { $0 } == [thread.id])
        #expect(try await engine.deleteThread(id: thread.id) == false)
        #expect(tool.deleted.withLock { $0 } == [thread.id])

        // So do they of a deleted container (its code interpreter session).
        let container = try await engine.containers.create(CreateContainerRequest(name: "scratch"))
        #expect(try await engine.deleteContainer(id: container.id))
        #expect(tool.deleted.withLock { $0 } == [thread.id, container.id])
        #expect(try await engine.deleteContainer(id: container.id) == false)
        #expect(tool.deleted.withLock { $0 } == [thread.id, container.id])
    }
}
