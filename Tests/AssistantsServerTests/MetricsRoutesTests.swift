import AssistantsAPI
import FakeModel
import Foundation
import HTTPTypes
import Testing

/// `GET /metrics` as Prometheus scrapes it: what a streamed and a polled run did, counted exactly.
@Suite struct MetricsRoutesTests {
    func scrape(_ api: TestAPI, headers: HTTPFields = [:]) async throws -> PrometheusText {
        let reply = try await api.send(.get, "/metrics", headers: headers, body: nil)
        #expect(reply.status == .ok)
        #expect(reply.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText(String(decoding: reply.bytes, as: UTF8.self))
    }

    @Test func aStreamedAndAPolledRunMoveTheCountersByWhatTheyDid() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread()
            let before = try await scrape(api)
            #expect(before.sum("assistants_runs_total") == 0)

            // Streamed: the endpoint is loading at first (one retry), then answers.
            api.model?.enqueue(
                FakeReply(error: .init(status: 503, message: "loading")),
                FakeReply(text: "Hello!", usage: .init(promptTokens: 11, completionTokens: 7)))
            let streamed = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            #expect(streamed.events.map(\.name).suffix(2) == ["thread.run.completed", "done"])

            // Polled.
            api.model?.enqueue(FakeReply(text: "Again!", usage: .init(promptTokens: 13, completionTokens: 5)))
            let created = try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#)
            var polls = 0
            var run = created
            while !run.status.isTerminal {
                polls += 1
                guard polls < 1000 else { Issue.record("the run did not end"); break }
                run = try await api.call(.get, "/v1/threads/\(thread.id)/runs/\(created.id)").decode(Run.self)
            }
            #expect(run.status == .completed)
            // A missing run: counted under its route, not its path.
            #expect(try await api.call(.get, "/v1/threads/\(thread.id)/runs/run_missing").status == .notFound)

            let after = try await scrape(api)
            func moved(_ name: String, _ labels: [String: String] = [:]) -> Double {
                (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0)
            }
            #expect(moved("assistants_runs_total", ["status": "completed"]) == 2)
            #expect(after.sum("assistants_runs_total") == 2)
            #expect(moved("assistants_run_duration_seconds_count", ["status": "completed"]) == 2)
            #expect(moved("assistants_run_time_to_first_token_seconds_count") == 2)
            #expect(moved("assistants_prompt_tokens_total", ["project": "proj_default", "model": "gpt-4o"]) == 24)
            #expect(moved("assistants_completion_tokens_total", ["project": "proj_default", "model": "gpt-4o"]) == 12)
            #expect(moved("assistants_upstream_request_duration_seconds_count", ["status": "503"]) == 1)
            #expect(moved("assistants_upstream_request_duration_seconds_count", ["status": "200"]) == 2)
            #expect(moved("assistants_upstream_errors_total", ["kind": "unavailable"]) == 1)
            #expect(moved("assistants_upstream_retries_total") == 1)
            #expect(after.value("assistants_run_queue_depth") == 0)

            let runs = "/v1/threads/{thread_id}/runs"
            #expect(moved("assistants_http_requests_total", ["route": runs, "method": "POST", "status": "200"]) == 2)
            #expect(moved("assistants_http_requests_total", ["route": runs + "/{run_id}", "method": "GET", "status": "200"]) == Double(polls))
            #expect(moved("assistants_http_requests_total", ["route": runs + "/{run_id}", "method": "GET", "status": "404"]) == 1)
            #expect(moved("assistants_http_request_duration_seconds_count", ["route": runs, "method": "POST", "status": "200"]) == 2)
            #expect(after.value("assistants_http_requests_total", ["route": "/v1/assistants", "method": "POST", "status": "200"]) == 1)
            // Routes are patterns: no id is ever a label.
            let ids = [thread.id, assistant.id, created.id, "run_missing"]
            #expect(!after.samples.contains { sample in sample.labels.values.contains { value in ids.contains { value.contains($0) } } })

            // The event stream closes once its client has read `done`.
            let open = try await eventuallyValue {
                let value = try await scrape(api).value("assistants_open_event_streams")
                return value == 0 ? value : nil
            }
            #expect(open == 0)
        }
    }

    @Test func ingestionCountsTheBytesItIndexed() async throws {
        try await TestAPI.run { api in
            let text = "Green tea is steeped at 80 degrees for two minutes."
            let file = try await api.uploadFile(text, filename: "tea.md")
            let binary = try await api.uploadFile("MZ\u{0}\u{1}", filename: "tool.exe")
            let created = try await api.createVectorStore(#"{"file_ids":["\#(file.id)","\#(binary.id)"]}"#)
            let store = try await api.ingested(created.id)
            #expect(store.fileCounts == FileCounts(completed: 1, failed: 1))
            let metrics = try await scrape(api)
            // The file that failed indexed nothing.
            #expect(metrics.value("assistants_indexed_bytes_total") == Double(text.utf8.count))
            #expect(metrics.value("assistants_ingestion_backlog_files") == 0)
        }
    }

    /// A thread's session lives on after its run, until the thread goes.
    @Test func liveCodeInterpreterSessionsAreCounted() async throws {
        try await TestAPI.run(model: true) { api in
            let (assistant, thread) = try await api.assistantAndThread(tools: #"[{"type":"code_interpreter"}]"#)
            #expect(try await scrape(api).value("assistants_code_interpreter_sessions") == 0)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "code_interpreter", arguments: #"{"code":"x = 1"}"#)]), FakeReply(text: "Done."))
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .completed)
            #expect(try await scrape(api).value("assistants_code_interpreter_sessions") == 1)
            #expect(try await api.call(.delete, "/v1/threads/\(thread.id)").status == .ok)
            // Counted out once the process has been reaped, a moment after the delete answers.
            let left = try await eventuallyValue {
                let value = try await scrape(api).value("assistants_code_interpreter_sessions")
                return value == 0 ? value : nil
            }
            #expect(left == 0)
        }
    }

    @Test func withATokenMetricsRequireIt() async throws {
        try await TestAPI.run(metricsToken: "scrape-me") { api in
            let missing = try await api.send(.get, "/metrics", headers: [:], body: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.error?.type == "invalid_request_error")
            #expect(missing.error?.message.contains("metrics token") == true)
            let wrong = try await api.send(.get, "/metrics", headers: [.authorization: "Bearer not-it"], body: nil)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.error?.code == "invalid_metrics_token")
            let text = try await scrape(api, headers: [.authorization: "Bearer scrape-me"])
            // The refused scrapes were counted too.
            #expect(text.value("assistants_http_requests_total", ["route": "/metrics", "method": "GET", "status": "401"]) == 2)
        }
    }

    @Test func withoutATokenMetricsAreOpenOnlyOnALoopbackAddress() async throws {
        try await TestAPI.run { api in
            let reply = try await api.send(.get, "/metrics", headers: [:], body: nil)
            #expect(reply.status == .ok)
        }
        try await TestAPI.run(apiKeys: ["sk-key"], metricsHost: "0.0.0.0") { api in
            let reply = try await api.send(.get, "/metrics", headers: [.authorization: "Bearer sk-key"], body: nil)
            #expect(reply.status == .forbidden)
            #expect(reply.error?.code == "metrics_token_required")
        }
    }
}
