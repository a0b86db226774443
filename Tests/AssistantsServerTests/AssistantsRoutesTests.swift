import AssistantsAPI
import Foundation
import Testing

@Suite struct AssistantsRoutesTests {
    @Test func lifecycle() async throws {
        try await TestAPI.run { api in
            let created = try await api.call(.post, "/v1/assistants", """
                {"model":"gpt-4o","name":"Math Tutor","instructions":"Be precise.","tools":[{"type":"code_interpreter"},
                 {"type":"function","function":{"name":"add","parameters":{"type":"object"}}}],"metadata":{"team":"a"},"temperature":0.5}
                """)
            #expect(created.status == .ok)
            let assistant = try created.decode(Assistant.self)
            #expect(assistant.id.hasPrefix("asst_"))
            #expect(assistant.name == "Math Tutor")
            #expect(assistant.temperature == 0.5 && assistant.topP == 1)
            #expect(created.json["description"] == .null)
            #expect(created.json["object"] == .string("assistant"))

            let fetched = try await api.call(.get, "/v1/assistants/\(assistant.id)").decode(Assistant.self)
            #expect(fetched == assistant)

            let modified = try await api.call(.post, "/v1/assistants/\(assistant.id)", #"{"name":"Renamed","metadata":{"team":"b"},"instructions":null}"#)
            let renamed = try modified.decode(Assistant.self)
            #expect(renamed.name == "Renamed" && renamed.metadata == ["team": "b"] && renamed.instructions == nil)
            #expect(renamed.tools == assistant.tools)

            let list = try await api.call(.get, "/v1/assistants?limit=5")
            #expect(list.json["object"] == .string("list"))
            #expect(list.json["data"]?.array.count == 1)
            #expect(list.json["first_id"]?.stringValue == assistant.id)

            let deleted = try await api.call(.delete, "/v1/assistants/\(assistant.id)")
            #expect(deleted.json == .object(["id": .string(assistant.id), "object": .string("assistant.deleted"), "deleted": .bool(true)]))
            let gone = try await api.call(.get, "/v1/assistants/\(assistant.id)")
            #expect(gone.status == .notFound)
            #expect(gone.error?.message == "No assistant found with id '\(assistant.id)'.")
        }
    }

    @Test func invalidInputIsA400WithItsParameter() async throws {
        try await TestAPI.run { api in
            let cases: [(String, String?)] = [
                (#"{"model":"m","tools":[{"type":"browser"}]}"#, "tools[0].type"),
                (#"{"model":"m","name":123}"#, "name"),
                (#"{"name":"no model"}"#, "model"),
                (#"{"model":"m","tool_resources":{"code_interpreter":{"file_ids":["file-missing"]}}}"#, "tool_resources.code_interpreter.file_ids[0]"),
                (#"{"model":"m","tool_resources":{"file_search":{"vector_store_ids":["vs_missing"]}}}"#, "tool_resources.file_search.vector_store_ids"),
                (#"{"model":"m""#, nil),
            ]
            for (body, param) in cases {
                let reply = try await api.call(.post, "/v1/assistants", body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.error?.param == param, "\(body)")
                #expect(reply.error?.type == "invalid_request_error")
            }
            let tooManyTools = "[" + Array(repeating: #"{"type":"code_interpreter"}"#, count: 129).joined(separator: ",") + "]"
            let reply = try await api.call(.post, "/v1/assistants", #"{"model":"m","tools":\#(tooManyTools)}"#)
            #expect(reply.error?.param == "tools")
            // Nothing was written by any of the failed requests.
            #expect(try await api.call(.get, "/v1/assistants").json["data"]?.array.isEmpty == true)
        }
    }

    @Test func modifyingAMissingAssistantIs404() async throws {
        try await TestAPI.run { api in
            let reply = try await api.call(.post, "/v1/assistants/asst_nothere", #"{"name":"x"}"#)
            #expect(reply.status == .notFound)
            let malformed = try await api.call(.get, "/v1/assistants/nothere")
            #expect(malformed.status == .badRequest)
            #expect(malformed.error?.param == "assistant_id")
        }
    }

    @Test func toolResourcesNameUploadedFiles() async throws {
        try await TestAPI.run { api in
            let file = try await api.upload(Data("data".utf8)).decode(FileObject.self)
            let assistant = try await api.createAssistant(#"{"model":"m","tool_resources":{"code_interpreter":{"file_ids":["\#(file.id)"]}}}"#)
            #expect(assistant.toolResources.codeInterpreter?.fileIDs == [file.id])
        }
    }
}
