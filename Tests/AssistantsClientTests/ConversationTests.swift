import AssistantsAPI
@testable import AssistantsClient
import FakeModel
import Foundation
import Testing

@Suite struct ConversationTests {
    @Test func aConversationKeepsItsItemsAndItsResponsesTurns() async throws {
        try await TestServer.run { server in
            let client = server.client
            let opening = ResponseItem.message(ResponseMessage(role: .user, content: [.inputText("I am Ada.")]))
            let conversation = try await client.conversations.create(CreateConversationRequest(items: [opening], metadata: ["topic": "names"]))
            #expect(conversation.id.hasPrefix("conv_") && conversation.metadata == ["topic": "names"])
            #expect(try await client.conversations.retrieve(conversation.id) == conversation)

            // A response in the conversation sees its items and adds its turn.
            server.model.enqueue(FakeReply(text: "Your name is Ada."))
            let answer = try await client.responses.create(.text("What is my name?", model: "gpt-4o", conversationID: conversation.id))
            #expect(answer.outputText == "Your name is Ada.")
            let sent = try #require(server.model.requests().last?.body["messages"]?.arrayValue)
            #expect(sent.map { $0["content"] } == [.string("I am Ada."), .string("What is my name?")])
            let items = try await client.conversations.items.list(conversation.id, ListQuery(order: .asc)).collect()
            #expect(items.map(\.type) == ["message", "message", "message"])
            #expect(items.last?.id == answer.output.first?.id)

            // Items added by hand come back as stored, under ids of their own.
            let added = try await client.conversations.items.create(
                conversation.id, [.message(ResponseMessage(role: .user, content: [.inputText("Thanks.")]))])
            let id = try #require(added.first?.id)
            #expect(added.count == 1 && id.hasPrefix("msg_"))
            #expect(try await client.conversations.items.retrieve(conversation.id, itemID: id) == added[0])
            #expect(try await client.conversations.items.delete(conversation.id, itemID: id).id == conversation.id)
            #expect(try await client.conversations.items.list(conversation.id).collect().count == 3)

            #expect(try await client.conversations.update(conversation.id, metadata: ["topic": "done"]).metadata == ["topic": "done"])
            #expect(try await client.conversations.delete(conversation.id).deleted)
            let gone = await #expect(throws: AssistantsClientError.self) { try await client.conversations.retrieve(conversation.id) }
            #expect(gone?.status == 404)
        }
    }
}
