import AssistantsAPI
import Foundation
import SQLiteStore
import Testing

/// What only the SQLite backend promises: its file survives the process.
@Suite struct SQLiteStoreTests {
    @Test func reopeningTheFileKeepsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("db.sqlite").path
        let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1, name: "Persisted", model: "m")
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        let message = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: "hi"))])
        do {
            let store = try SQLiteStore(path: path)
            try await store.createAssistant(assistant)
            try await store.createThread(thread, messages: [message])
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.assistant(id: assistant.id) == assistant)
        #expect(try await reopened.message(id: message.id, threadID: thread.id) == message)
    }
}
