import AssistantsAPI
import AssistantsStore
import Logging
import ModelProviders
import ServiceLifecycle
import Synchronization

/// Runs: creates them, queues them, works them off with a pool of workers, ends the ones that expire,
/// and on start picks up what a previous process left unfinished.
public final class RunEngine: Service, Sendable {
    public struct Configuration: Sendable {
        /// How many runs execute at once.
        public var workers: Int
        /// A guard against a model that keeps calling tools without ever answering.
        public var maxModelCalls: Int
        /// How often runs are checked for expiry.
        public var sweepInterval: Duration

        public init(workers: Int = 64, maxModelCalls: Int = 32, sweepInterval: Duration = .seconds(1)) {
            self.workers = workers
            self.maxModelCalls = maxModelCalls
            self.sweepInterval = sweepInterval
        }
    }

    /// A run as a create or submit call leaves it, with its events when the caller streams.
    public struct Start: Sendable {
        public var run: Run
        public var thread: AssistantThread?
        public var events: RunEvents?
    }

    let environment: EngineEnvironment
    let configuration: Configuration
    private let queue = RunQueue()
    private let executing = Mutex<[String: Task<Void, Never>]>([:])
    private let interruptions = Mutex<[String: RunFinalizer.Ending]>([:])
    /// Set when the process stops without waiting for executing runs: they are stopped, not ended.
    private let abandoning = Mutex(false)

    /// `file_search` is always one of the tools: it works on `vectorStores`. `events` carries the runs'
    /// stream events to the clients streaming them, on whichever node they are connected.
    public init(
        store: any AssistantsStore, blobs: any BlobStore, vectorStores: VectorStores, provider: (any ModelProvider)?,
        tools: [any BuiltInTool] = [], events hub: any RunEventBus = InProcessEventBus(), configuration: Configuration = .init(),
        logger: Logger = Logger(label: "runs")
    ) {
        let tools: [any BuiltInTool] = [FileSearchTool(vectorStores: vectorStores)] + tools
        environment = EngineEnvironment(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: provider, hub: hub,
            tools: Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            finalizer: RunFinalizer(store: store, hub: hub, logger: logger), maxModelCalls: configuration.maxModelCalls, logger: logger)
        self.configuration = configuration
    }

    private var store: any AssistantsStore { environment.store }
    public var vectorStores: VectorStores { environment.vectorStores }
    private var planner: RunPlanner { RunPlanner(store: store) }
    private var references: References { References(environment.vectorStores) }

    // MARK: Requests

    public func createRun(threadID: String, _ request: CreateRunRequest) async throws -> Start {
        guard let thread = try await store.thread(id: threadID) else { throw APIError.notFound(.thread, id: threadID) }
        let assistant = try await planner.assistant(request.assistantID)
        for (index, message) in request.additionalMessages.enumerated() {
            try await references.check(message, param: "additional_messages[\(index)]")
        }
        let now = unixNow()
        let run = try planner.run(
            threadID: threadID, assistant: assistant, parameters: request.parameters,
            additionalInstructions: request.additionalInstructions, now: now)
        let messages = request.additionalMessages.map { $0.message(threadID: threadID, createdAt: now) }
        // The attachments are written with the run, so a thread with an active run refuses both.
        try await environment.vectorStores.attaching(request.additionalMessages, to: thread) {
            try await store.createRun(run, additionalMessages: messages, attaching: $0)
        }
        return await start(run, thread: nil, stream: request.stream, prelude: [.runCreated(run), .run(run)])
    }

    public func createThreadAndRun(_ request: CreateThreadAndRunRequest) async throws -> Start {
        let assistant = try await planner.assistant(request.assistantID)
        let references = references
        if let resources = request.thread.toolResources { try await references.check(resources, param: "thread.tool_resources") }
        if let resources = request.toolResources { try await references.check(resources) }
        for (index, message) in request.thread.messages.enumerated() {
            try await references.check(message, param: "thread.messages[\(index)]")
        }
        let now = unixNow()
        let threadID = ObjectKind.thread.newID()
        let run = try planner.run(threadID: threadID, assistant: assistant, parameters: request.parameters, additionalInstructions: nil, now: now)
        // The request's own `tool_resources` replace the thread's.
        var resources = request.toolResources ?? .init()
        if request.toolResources == nil { resources = try await environment.vectorStores.resources(for: request.thread.toolResources) }
        let created = AssistantThread(id: threadID, createdAt: now, toolResources: resources, metadata: request.thread.metadata ?? [:])
        let messages = request.thread.messages.map { $0.message(threadID: threadID, createdAt: now) }
        let thread = try await environment.vectorStores.attaching(request.thread.messages, to: created) {
            try await store.createThreadAndRun(created, messages: messages, run: run, attaching: $0)
        }
        return await start(run, thread: thread, stream: request.stream, prelude: [.threadCreated(thread), .runCreated(run), .run(run)])
    }

