import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import Hummingbird
import Metrics

/// `/threads/{thread_id}/runs` and `/threads/runs`.
struct RunsController<Context: RequestContext> {
    let store: any AssistantsStore
    let engine: RunEngine
    /// Learns the project of each thread made here, which its runs' polls then find without a lookup.
    let owners: ObjectOwners
    /// Counts the event streams being written.
    let openStreams: Meter

    func addRoutes(threads: RouterGroup<Context>) {
        threads.post("runs", use: createThreadAndRun)
        threads.group(":thread_id/runs")
            .post(use: create)
            .get(use: list)
            .get(":run_id", use: retrieve)
            .post(":run_id", use: modify)
            .post(":run_id/cancel", use: cancel)
            .post(":run_id/submit_tool_outputs", use: submitToolOutputs)
            .get(":run_id/steps", use: listSteps)
            .get(":run_id/steps/:step_id", use: retrieveStep)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let threadID = try context.parameters.id("thread_id", of: .thread)
        let include = try request.includesFileSearchContent()
        let body = try await request.decodeJSON(CreateRunRequest.self)
        return .run(try await engine.createRun(threadID: threadID, body), includingFileSearchContent: include, openStreams: openStreams)
    }

    @Sendable func createThreadAndRun(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeJSON(CreateThreadAndRunRequest.self)
        let start = try await engine.createThreadAndRun(body)
        owners.insert(start.run.threadID, project: ProjectScope.stamp)
        return .run(start, openStreams: openStreams)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let threadID = try context.parameters.id("thread_id", of: .thread)
        let query = try request.listQuery()
        guard try await store.thread(id: threadID) != nil else { throw APIError.notFound(.thread, id: threadID) }
        return .json(try await store.listRuns(threadID: threadID, query))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let run = try await run(context)
        return .json(run).polledAfter(run)
    }

    @Sendable func modify(_ request: Request, context: Context) async throws -> Response {
        let (threadID, runID) = try ids(context)
        let body = try await request.decodeJSON(MetadataUpdateRequest.self)
        let run = try await store.updateRun(id: runID, threadID: threadID) { run in
            if let metadata = body.metadata { run.metadata = metadata ?? [:] }
        }
        guard let run else { throw APIError.notFound(.run, id: runID) }
        return .json(run)
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let (threadID, runID) = try ids(context)
        return .json(try await engine.cancel(runID: runID, threadID: threadID))
    }

    @Sendable func submitToolOutputs(_ request: Request, context: Context) async throws -> Response {
        let (threadID, runID) = try ids(context)
        let body = try await request.decodeJSON(SubmitToolOutputsRequest.self)
        return .run(try await engine.submitToolOutputs(runID: runID, threadID: threadID, body), openStreams: openStreams)
    }

    @Sendable func listSteps(_ request: Request, context: Context) async throws -> Response {
        let include = try request.includesFileSearchContent()
        let query = try request.listQuery()
        let run = try await run(context)
        var page = try await store.listSteps(runID: run.id, query)
        if !include { page.data = page.data.map { $0.withoutFileSearchContent() } }
        return .json(page)
    }

    @Sendable func retrieveStep(_ request: Request, context: Context) async throws -> Response {
        let include = try request.includesFileSearchContent()
        let run = try await run(context)
        let stepID = try context.parameters.id("step_id", of: .step)
        guard let step = try await store.step(id: stepID, runID: run.id) else { throw APIError.notFound(.step, id: stepID) }
        return .json(include ? step : step.withoutFileSearchContent())
    }

    private func ids(_ context: Context) throws -> (thread: String, run: String) {
        (try context.parameters.id("thread_id", of: .thread), try context.parameters.id("run_id", of: .run))
    }

    private func run(_ context: Context) async throws -> Run {
        let (threadID, runID) = try ids(context)
        guard let run = try await store.run(id: runID, threadID: threadID) else {
            throw try await store.thread(id: threadID) == nil ? APIError.notFound(.thread, id: threadID) : .notFound(.run, id: runID)
        }
        return run
    }
}

extension Request {
    /// The one value `include[]` takes.
    static let fileSearchContent = "step_details.tool_calls[*].file_search.results[*].content"

    /// Whether `include[]` asks for file search result contents; any other value is a 400.
    func includesFileSearchContent() throws -> Bool {
        let values = queryValues(named: ["include[]", "include"])
        for value in values where value != Self.fileSearchContent {
            throw APIError.invalidValue(String(value), param: "include", supported: [Self.fileSearchContent])
        }
        return !values.isEmpty
    }
}
