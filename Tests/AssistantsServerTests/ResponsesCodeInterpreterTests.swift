import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import HTTPTypes
import Testing

/// The `code_interpreter` tool of `/v1/responses`: code runs in the container's sandboxed session, with the
/// container's files in /mnt/data; what it writes becomes the container's files; each run is a
/// `code_interpreter_call` output item, streamed with its own events.
@Suite struct ResponsesCodeInterpreterTests {
    func respond(_ api: TestAPI, _ body: String) async throws -> ModelResponse {
        let reply = try await api.call(.post, "/v1/responses", body, beta: false)
        #expect(reply.status == .ok, "\(String(decoding: reply.bytes, as: UTF8.self))")
        return try reply.decode(ModelResponse.self)
    }

    func code(_ response: ModelResponse) -> CodeInterpreterCallItem? {
        response.output.lazy.compactMap { if case .codeInterpreterCall(let call) = $0 { call } else { nil } }.first
    }

    func files(_ api: TestAPI, _ containerID: String) async throws -> [ContainerFile] {
        try await api.call(.get, "/v1/containers/\(containerID)/files?order=asc", beta: false).decode(ListPage<ContainerFile>.self).data
    }

    @Test func codeRunsInTheNamedContainerWithItsFilesAndKeepsItsState() async throws {
        try await TestAPI.run(model: true) { api in
            let container = try await api.call(.post, "/v1/containers", #"{"name":"work"}"#, beta: false).decode(Container.self)
            _ = try await api.upload(Data("21".utf8), filename: "n.txt", fields: [:], to: "/v1/containers/\(container.id)/files")
            let program = #"x = int(open('/mnt/data/n.txt').read()) * 2\nopen('/mnt/data/out.txt', 'w').write(str(x))\nprint(x)"#
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"\#(program)"}"#)]), FakeReply(text: "It is 42."))
            let tools = #"[{"type":"code_interpreter","container":"\#(container.id)"}]"#
            let first = try await respond(api, #"{"model":"gpt-4o","input":"Double it","tools":\#(tools),"include":["code_interpreter_call.outputs"]}"#)
            #expect(first.status == .completed)
            #expect(first.output.map(\.type) == ["code_interpreter_call", "message"])
            let call = try #require(code(first))
            #expect(call.id.hasPrefix("ci_") && call.containerID == container.id && call.status == .completed)
            #expect(call.code?.contains("open('/mnt/data/out.txt', 'w')") == true)
            #expect(call.outputs == [.logs("42\n")])
            #expect(first.outputText == "It is 42.")
            let sentTools = api.model?.requests().first?.body["tools"]?.array.compactMap { $0["function"]?["name"]?.stringValue }
            #expect(sentTools == ["code_interpreter"])

            // What the code wrote is the container's file.
            let written = try #require(try await files(api, container.id).first { $0.path == "/mnt/data/out.txt" })
            #expect(written.source == "assistant" && written.bytes == 2)
            let content = try await api.call(.get, "/v1/containers/\(container.id)/files/\(written.id)/content", beta: false)
            #expect(String(decoding: content.bytes, as: UTF8.self) == "42")

            // A later response in the same container finds the session's variables; without `include` the
            // outputs are not shown.
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"print(x + 1)"}"#)]), FakeReply(text: "43"))
            let second = try await respond(api, #"{"model":"gpt-4o","input":"Add one","tools":\#(tools)}"#)
            #expect(code(second)?.outputs == nil && code(second)?.containerID == container.id)
            let toolMessage = api.model?.requests().last?.body["messages"]?.array.last { $0["role"] == .string("tool") }
            #expect(toolMessage?["content"] == .string("43\n"))
            // The stored response reads back the same.
            #expect(try await api.call(.get, "/v1/responses/\(second.id)", beta: false).decode(ModelResponse.self) == second)

            // Deleting the container ends its Python session at once.
            #expect(try await liveSessions(api) == 1)
            #expect(try await api.call(.delete, "/v1/containers/\(container.id)", beta: false).status == .ok)
            #expect(try await liveSessions(api) == 0)
        }
    }

    func liveSessions(_ api: TestAPI) async throws -> Double? {
        let reply = try await api.send(.get, "/metrics", headers: [:], body: nil)
        return try PrometheusText(String(decoding: reply.bytes, as: UTF8.self)).value("assistants_code_interpreter_sessions")
    }

    @Test func autoMakesAContainerWithTheFilesAndTheNextResponseReusesIt() async throws {
        try await TestAPI.run(model: true) { api in
            let stored = try await api.upload(Data("a,b\n1,2\n".utf8), filename: "data.csv").decode(FileObject.self)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"print(open('/mnt/data/data.csv').read().count(','))"}"#)]), FakeReply(text: "2"))
            let tools = #"[{"type":"code_interpreter","container":{"type":"auto","file_ids":["\#(stored.id)"]}}]"#
            let first = try await respond(api, #"{"model":"gpt-4o","input":"Commas?","tools":\#(tools),"include":["code_interpreter_call.outputs"]}"#)
            let call = try #require(code(first))
            #expect(call.outputs == [.logs("2\n")])
            let container = try await api.call(.get, "/v1/containers/\(call.containerID)", beta: false).decode(Container.self)
            #expect(container.name == "Container for \(first.id)" && container.status == .running)
            #expect(try await files(api, container.id).map(\.path) == ["/mnt/data/data.csv"])

            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"print(1)"}"#)]), FakeReply(text: "1"))
            let next = try await respond(
                api, #"{"model":"gpt-4o","input":"Again","previous_response_id":"\#(first.id)","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}"#)
            #expect(code(next)?.containerID == container.id)
        }
    }

    @Test func theStreamShowsTheCodeAsItIsWrittenAndRun() async throws {
        try await TestAPI.run(model: true) { api in
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"print(6*7)"}"#)]), FakeReply(text: "42"))
            let body = #"{"model":"gpt-4o","input":"6*7?","stream":true,"tools":[{"type":"code_interpreter","container":{"type":"auto"}}],"include":["code_interpreter_call.outputs"]}"#
            let events = try await api.call(.post, "/v1/responses", body, beta: false).events
            let names = events.map(\.name).filter { $0.contains("code_interpreter") || $0.hasPrefix("response.output_item") }
            #expect(names.first == "response.output_item.added")
            #expect(Array(names.prefix(2)) == ["response.output_item.added", "response.code_interpreter_call.in_progress"])
            #expect(names.contains("response.code_interpreter_call_code.delta"))
            let tail = Array(names.drop { $0 != "response.code_interpreter_call_code.done" }.prefix(4))
            #expect(tail == [
                "response.code_interpreter_call_code.done", "response.code_interpreter_call.interpreting",
                "response.code_interpreter_call.completed", "response.output_item.done",
            ])
            let done = try #require(events.first { $0.name == "response.output_item.done" }?.json["item"])
            #expect(done["type"] == .string("code_interpreter_call") && done["code"] == .string("print(6*7)"))
            #expect(done["outputs"]?.array.first?["logs"] == .string("42\n"))
            let deltas = events.filter { $0.name == "response.code_interpreter_call_code.delta" }.compactMap { $0.json["delta"]?.stringValue }
            #expect(deltas.joined() == "print(6*7)")
            #expect(events.map { $0.json["sequence_number"] } == (0..<events.count).map { .integer($0) })
            #expect(events.last?.name == "response.completed")
        }
    }

    @Test func theAnswerCitesTheFilesTheCodeWrote() async throws {
        try await TestAPI.run(model: true) { api in
            let program = #"open('/mnt/data/out.csv', 'w').write('a,b\\n1,2\\n')"#
            let answer = "Here it is: [the table](sandbox:/mnt/data/out.csv)."
            let start = answer.distance(from: answer.startIndex, to: try #require(answer.range(of: "sandbox:")).lowerBound)
            let end = start + "sandbox:/mnt/data/out.csv".count
            let tools = #"[{"type":"code_interpreter","container":{"type":"auto"}}]"#
            for stream in [false, true] {
                api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"\#(program)"}"#)]), FakeReply(text: answer))
                let body = #"{"model":"gpt-4o","input":"Make a table","tools":\#(tools),"stream":\#(stream)}"#
                let reply = try await api.call(.post, "/v1/responses", body, beta: false)
                let response: ModelResponse
                if stream {
                    let events = reply.events
                    let added = events.filter { $0.name == "response.output_text.annotation.added" }
                    #expect(added.count == 1 && added.first?.json["annotation"]?["type"] == .string("container_file_citation"))
                    #expect(added.first?.json["annotation_index"] == .integer(0))
                    let final = try #require(events.last)
                    #expect(final.name == "response.completed")
                    guard case .response(.completed, let completed) = try JSONDecoder().decode(ResponseStreamEvent.self, from: Data(final.data.utf8)).kind else {
                        Issue.record("no final response")
                        continue
                    }
                    response = completed
                    let done = events.first { $0.name == "response.output_item.done" && $0.json["item"]?["type"] == .string("message") }
                    #expect(done?.json["item"]?["content"]?.array.first?["annotations"]?.array.first?["type"] == .string("container_file_citation"))
                } else {
                    response = try reply.decode(ModelResponse.self)
                }
                let containerID = try #require(code(response)?.containerID)
                let written = try #require(try await files(api, containerID).first { $0.path == "/mnt/data/out.csv" })
                let cited: [ResponseAnnotation] = [
                    .containerFileCitation(containerID: containerID, fileID: written.id, filename: "out.csv", startIndex: start, endIndex: end),
                ]
                guard case .message(let message) = response.output.last, case .outputText(let text) = message.content.first else {
                    Issue.record("no answer: \(response.output)")
                    continue
                }
                #expect(text.text == answer && text.annotations == cited, "stream: \(stream)")
                // Read back from the store, the answer cites the same.
                let stored = try await api.call(.get, "/v1/responses/\(response.id)", beta: false).decode(ModelResponse.self)
                #expect(stored.output == response.output)
            }
        }
    }

    @Test func containersThatCannotBeUsedAreRefused() async throws {
        try await TestAPI.run(model: true) { api in
            let missing = try await api.call(
                .post, "/v1/responses", #"{"model":"m","input":"x","tools":[{"type":"code_interpreter","container":"cntr_missing"}]}"#, beta: false)
            #expect(missing.status == .notFound && missing.error?.message == "Container with id 'cntr_missing' not found.")

            let idle = try await api.call(
                .post, "/v1/containers", #"{"name":"idle","expires_after":{"anchor":"last_active_at","minutes":1}}"#, beta: false
            ).decode(Container.self)
            api.clock.advance(by: 61)
            _ = try await api.containers.expire(now: api.clock.now())
            let cases: [(String, String)] = [
                (#"[{"type":"code_interpreter","container":"\#(idle.id)"}]"#, "tools[0].container"),
                (#"[{"type":"code_interpreter","container":{"type":"auto","file_ids":["file-missing"]}}]"#, "tools[0].container.file_ids[0]"),
                (#"[{"type":"code_interpreter","container":{"type":"auto"}},{"type":"code_interpreter","container":{"type":"auto"}}]"#, "tools[1]"),
            ]
            for (tools, param) in cases {
                let reply = try await api.call(.post, "/v1/responses", #"{"model":"m","input":"x","tools":\#(tools)}"#, beta: false)
                #expect(reply.status == .badRequest && reply.error?.param == param, "\(tools)")
            }
            #expect(api.model?.requests().isEmpty == true)
        }
    }
}