    /// Answers the function calls a run waits on; all of them, in one request.
    public func submitToolOutputs(runID: String, threadID: String, _ request: SubmitToolOutputsRequest) async throws -> Start {
        guard let current = try await store.run(id: runID, threadID: threadID) else { throw APIError.notFound(.run, id: runID) }
        let outputs = Dictionary(request.toolOutputs.map { ($0.toolCallID, $0.output) }, uniquingKeysWith: { $1 })
        guard var step = try await store.allSteps(runID: runID).last(where: { $0.status == .inProgress }),
              case .toolCalls(let calls) = step.details else {
            throw APIError.invalidRequest("Runs in status \"\(current.status.rawValue)\" do not accept tool outputs.")
        }
        let now = unixNow()
        step.details = .toolCalls(calls.map { call in
            guard case .function(let name, let arguments, nil) = call.kind, let output = outputs[call.id] else { return call }
            return ToolCall(id: call.id, kind: .function(name: name, arguments: arguments, output: output), transcript: call.transcript)
        })
        step.status = .completed
        step.completedAt = now
        step.usage = step.pendingUsage ?? Usage()
        let run = try await store.updateRun(id: runID, threadID: threadID, saving: [], [step]) { run in
            guard run.status == .requiresAction, let action = run.requiredAction else {
                throw APIError.invalidRequest("Runs in status \"\(run.status.rawValue)\" do not accept tool outputs.")
            }
            let expected = action.submitToolOutputs.toolCalls.map(\.id)
            let given = request.toolOutputs.map(\.toolCallID)
            guard Set(given) == Set(expected), given.count == expected.count else {
                throw APIError.invalidRequest(
                    "Expected tool outputs for call_ids \(expected), got \(given). All outputs must be submitted in a single request.",
                    param: "tool_outputs")
            }
            run.status = .queued
            run.requiredAction = nil
            run.expiresAt = now + RunPlanner.lifetime
        }
        guard let run else { throw APIError.notFound(.run, id: runID) }
        return await start(run, thread: nil, stream: request.stream, prelude: [.step(step), .run(run)])
    }

    /// Asks a run to stop. It answers `cancelling`; the run ends `cancelled` moments later.
    public func cancel(runID: String, threadID: String) async throws -> Run {
        let run = try await store.updateRun(id: runID, threadID: threadID) { run in
            switch run.status {
            case .queued, .inProgress, .requiresAction: run.status = .cancelling
            case .cancelling: break
            default: throw APIError.invalidRequest("Cannot cancel run with status '\(run.status.rawValue)'.")
            }
        }
        guard let run else { throw APIError.notFound(.run, id: runID) }
        environment.hub.publish(.run(run), runID: runID)
        // `cancelling` reaches the streams before the `cancelled` that whichever node ends the run sends.
        await environment.hub.flush(runID: runID)
        interrupt(runID: runID, threadID: threadID, as: .cancelled)
        return run
    }

    /// Deletes a thread with everything in it, and what its tools kept (the code interpreter's session).
    public func deleteThread(id: String) async throws -> Bool {
        guard try await store.deleteThread(id: id) else { return false }
        for tool in environment.tools.values { await tool.threadDeleted(id) }
        return true
    }

    private func start(_ run: Run, thread: AssistantThread?, stream: Bool, prelude: [AssistantStreamEvent]) async -> Start {
        let events = stream ? await environment.hub.subscribe(runID: run.id) : nil
        for event in prelude { environment.hub.publish(event, runID: run.id) }
        // The node executing the run streams after the prelude.
        await environment.hub.flush(runID: run.id)
        await queue.push(.init(runID: run.id, threadID: run.threadID))
        return Start(run: run, thread: thread, events: events)
    }

