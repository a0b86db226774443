import AssistantsAPI
import Foundation
import Testing

/// OpenAI's own response examples (from the spec) decode into our types and encode back unchanged,
/// with every key the spec requires present.
@Suite struct WireFixtureTests {
    static let assistantExample = """
        {"id":"asst_abc123","object":"assistant","created_at":1698984975,"name":"Math Tutor","description":null,
         "model":"gpt-4o","instructions":"You are a personal math tutor.","tools":[{"type":"code_interpreter"}],
         "metadata":{},"top_p":1.0,"temperature":1.0,"response_format":"auto","tool_resources":{}}
        """

    static let messageExample = """
        {"id":"msg_abc123","object":"thread.message","created_at":1713226573,"assistant_id":null,"thread_id":"thread_abc123",
         "run_id":null,"role":"user","status":"completed","incomplete_details":null,"completed_at":1713226573,"incomplete_at":null,
         "content":[{"type":"text","text":{"value":"How does AI work? Explain it in simple terms.","annotations":[]}}],
         "attachments":[],"metadata":{}}
        """

    @Test func assistantRoundTrips() throws {
        let example = try json(Self.assistantExample)
        let decoded = try JSONDecoder().decode(Assistant.self, from: Data(Self.assistantExample.utf8))
        #expect(try encodedJSON(decoded) == example)
    }

    @Test func threadRoundTrips() throws {
        let text = #"{"id":"thread_abc123","object":"thread","created_at":1699012949,"metadata":{},"tool_resources":{}}"#
        let decoded = try JSONDecoder().decode(AssistantThread.self, from: Data(text.utf8))
        #expect(try encodedJSON(decoded) == json(text))
    }

    @Test func messageRoundTrips() throws {
        let decoded = try JSONDecoder().decode(Message.self, from: Data(Self.messageExample.utf8))
        #expect(try encodedJSON(decoded) == json(Self.messageExample))
    }

    @Test func fileHasEveryRequiredKey() throws {
        let file = FileObject(id: "file-abc123", bytes: 120_000, createdAt: 1_677_610_602, filename: "mydata.jsonl", purpose: "fine-tune")
        let encoded = try encodedJSON(file)
        #expect(encoded.keys.isSuperset(of: ["id", "object", "bytes", "created_at", "filename", "purpose", "status"]))
        #expect(encoded["object"] == .string("file"))
        // `expires_at` is an integer, not nullable, and not required: a file that never expires omits it.
        #expect(encoded["expires_at"] == nil)
    }

    @Test func requiredKeysArePresentEvenWhenNull() throws {
        let assistant = Assistant(id: "asst_1", createdAt: 1, model: "m")
        let encoded = try encodedJSON(assistant)
        for key in ["id", "object", "created_at", "name", "description", "model", "instructions", "tools", "metadata"] {
            #expect(encoded.keys.contains(key), "missing \(key)")
        }
        #expect(encoded["name"] == .null)
        #expect(encoded["description"] == .null)

        let message = Message(id: "msg_1", createdAt: 1, threadID: "thread_1", role: .user, content: [])
        let messageKeys = try encodedJSON(message).keys
        let required: Set = [
            "id", "object", "created_at", "thread_id", "status", "incomplete_details", "completed_at", "incomplete_at",
            "role", "content", "assistant_id", "run_id", "attachments", "metadata",
        ]
        #expect(messageKeys.isSuperset(of: required))
    }

    @Test func listEnvelopeHasAllFiveKeys() throws {
        let empty = try encodedJSON(ListPage<Assistant>(data: [], firstID: nil, lastID: nil, hasMore: false))
        #expect(empty == (try json(#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#)))
    }

    @Test func errorEnvelopeHasAllFourKeys() throws {
        let encoded = try encodedJSON(APIError.notFound(.assistant, id: "asst_x").envelope)
        #expect(encoded == (try json(#"{"error":{"message":"No assistant found with id 'asst_x'.","type":"invalid_request_error","param":null,"code":null}}"#)))
    }

    @Test func toolsKeepTheirShape() throws {
        let text = """
            [{"type":"code_interpreter"},
             {"type":"file_search","file_search":{"max_num_results":5,"ranking_options":{"ranker":"default_2024_08_21","score_threshold":0.5}}},
             {"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}]
            """
        let tools = try JSONDecoder().decode([AssistantTool].self, from: Data(text.utf8))
        #expect(try encodedJSON(tools) == json(text))
    }

    @Test func responseFormats() throws {
        for text in [#""auto""#, #"{"type":"text"}"#, #"{"type":"json_object"}"#,
                     #"{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}}"#] {
            let format = try JSONDecoder().decode(ResponseFormat.self, from: Data(text.utf8))
            #expect(try encodedJSON(format) == json(text))
        }
    }

    @Test func idsHaveOpenAIsShape() {
        for kind in ObjectKind.allCases {
            let id = kind.newID()
            #expect(id.hasPrefix(kind.idPrefix))
            #expect(id.count == kind.idPrefix.count + 24)
            #expect(id.dropFirst(kind.idPrefix.count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
        #expect(ObjectKind.file.newID().hasPrefix("file-"))
        #expect(ObjectKind.assistant.newID() != ObjectKind.assistant.newID())
    }
}
