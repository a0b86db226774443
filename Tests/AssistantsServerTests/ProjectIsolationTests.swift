import AssistantsAPI
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import HTTPTypes
import Testing

/// Projects walled off from each other at every route: what one project's key made is a 404 for another
/// project's key, whether named in the path or in a body, and lists never mix.
@Suite struct ProjectIsolationTests {
    /// Two projects with a key each, made as the admin commands make them, and the API as each key sees it.
    static func twoProjects(_ api: TestAPI) async throws -> (a: TestAPI, b: TestAPI) {
        let admin = ProjectAdmin(store: api.store)
        _ = try await admin.createProject(name: "team-a")
        _ = try await admin.createProject(name: "team-b")
        var a = api, b = api
        a.apiKey = try await admin.createKey(project: "team-a", name: "a").value
        b.apiKey = try await admin.createKey(project: "team-b", name: "b").value
        return (a, b)
    }

    @Test func whatOneProjectMadeIsA404ForAnother() async throws {
        try await TestAPI.run(model: true) { api in
            let (a, b) = try await Self.twoProjects(api)
            // Project A makes one of everything.
            let assistant = try await a.createAssistant(#"{"model":"gpt-4o","tools":[{"type":"file_search"}]}"#)
            let file = try await a.upload(Data("The river Lune runs through Lancaster.".utf8)).decode(FileObject.self)
            let store = try await a.call(.post, "/v1/vector_stores", #"{"name":"docs","file_ids":["\#(file.id)"]}"#).decode(VectorStore.self)
            let thread = try await a.createThread(#"{"messages":[{"role":"user","content":"hi"}]}"#)
            let message = try #require(try await a.call(.get, "/v1/threads/\(thread.id)/messages").decode(ListPage<Message>.self).data.first)
            a.model?.enqueue(FakeReply(chunks: ["Hello."]))
            let run = try await a.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#).decode(Run.self)
            try await waitForRun(a, run)
            // Its execution acts for its project, whose metrics count its tokens.
            let teamA = try #require(try await api.store.project(idOrName: "team-a"))
            #expect(try await api.store.run(id: run.id, threadID: thread.id)?.project == teamA.id)
            let metrics = try PrometheusText(String(decoding: try await api.send(.get, "/metrics", headers: [:], body: nil).bytes, as: UTF8.self))
            #expect((metrics.value("assistants_prompt_tokens_total", ["project": teamA.id, "model": "gpt-4o"]) ?? 0) > 0)
            #expect(metrics.value("assistants_prompt_tokens_total", ["project": ProjectScope.defaultProjectID, "model": "gpt-4o"]) == nil)
            a.model?.enqueue(FakeReply(chunks: ["Four."]))
            let response = try await a.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"2+2?"}"#, beta: false).decode(ModelResponse.self)
            #expect(try await api.store.response(id: response.id)?.run.project == teamA.id)
            let conversation = try await a.call(.post, "/v1/conversations", #"{"items":[{"role":"user","content":"hi"}]}"#, beta: false).json
            let conversationID = try #require(conversation["id"]?.stringValue)
            let container = try await a.call(.post, "/v1/containers", #"{"name":"box"}"#, beta: false).json
            let containerID = try #require(container["id"]?.stringValue)

            // Every route under them is a 404 for project B, and touches nothing.
            let paths: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/assistants/\(assistant.id)", nil),
                (.post, "/v1/assistants/\(assistant.id)", #"{"name":"taken"}"#),
                (.delete, "/v1/assistants/\(assistant.id)", nil),
                (.get, "/v1/files/\(file.id)", nil),
                (.get, "/v1/files/\(file.id)/content", nil),
                (.delete, "/v1/files/\(file.id)", nil),
                (.get, "/v1/vector_stores/\(store.id)", nil),
                (.post, "/v1/vector_stores/\(store.id)", #"{"name":"taken"}"#),
                (.get, "/v1/vector_stores/\(store.id)/files", nil),
                (.get, "/v1/vector_stores/\(store.id)/files/\(file.id)", nil),
                (.post, "/v1/vector_stores/\(store.id)/search", #"{"query":"river"}"#),
                (.delete, "/v1/vector_stores/\(store.id)", nil),
                (.get, "/v1/threads/\(thread.id)", nil),
                (.post, "/v1/threads/\(thread.id)", #"{"metadata":{"k":"v"}}"#),
                (.get, "/v1/threads/\(thread.id)/messages", nil),
                (.get, "/v1/threads/\(thread.id)/messages/\(message.id)", nil),
                (.post, "/v1/threads/\(thread.id)/messages", #"{"role":"user","content":"mine now"}"#),
                (.get, "/v1/threads/\(thread.id)/runs", nil),
                (.get, "/v1/threads/\(thread.id)/runs/\(run.id)", nil),
                (.get, "/v1/threads/\(thread.id)/runs/\(run.id)/steps", nil),
                (.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#),
                (.delete, "/v1/threads/\(thread.id)", nil),
                (.get, "/v1/responses/\(response.id)", nil),
                (.get, "/v1/responses/\(response.id)/input_items", nil),
                (.delete, "/v1/responses/\(response.id)", nil),
                (.get, "/v1/conversations/\(conversationID)", nil),
                (.get, "/v1/conversations/\(conversationID)/items", nil),
                (.delete, "/v1/conversations/\(conversationID)", nil),
                (.get, "/v1/containers/\(containerID)", nil),
                (.get, "/v1/containers/\(containerID)/files", nil),
                (.delete, "/v1/containers/\(containerID)", nil),
            ]
            for (method, path, body) in paths {
                let reply = try await b.call(method, path, body, beta: !path.contains("responses") && !path.contains("conversations"))
                #expect(reply.status == .notFound, "\(method) \(path): \(reply.status)")
            }

            // Named in a body, they are not found either.
            let theirs = try await b.createThread()
            let references: [(String, String, Bool)] = [
                ("/v1/threads/\(theirs.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#, true),
                ("/v1/threads/runs", #"{"assistant_id":"\#(assistant.id)"}"#, true),
                ("/v1/vector_stores", #"{"file_ids":["\#(file.id)"]}"#, true),
                ("/v1/threads/\(theirs.id)/messages", #"{"role":"user","content":"x","attachments":[{"file_id":"\#(file.id)","tools":[{"type":"file_search"}]}]}"#, true),
                ("/v1/assistants", #"{"model":"gpt-4o","tool_resources":{"file_search":{"vector_store_ids":["\#(store.id)"]}}}"#, true),
                ("/v1/responses", #"{"model":"gpt-4o","input":"x","previous_response_id":"\#(response.id)"}"#, false),
                ("/v1/responses", #"{"model":"gpt-4o","input":"x","conversation":"\#(conversationID)"}"#, false),
                ("/v1/responses", #"{"model":"gpt-4o","input":"x","tools":[{"type":"code_interpreter","container":"\#(containerID)"}]}"#, false),
                ("/v1/responses", #"{"model":"gpt-4o","input":[{"type":"item_reference","id":"\#(message.id)"}]}"#, false),
            ]
            for (path, body, beta) in references {
                let reply = try await b.call(.post, path, body, beta: beta)
                #expect(reply.status.code == 404 || reply.status.code == 400, "\(path) \(body): \(reply.status)")
                #expect(reply.error?.message.contains("not found") == true || reply.error?.message.contains("No ") == true, "\(path): \(reply.error?.message ?? "")")
            }

            // B's lists hold only B's objects.
            #expect(try await b.call(.get, "/v1/assistants").decode(ListPage<Assistant>.self).data.isEmpty)
            #expect(try await b.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.isEmpty)
            #expect(try await b.call(.get, "/v1/vector_stores").decode(ListPage<VectorStore>.self).data.isEmpty)
            #expect(try await b.call(.get, "/v1/containers", beta: false).json["data"]?.array.isEmpty == true)
            #expect(try await b.call(.get, "/console/api/threads").decode(ListPage<AssistantThread>.self).data.map(\.id) == [theirs.id])
            // A cursor of A's list is no cursor of B's.
            #expect(try await b.call(.get, "/v1/assistants?after=\(assistant.id)").status == .badRequest)

            // Nothing of A's changed, and A still reaches all of it.
            #expect(try await a.call(.get, "/v1/assistants/\(assistant.id)").decode(Assistant.self) == assistant)
            #expect(try await a.call(.get, "/v1/files/\(file.id)/content").bytes == Data("The river Lune runs through Lancaster.".utf8))
            #expect(try await a.call(.get, "/v1/threads/\(thread.id)/messages").decode(ListPage<Message>.self).data.count == 2)
            #expect(try await a.call(.get, "/v1/threads/\(thread.id)").decode(AssistantThread.self).metadata.isEmpty)
            #expect(try await a.call(.get, "/v1/responses/\(response.id)", beta: false).status == .ok)
            #expect(try await a.call(.get, "/v1/conversations/\(conversationID)", beta: false).status == .ok)
            #expect(try await a.call(.get, "/v1/containers/\(containerID)", beta: false).status == .ok)
            #expect(try await a.call(.get, "/v1/vector_stores/\(store.id)").decode(VectorStore.self).name == "docs")
            #expect(try await a.call(.get, "/v1/assistants").decode(ListPage<Assistant>.self).data.map(\.id) == [assistant.id])
        }
    }

    @Test func keysAreCheckedAgainstTheStoreAndRevoked() async throws {
        try await TestAPI.run(apiKeys: ["sk-configured-1234"]) { api in
            let admin = ProjectAdmin(store: api.store)
            _ = try await admin.createProject(name: "team")
            let (record, value) = try await admin.createKey(project: "team", name: "ci")
            #expect(value.hasPrefix("sk-proj-") && value.count == 56)
            #expect(record.redactedValue.hasPrefix("sk-proj-") && record.redactedValue.hasSuffix(String(value.suffix(4))))
            var team = api
            team.apiKey = value
            let made = try await team.createAssistant()
            // The configured key is the default project's: the team's assistant is not its.
            #expect(try await api.call(.get, "/v1/assistants/\(made.id)").status == .notFound)
            var wrong = api
            wrong.apiKey = "sk-proj-not-a-key"
            let refused = try await wrong.call(.get, "/v1/assistants")
            #expect(refused.status == .unauthorized && refused.error?.code == "invalid_api_key")

            // A key revoked before the server remembered it is refused at once.
            let (unused, unusedValue) = try await admin.createKey(project: "team", name: nil)
            try await admin.revokeKey(id: unused.id)
            var revoked = api
            revoked.apiKey = unusedValue
            #expect(try await revoked.call(.get, "/v1/assistants").status == .unauthorized)
            await #expect(throws: ProjectAdminError.self) { try await admin.revokeKey(id: unused.id) }
            await #expect(throws: ProjectAdminError.self) { try await admin.createKey(project: "nobody", name: nil) }
            await #expect(throws: ProjectAdminError.self) { try await admin.createProject(name: "team") }
        }
    }

    @Test func storedKeysCloseAnOpenServer() async throws {
        try await TestAPI.run { api async throws -> Void in
            // No key anywhere: open, on loopback, for the default project.
            #expect(try await api.call(.get, "/v1/assistants").status == .ok)
            #expect(try await api.call(.get, "/console/api/config").json["api_keys_required"] == .bool(false))
        }
        try await TestAPI.run { api in
            let admin = ProjectAdmin(store: api.store)
            let (_, value) = try await admin.createKey(project: "default", name: nil)
            // A stored key: every request needs one.
            let refused = try await api.call(.get, "/v1/assistants")
            #expect(refused.status == .unauthorized && refused.error?.message.contains("didn't provide an API key") == true)
            #expect(try await api.call(.get, "/console/api/config").json["api_keys_required"] == .bool(true))
            var keyed = api
            keyed.apiKey = value
            #expect(try await keyed.call(.get, "/v1/assistants").status == .ok)
        }
    }

    @Test func aKeyOverItsRequestsPerMinuteWaitsForTheNextMinute() async throws {
        try await TestAPI.run { api in
            let (a, b) = try await Self.twoProjects(api)
            _ = try await ProjectAdmin(store: api.store).setRequestsPerMinute(3, project: "team-a")
            // Each minute of the server's clock: three requests, then 429s until the minute is over.
            // 15 seconds into a minute, so that the test ends before it does.
            api.clock.advance(by: (75 - api.clock.now() % 60) % 60)
            for _ in 0..<3 { #expect(try await a.call(.get, "/v1/assistants").status == .ok) }
            let refused = try await a.call(.get, "/v1/assistants")
            #expect(refused.status == .tooManyRequests)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((30...45).contains(retryAfter))
            #expect(refused.error?.code == "rate_limit_exceeded" && refused.error?.type == "requests")
            #expect(refused.error?.message.contains("Limit 3") == true)
            // Another project's key has its own count, and no limit.
            for _ in 0..<5 { #expect(try await b.call(.get, "/v1/assistants").status == .ok) }
            api.clock.advance(by: 60)
            #expect(try await a.call(.get, "/v1/assistants").status == .ok)
        }
    }

    @Test func aProjectsRunsCallItsOwnEndpointWithItsKeyAndAliases() async throws {
        try await TestAPI.run(model: true) { api in
            let (a, b) = try await Self.twoProjects(api)
            let own = try await FakeModelServer.start()
            do {
                _ = try await ProjectAdmin(store: api.store).setUpstream(
                    url: own.baseURL, apiKey: "sk-team-a-upstream", modelAliases: ["gpt-4o": "llama-a"], project: "team-a")
                own.enqueue(FakeReply(chunks: ["From A's endpoint."]))
                api.model?.enqueue(FakeReply(chunks: ["From the server's endpoint."]))
                for (caller, expected) in [(a, "From A's endpoint."), (b, "From the server's endpoint.")] {
                    let assistant = try await caller.createAssistant()
                    let thread = try await caller.createThread(#"{"messages":[{"role":"user","content":"hi"}]}"#)
                    let run = try await caller.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#).decode(Run.self)
                    try await waitForRun(caller, run)
                    let messages = try await caller.call(.get, "/v1/threads/\(thread.id)/messages").decode(ListPage<Message>.self)
                    guard case .text(let text) = messages.data.first?.content.first else { Issue.record("no answer"); continue }
                    #expect(text.value == expected)
                }
                let received = own.requests()
                #expect(received.count == 1)
                #expect(received.first?.body["model"] == .string("llama-a"))
                #expect(received.first?.authorization == "Bearer sk-team-a-upstream")
                #expect(api.model?.requests().count == 1)
                // Back to the server's endpoint.
                _ = try await ProjectAdmin(store: api.store).setUpstream(url: nil, project: "team-a")
                await #expect(throws: ProjectAdminError.self) {
                    try await ProjectAdmin(store: api.store).setUpstream(url: "ftp://example", project: "team-a")
                }
            } catch {
                await own.stop()
                throw error
            }
            await own.stop()
        }
    }

    @Test func aProjectAtItsLimitOfActiveRunsGetsA429UntilOneEnds() async throws {
        try await TestAPI.run(model: true) { api in
            let (a, b) = try await Self.twoProjects(api)
            _ = try await ProjectAdmin(store: api.store).setMaxActiveRuns(1, project: "team-a")
            let assistant = try await a.createAssistant(
                #"{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}"#)
            // The first run waits for tool outputs: it stays active.
            a.model?.enqueue(FakeReply(toolCalls: [.init(name: "lookup", arguments: "{}")]))
            let first = try await a.createThread()
            let waiting = try await a.call(.post, "/v1/threads/\(first.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#).decode(Run.self)
            for _ in 0..<500 {
                if try await a.call(.get, "/v1/threads/\(first.id)/runs/\(waiting.id)").decode(Run.self).status == .requiresAction { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let second = try await a.createThread()
            let refused = try await a.call(.post, "/v1/threads/\(second.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.error?.code == "active_runs_limit_exceeded" && refused.headers[.retryAfter] == "1")
            #expect(try await a.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"x"}"#, beta: false).status == .tooManyRequests)
            // Another project is not held back.
            b.model?.enqueue(FakeReply(chunks: ["Fine."]))
            #expect(try await b.call(.post, "/v1/responses", #"{"model":"gpt-4o","input":"x"}"#, beta: false).status == .ok)
            // Once the first run is cancelled, the next may start.
            _ = try await a.call(.post, "/v1/threads/\(first.id)/runs/\(waiting.id)/cancel")
            try await waitForRun(a, waiting)
            a.model?.enqueue(FakeReply(chunks: ["Now."]))
            #expect(try await a.call(.post, "/v1/threads/\(second.id)/runs", #"{"assistant_id":"\#(assistant.id)"}"#).status == .ok)
        }
    }

    @Test func anUploadPastTheProjectsStorageQuotaIsRefusedAndLeavesNothing() async throws {
        try await TestAPI.run { api in
            let (a, _) = try await Self.twoProjects(api)
            _ = try await ProjectAdmin(store: api.store).setStorageQuota(10, project: "team-a")
            #expect(try await a.upload(Data("12345678".utf8)).status == .ok)
            let refused = try await a.upload(Data("12345".utf8))
            #expect(refused.status == .badRequest)
            #expect(refused.error?.code == "storage_quota_exceeded")
            #expect(refused.error?.message.contains("10 bytes") == true)
            #expect(try await a.call(.get, "/v1/files").decode(ListPage<FileObject>.self).data.count == 1)
            // No record was left of it, in any project.
            #expect(try await api.store.listFiles(purpose: nil, ListQuery(limit: 10)).data.count == 1)
        }
    }

    private func waitForRun(_ api: TestAPI, _ run: Run) async throws {
        for _ in 0..<500 {
            let current = try await api.call(.get, "/v1/threads/\(run.threadID)/runs/\(run.id)").decode(Run.self)
            if current.status.isTerminal { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the run did not end")
    }
}