    /// Stops an executing run with `ending`, or has a worker end it if none is executing it.
    private func interrupt(runID: String, threadID: String, as ending: RunFinalizer.Ending) {
        interruptions.withLock { $0[runID] = ending }
        if let task = executing.withLock({ $0[runID] }) {
            task.cancel()
        } else {
            Task { await queue.push(.init(runID: runID, threadID: threadID)) }
        }
    }

    // MARK: Service

    /// Works off runs until shutdown. A graceful shutdown stops handing out queued runs at once (they stay
    /// `queued` for the next start) and lets the executing ones finish. Should the service be cancelled
    /// meanwhile (the grace period is over), the runs still executing are left as a crash leaves them,
    /// `in_progress`, for the next start to fail with a `last_error`.
    public func run() async throws {
        try await recover()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, configuration.workers) {
                group.addTask { await self.work() }
            }
            group.addTask { await self.expireOverdueRuns() }
            group.addTask {
                try? await gracefulShutdown()
                await self.queue.close()
            }
        }
        if abandoning.withLock({ $0 }) {
            environment.logger.warning("runs still executing at shutdown were left in progress; the next start fails them")
        }
        await environment.provider?.shutdown()
    }

    /// What a previous process left: queued runs go back in the queue, runs it was executing fail (their
    /// model call was lost midway), cancellations are completed. Runs waiting for tool outputs still wait.
    private func recover() async throws {
        for run in try await store.activeRuns() {
            switch run.status {
            case .queued, .cancelling:
                await queue.push(.init(runID: run.id, threadID: run.threadID))
            case .inProgress:
                try await environment.finalizer.end(
                    runID: run.id, threadID: run.threadID,
                    as: .failed(.serverError("The server stopped while this run was in progress, so it was not finished. Create a new run to continue.")))
            default:
                break
            }
        }
    }

    private func work() async {
        while let entry = await queue.next() {
            let task = Task { await self.execute(entry) }
            executing.withLock { $0[entry.runID] = task }
            // A worker is cancelled only when the process stops without waiting (shutdown's grace period is
            // over): the run is stopped and left as it is, as a crash would leave it, not ended.
            await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                abandoning.withLock { $0 = true }
                task.cancel()
            }
            executing.withLock { $0[entry.runID] = nil }
            interruptions.withLock { $0[entry.runID] = nil }
        }
    }

    private func execute(_ entry: RunQueue.Entry) async {
        do {
            guard let run = try await store.run(id: entry.runID, threadID: entry.threadID), !run.status.isTerminal else { return }
            // A run stopped before a worker reached it (cancelled, or expired while waiting) just ends.
            let overdue = run.status == .queued && (run.expiresAt ?? .max) <= unixNow()
            let pending = interruptions.withLock { $0[entry.runID] }
                ?? (run.status == .cancelling ? .cancelled : overdue ? .expired : nil)
            if let pending, run.status != .inProgress {
                try await environment.finalizer.end(runID: run.id, threadID: run.threadID, as: pending)
            } else if run.status == .queued {
                await RunExecution(environment: environment, run: run).execute {
                    self.abandoning.withLock { $0 } ? nil : self.interruptions.withLock { $0[entry.runID] } ?? .cancelled
                }
            }
        } catch {
            environment.logger.error("run could not be executed", metadata: ["run_id": "\(entry.runID)", "error": "\(error)"])
        }
    }

    /// Runs that wait past `expires_at` (for a worker, or for tool outputs) end `expired`.
    private func expireOverdueRuns() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = unixNow()
                for run in (try? await self.store.activeRuns()) ?? [] where (run.expiresAt ?? .max) <= now && run.status != .cancelling {
                    self.interrupt(runID: run.id, threadID: run.threadID, as: .expired)
                }
                try await Task.sleep(for: self.configuration.sweepInterval)
            }
        }
    }
}

/// What every part of the engine works with.
struct EngineEnvironment: Sendable {
    let store: any AssistantsStore
    let blobs: any BlobStore
    let vectorStores: VectorStores
    let provider: (any ModelProvider)?
    let hub: any RunEventBus
    let tools: [String: any BuiltInTool]
    let finalizer: RunFinalizer
    let maxModelCalls: Int
    let logger: Logger
}
