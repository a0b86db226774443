import AssistantsAPI
import Foundation
import Testing

@Suite struct ThreadsAndMessagesRoutesTests {
    @Test func threadWithInitialMessages() async throws {
        try await TestAPI.run { api in
            let reply = try await api.call(.post, "/v1/threads", """
                {"messages":[{"role":"user","content":"Hello"},{"role":"assistant","content":[{"type":"text","text":"Hi!"}]}],
                 "metadata":{"user":"u1"}}
                """)
            let thread = try reply.decode(AssistantThread.self)
            #expect(thread.id.hasPrefix("thread_"))
            #expect(thread.metadata == ["user": "u1"])
            #expect(reply.json["tool_resources"] == .object([:]))

            let messages = try await api.call(.get, "/v1/threads/\(thread.id)/messages?order=asc").decode(ListPage<Message>.self)
            #expect(messages.data.map(\.role) == [.user, .assistant])
            #expect(messages.data[0].content == [.text(.init(value: "Hello"))])
            #expect(messages.data.allSatisfy { $0.threadID == thread.id && $0.status == .completed && $0.runID == nil && $0.assistantID == nil })
        }
    }

    @Test func emptyBodyCreatesAThread() async throws {
        try await TestAPI.run { api in
            let reply = try await api.send(.post, "/v1/threads", headers: [TestAPI.betaHeader: "assistants=v2"], body: nil)
            #expect(reply.status == .ok)
            #expect(reply.json["object"] == .string("thread"))
        }
    }

    @Test func modifyAndDeleteThread() async throws {
        try await TestAPI.run { api in
            let thread = try await api.createThread(#"{"messages":[{"role":"user","content":"x"}]}"#)
            let message = try await api.call(.get, "/v1/threads/\(thread.id)/messages").decode(ListPage<Message>.self).data[0]
            let modified = try await api.call(.post, "/v1/threads/\(thread.id)", #"{"metadata":{"k":"v"}}"#).decode(AssistantThread.self)
            #expect(modified.metadata == ["k": "v"])

            let deleted = try await api.call(.delete, "/v1/threads/\(thread.id)")
            #expect(deleted.json["object"] == .string("thread.deleted"))
            #expect(try await api.call(.get, "/v1/threads/\(thread.id)").status == .notFound)
            let orphan = try await api.call(.get, "/v1/threads/\(thread.id)/messages/\(message.id)")
            #expect(orphan.error?.message == "No thread found with id '\(thread.id)'.")
        }
    }

    @Test func messageLifecycle() async throws {
        try await TestAPI.run { api in
            let thread = try await api.createThread()
            let image = try await api.upload(Data([0x89, 0x50]), filename: "a.png", fields: ["purpose": "vision"]).decode(FileObject.self)
            let created = try await api.call(.post, "/v1/threads/\(thread.id)/messages", """
                {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_file","image_file":{"file_id":"\(image.id)"}}],
                 "attachments":[{"file_id":"\(image.id)","tools":[{"type":"code_interpreter"}]}],"metadata":{"m":"1"}}
                """)
            let message = try created.decode(Message.self)
            #expect(message.id.hasPrefix("msg_"))
            #expect(message.content == [.text(.init(value: "What is this?")), .imageFile(.init(fileID: image.id))])
            #expect(message.attachments == [Attachment(fileID: image.id, tools: [.codeInterpreter])])
            #expect(created.json["incomplete_details"] == .null)

            let fetched = try await api.call(.get, "/v1/threads/\(thread.id)/messages/\(message.id)").decode(Message.self)
            #expect(fetched == message)
            let modified = try await api.call(.post, "/v1/threads/\(thread.id)/messages/\(message.id)", #"{"metadata":{"m":"2"}}"#)
            #expect(try modified.decode(Message.self).metadata == ["m": "2"])

            let deleted = try await api.call(.delete, "/v1/threads/\(thread.id)/messages/\(message.id)")
            #expect(deleted.json["object"] == .string("thread.message.deleted"))
            let gone = try await api.call(.get, "/v1/threads/\(thread.id)/messages/\(message.id)")
            #expect(gone.error?.message == "No message found with id '\(message.id)'.")
        }
    }

    @Test func messagesNeedAThreadAndExistingFiles() async throws {
        try await TestAPI.run { api in
            let missingThread = try await api.call(.post, "/v1/threads/thread_missing/messages", #"{"role":"user","content":"x"}"#)
            #expect(missingThread.status == .notFound)
            let thread = try await api.createThread()
            let missingFile = try await api.call(.post, "/v1/threads/\(thread.id)/messages", """
                {"role":"user","content":"x","attachments":[{"file_id":"file-nope","tools":[{"type":"file_search"}]}]}
                """)
            #expect(missingFile.status == .badRequest)
            #expect(missingFile.error?.param == "attachments[0].file_id")
            let inThread = try await api.call(.post, "/v1/threads", """
                {"messages":[{"role":"user","content":[{"type":"image_file","image_file":{"file_id":"file-nope"}}]}]}
                """)
            #expect(inThread.error?.param == "messages[0].content[0].image_file.file_id")
            #expect(try await api.call(.get, "/v1/threads/\(thread.id)/messages").json["data"]?.array.isEmpty == true)
        }
    }

    @Test func messagePagination() async throws {
        try await TestAPI.run { api in
            let thread = try await api.createThread()
            var ids: [String] = []
            for index in 0..<5 {
                let message = try await api.call(.post, "/v1/threads/\(thread.id)/messages", #"{"role":"user","content":"m\#(index)"}"#)
                ids.append(try message.decode(Message.self).id)
            }
            let base = "/v1/threads/\(thread.id)/messages"
            let first = try await api.call(.get, "\(base)?limit=2").decode(ListPage<Message>.self)
            #expect(first.data.map(\.id) == [ids[4], ids[3]])
            #expect(first.hasMore && first.firstID == ids[4] && first.lastID == ids[3])
            let second = try await api.call(.get, "\(base)?limit=2&after=\(ids[3])").decode(ListPage<Message>.self)
            #expect(second.data.map(\.id) == [ids[2], ids[1]])
            let between = try await api.call(.get, "\(base)?order=asc&after=\(ids[0])&before=\(ids[4])").decode(ListPage<Message>.self)
            #expect(between.data.map(\.id) == [ids[1], ids[2], ids[3]])
            #expect(between.hasMore == false)
            let byRun = try await api.call(.get, "\(base)?run_id=run_none").decode(ListPage<Message>.self)
            #expect(byRun.data.isEmpty && byRun.firstID == nil && byRun.hasMore == false)
            for bad in ["limit=0", "limit=101", "order=sideways", "after=msg_unknown"] {
                let reply = try await api.call(.get, "\(base)?\(bad)")
                #expect(reply.status == .badRequest, "\(bad)")
            }
        }
    }
}
