import AssistantsAPI
import AssistantsClient
import Foundation
import Testing

@Suite struct ResourceTests {
    @Test func assistantsRoundTrip() async throws {
        try await TestServer.run { server in
            let assistants = server.client.assistants
            let created = try await assistants.create(CreateAssistantRequest(
                model: "gpt-4o", name: "Math Tutor", instructions: "Be brief.", tools: [.codeInterpreter], metadata: ["team": "math"]))
            #expect(created.id.hasPrefix("asst_") && created.tools == [.codeInterpreter])
            let retrieved = try await assistants.retrieve(created.id)
            #expect(retrieved == created)

            var change = ModifyAssistantRequest()
            change.name = .some("Tutor")
            change.instructions = .some(nil)
            let updated = try await assistants.update(created.id, change)
            #expect(updated.name == "Tutor" && updated.instructions == nil && updated.metadata == ["team": "math"])

            let listed = try await assistants.list().collect()
            #expect(listed.map(\.id) == [created.id])
            let deleted = try await assistants.delete(created.id)
            #expect(deleted == DeletionStatus(id: created.id, object: "assistant.deleted"))
        }
    }

    @Test func threadsAndMessages() async throws {
        try await TestServer.run { server in
            let threads = server.client.threads
            let thread = try await threads.create(CreateThreadRequest(messages: [.user("Hello")], metadata: ["k": "v"]))
            let retrievedThread = try await threads.retrieve(thread.id)
            #expect(retrievedThread == thread)
            let updated = try await threads.update(thread.id, ModifyThreadRequest(metadata: .some(["k": "w"])))
            #expect(updated.metadata == ["k": "w"])

            let message = try await threads.messages.create(threadID: thread.id, .user("Second"))
            #expect(message.text == "Second" && message.role == .user)
            let retrieved = try await threads.messages.retrieve(message.id, threadID: thread.id)
            #expect(retrieved == message)
            let tagged = try await threads.messages.update(message.id, threadID: thread.id, metadata: ["seen": "yes"])
            #expect(tagged.metadata == ["seen": "yes"])
            let texts = try await threads.messages.list(threadID: thread.id, ListQuery(order: .asc)).collect().map(\.text)
            #expect(texts == ["Hello", "Second"])
            let removed = try await threads.messages.delete(message.id, threadID: thread.id)
            #expect(removed.deleted && removed.object == "thread.message.deleted")

            let deleted = try await threads.delete(thread.id)
            #expect(deleted.object == "thread.deleted")
        }
    }

    @Test func filesUploadFromBytesAndFromAPath() async throws {
        try await TestServer.run { server in
            let files = server.client.files
            let fromBytes = try await files.upload(Data("hello".utf8), filename: "hello.txt", expiresAfterSeconds: 3600)
            #expect(fromBytes.filename == "hello.txt" && fromBytes.bytes == 5 && fromBytes.purpose == "assistants")
            #expect(fromBytes.expiresAt == fromBytes.createdAt + 3600)

            // Larger than one read, so the upload streams several chunks from disk.
            let contents = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString).bin").path
            try contents.write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fromPath = try await files.upload(path: path, purpose: .userData)
            #expect(fromPath.bytes == contents.count && fromPath.filename == URL(fileURLWithPath: path).lastPathComponent)
            let downloaded = try await files.content(fromPath.id)
            #expect(downloaded == contents)

            let retrievedFile = try await files.retrieve(fromBytes.id)
            #expect(retrievedFile == fromBytes)
            let userData = try await files.list(purpose: "user_data").collect()
            #expect(userData.map(\.id) == [fromPath.id])
            let deleted = try await files.delete(fromPath.id)
            #expect(deleted == DeletionStatus(id: fromPath.id, object: "file"))
            let remaining = try await files.list().collect()
            #expect(remaining.map(\.id) == [fromBytes.id])
        }
    }

    @Test func listsPageThroughEverything() async throws {
        try await TestServer.run { server in
            var created: [String] = []
            for index in 0..<5 {
                created.append(try await server.client.assistants.create(CreateAssistantRequest(model: "gpt-4o", name: "a\(index)")).id)
            }
            let ids = created
            let pages = server.client.assistants.list(ListQuery(limit: 2, order: .asc))
            let first = try await pages.firstPage()
            #expect(first.data.count == 2 && first.hasMore)
            let all = try await pages.collect()
            #expect(all.map(\.id) == ids)
            let newestFirst = try await server.client.assistants.list(ListQuery(limit: 3)).collect()
            #expect(newestFirst.map(\.id) == ids.reversed())
            let afterSecond = try await server.client.assistants.list(ListQuery(limit: 2, order: .asc, after: ids[1])).collect()
            #expect(afterSecond.map(\.id) == Array(ids[2...]))
        }
    }
}
