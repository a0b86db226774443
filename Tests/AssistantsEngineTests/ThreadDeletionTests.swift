import AssistantsAPI
import AssistantsStore
import Foundation
import SQLiteStore
import Synchronization
import Testing
@testable import AssistantsEngine

@Suite struct ThreadDeletionTests {
    final class RecordingTool: BuiltInTool {
        let deleted = Mutex<[String]>([])
        var name: String { "code_interpreter" }
        var definition: FunctionDefinition { ReservedTools.codeInterpreter }
        func call(arguments: String, context: ToolCallContext) async throws -> BuiltInToolResult {
            BuiltInToolResult(call: .codeInterpreter(.init(input: arguments)), output: "")
        }
        func threadDeleted(_ threadID: String) async { deleted.withLock { $0.append(threadID) } }
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
    }
}
