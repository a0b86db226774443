import AssistantsAPI
import AssistantsStore
import Logging
import ModelProviders
import ServiceLifecycle
import Synchronization

/// Runs: creates them, queues them, works them off with a pool of workers, ends the ones that expire,
/// and picks up what a stopped process (or node) left unfinished.
///
/// Which node executes a run is `WorkDispatch`'s call: the node that queues a run claims it at once, so
/// that it starts without delay; runs no node holds (another node stopped, or its claim lost a race) are
/// found by polling. A node notices a cancel or expiry made elsewhere for the runs it executes by polling
/// their status (`WorkDispatch.pollInterval`); on a single node cancel reaches the executing run directly.
public final class RunEngine: Service, Sendable {
    public struct Configuration: Sendable {
        /// How many runs execute at once.
        public var workers: Int
        /// A guard against a model that keeps calling tools without ever answering.
        public var maxModelCalls: Int
        /// How often runs are checked for expiry.
        public var sweepInterval: Duration
        /// The models' context window, in tokens, as the server's token estimator counts them: what a
        /// response's input must fit (`truncation`). Nil: not known, and the model endpoint is the judge.
        public var contextWindow: Int?

        /// The window of the models most deployments serve (OpenAI's GPT-4o, Llama 3.1, Qwen 2.5 at full length).
        public static let defaultContextWindow = 128_000

        public init(
            workers: Int = 64, maxModelCalls: Int = 32, sweepInterval: Duration = .seconds(1),
            contextWindow: Int? = Configuration.defaultContextWindow
        ) {
            self.workers = workers
            self.maxModelCalls = maxModelCalls
            self.sweepInterval = sweepInterval
            self.contextWindow = contextWindow
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
    let dispatch: any WorkDispatch
    private let queue: RunQueue
    private let executing = Mutex<[String: Task<Void, Never>]>([:])
    private let interruptions = Mutex<[String: RunFinalizer.Ending]>([:])
    /// The request id each run queued here was queued by, for the logs of its execution.
    private let queuedBy = Mutex<[String: String]>([:])
    /// Set when the process stops without waiting for executing runs: they are stopped, not ended.
    private let abandoning = Mutex(false)
    /// The containers responses' code runs in, on the same store, blobs and clock.
    public let containers: Containers

    /// `file_search` is always one of the tools: it works on `vectorStores`. `containers` (on the same store
    /// and blobs by default) are where responses' code runs. Without `dispatch`, this
    /// process is the only one using `store`. `events` carries the runs' stream events to the clients
    /// streaming them, on whichever node they are connected.
    public init(
        store: any AssistantsStore, blobs: any BlobStore, vectorStores: VectorStores, provider: (any ModelProvider)?,
        containers: Containers? = nil, tools: [any BuiltInTool] = [], dispatch: (any WorkDispatch)? = nil,
        events hub: any RunEventBus = InProcessEventBus(),
        configuration: Configuration = .init(), logger: Logger = Logger(label: "runs"), metrics: EngineMetrics = .none
    ) {
        self.dispatch = dispatch ?? LocalWorkDispatch(store: store)
        queue = RunQueue(depth: metrics.queueDepth)
        let tools: [any BuiltInTool] = [FileSearchTool(vectorStores: vectorStores)] + tools
        environment = EngineEnvironment(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: provider, hub: hub,
            tools: Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            finalizer: RunFinalizer(store: store, hub: hub, clock: vectorStores.clock, logger: logger, metrics: metrics),
            maxModelCalls: configuration.maxModelCalls, contextWindow: configuration.contextWindow, logger: logger, metrics: metrics)
        self.configuration = configuration
        self.containers = containers ?? Containers(store: store, blobs: blobs, clock: vectorStores.clock)
    }

    private var store: any AssistantsStore { environment.store }
    public var vectorStores: VectorStores { environment.vectorStores }
    public var clock: any WallClock { environment.clock }
    private var planner: RunPlanner { RunPlanner(store: store) }
    private var references: References { References(environment.vectorStores) }

    // MARK: Requests

    public func createRun(threadID: String, _ request: CreateRunRequest) async throws -> Start {
        guard let thread = try await store.thread(id: threadID) else { throw APIError.notFound(.thread, id: threadID) }
        let assistant = try await planner.assistant(request.assistantID)
        for (index, message) in request.additionalMessages.enumerated() {
            try await references.check(message, param: "additional_messages[\(index)]")
        }
        let now = environment.clock.now()
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
        let now = environment.clock.now()
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
        let now = environment.clock.now()
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
        interrupt(.init(runID: runID, threadID: threadID), as: .cancelled)
        return run
    }

    /// Deletes a thread with everything in it, and what its tools kept (the code interpreter's session).
    public func deleteThread(id: String) async throws -> Bool {
        guard try await store.deleteThread(id: id) else { return false }
        await toolsLetGo(of: id)
        return true
    }

    /// Deletes a container with its files, and ends its code interpreter session here (another node
    /// holding it ends it when it reconciles).
    public func deleteContainer(id: String) async throws -> Bool {
        guard try await containers.delete(id) else { return false }
        await toolsLetGo(of: id)
        return true
    }

    /// Expires the containers idle past their `expires_after` at `now`, as `deleteContainer` ends them,
    /// and returns their ids.
    public func expireContainers(now: Int) async throws -> [String] {
        let expired = try await containers.expire(now: now)
        for id in expired { await toolsLetGo(of: id) }
        return expired
    }

    /// Every tool lets go of what it keeps for a thread or container that is gone.
    private func toolsLetGo(of id: String) async {
        for tool in environment.tools.values { await tool.ownerDeleted(id) }
    }

    func start(_ run: Run, thread: AssistantThread?, stream: Bool, prelude: [AssistantStreamEvent]) async -> Start {
        let events = stream ? await environment.hub.subscribe(runID: run.id) : nil
        for event in prelude { environment.hub.publish(event, runID: run.id) }
        // The node executing the run streams after the prelude.
        await environment.hub.flush(runID: run.id)
        if case .string(let requestID)? = LogContext.metadata["request_id"] { queuedBy.withLock { $0[run.id] = requestID } }
        await offer(.init(runID: run.id, threadID: run.threadID))
        return Start(run: run, thread: thread, events: events)
    }

    /// Executes the run here if this node can claim it. If not, another node holds it, or (when the
    /// database could not be reached) a node polling for waiting runs takes it up.
    private func offer(_ run: RunReference) async {
        do {
            if try await dispatch.claim(run) {
                await queue.push(run)
                return
            }
        } catch {
            environment.logger.warning("claiming a run failed; it waits for a node", metadata: ["run_id": "\(run.runID)", "error": "\(error)"])
        }
        // Another node executes it.
        queuedBy.withLock { $0[run.runID] = nil }
    }

    /// Stops a run executing here with `ending`, or has a worker here end it if this node can claim it. A
    /// run executing on another node is stopped there: that node sees its status (`stopRequests`).
    private func interrupt(_ run: RunReference, as ending: RunFinalizer.Ending) {
        interruptions.withLock { $0[run.runID] = ending }
        if let task = executing.withLock({ $0[run.runID] }) {
            task.cancel()
            return
        }
        Task {
            if (try? await dispatch.claim(run)) == true {
                await queue.push(run)
            } else {
                interruptions.withLock { $0[run.runID] = nil }
            }
        }
    }

    // MARK: Service

    /// Works off runs until shutdown. A graceful shutdown stops handing out queued runs at once (they stay
    /// `queued` for the next start) and lets the executing ones finish. Should the service be cancelled
    /// meanwhile (the grace period is over), the runs still executing are left as a crash leaves them,
    /// `in_progress`, for the next start to fail with a `last_error`.
    public func run() async throws {
        environment.logger.info("run engine started", metadata: ["node_id": "\(dispatch.nodeID)"])
        do {
            try await recover()
        } catch {
            // Stopped (or failed) before any run started: the model endpoint's connections go all the same.
            await environment.provider?.shutdown()
            throw error
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, configuration.workers) {
                group.addTask { await self.work() }
            }
            group.addTask { await self.expireOverdueRuns() }
            if let interval = dispatch.pollInterval {
                group.addTask { await self.poll(every: interval) }
            }
            group.addTask {
                try? await gracefulShutdown()
                let pending = await self.queue.close()
                do {
                    try await self.dispatch.handBack(pending)
                } catch {
                    self.environment.logger.warning("handing back queued runs failed", metadata: ["error": "\(error)"])
                }
            }
        }
        if abandoning.withLock({ $0 }) {
            environment.logger.warning("runs still executing at shutdown were left in progress; the next start fails them")
        }
        await environment.provider?.shutdown()
    }

    /// What a stopped process or node left: runs it was executing fail (their model call was lost midway);
    /// queued runs execute and cancellations are completed, here or on another node. Runs waiting for tool
    /// outputs still wait. Runs live nodes execute are theirs (see `WorkDispatch.recover()`).
    private func recover() async throws {
        let work = try await dispatch.recover()
        for interrupted in work.interrupted {
            let run = interrupted.run
            let message = interrupted.node.map {
                "The server node \($0) stopped while this run was in progress, so it was not finished. Create a new run to continue."
            } ?? "The server stopped while this run was in progress, so it was not finished. Create a new run to continue."
            try await environment.finalizer.end(runID: run.runID, threadID: run.threadID, as: .failed(.serverError(message)))
            _ = try await dispatch.release(run)
        }
        for run in work.waiting { await queue.push(run) }
    }

    /// Takes up runs other nodes queued or left, while workers are free, and stops the runs executing here
    /// that another node cancelled or that expired.
    private func poll(every interval: Duration) async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let free = max(1, self.configuration.workers) - (await self.queue.load)
                    if free > 0 {
                        for run in try await self.dispatch.claimWaiting(limit: free) { await self.queue.push(run) }
                    }
                    let executing = self.executing.withLock { Array($0.keys) }
                    if !executing.isEmpty {
                        for (runID, reason) in try await self.dispatch.stopRequests(among: executing, now: self.environment.clock.now()) {
                            guard let task = self.executing.withLock({ $0[runID] }) else { continue }
                            self.interruptions.withLock { $0[runID] = reason == .cancelled ? .cancelled : .expired }
                            task.cancel()
                        }
                    }
                } catch {
                    self.environment.logger.warning("polling for runs failed", metadata: ["error": "\(error)"])
                }
                for tool in self.environment.tools.values { await tool.reconcile() }
                try await Task.sleep(for: interval)
            }
        }
    }

    private func work() async {
        while let entry = await queue.next() {
            // Every line logged while it executes, by whichever part, names the run.
            var metadata: Logger.Metadata = ["run_id": "\(entry.runID)", "thread_id": "\(entry.threadID)"]
            if let requestID = queuedBy.withLock({ $0.removeValue(forKey: entry.runID) }) { metadata["request_id"] = "\(requestID)" }
            let context = metadata
            let task = Task { await LogContext.with(context) { await self.execute(entry) } }
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
            // Abandoned: left as a crash leaves it, still this node's until it is recovered.
            if abandoning.withLock({ $0 }) { continue }
            // Queued again meanwhile (tool outputs, or a cancel that came too late to stop the execution):
            // it executes once more, here.
            let again = await queue.finished(entry)
            let kept: Bool
            do {
                kept = try await dispatch.release(entry)
            } catch {
                kept = false
                environment.logger.warning("releasing a run failed", metadata: ["run_id": "\(entry.runID)", "error": "\(error)"])
            }
            if again || kept { await queue.push(entry) }
        }
    }

    private func execute(_ entry: RunQueue.Entry) async {
        do {
            // Still this node's: a node whose heartbeat stalled may find its waiting runs taken over meanwhile.
            guard try await dispatch.claim(entry) else { return }
            guard let run = try await store.run(id: entry.runID, threadID: entry.threadID), !run.status.isTerminal else { return }
            // A run stopped before a worker reached it (cancelled, or expired while waiting) just ends.
            let overdue = run.status == .queued && (run.expiresAt ?? .max) <= environment.clock.now()
            let pending = interruptions.withLock { $0[entry.runID] }
                ?? (run.status == .cancelling ? .cancelled : overdue ? .expired : nil)
            if let pending, run.status != .inProgress {
                try await environment.finalizer.end(runID: run.id, threadID: run.threadID, as: pending)
            } else if run.status == .queued {
                // What the run makes (files the code writes) belongs to the project it was made in.
                await ProjectScope.$current.withValue(run.project) {
                    await RunExecution(environment: environment, run: run).execute {
                        self.abandoning.withLock { $0 } ? nil : self.interruptions.withLock { $0[entry.runID] } ?? .cancelled
                    }
                }
            }
        } catch {
            environment.logger.error("run could not be executed", metadata: ["run_id": "\(entry.runID)", "error": "\(error)"])
        }
    }

    /// Runs that wait past `expires_at` (for a worker, or for tool outputs) end `expired`: one node a
    /// sweep. Each sweep also ends what stopped nodes left.
    private func expireOverdueRuns() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.recover()
                    if try await self.dispatch.claimSweep("runs.expiry", every: self.configuration.sweepInterval) {
                        let now = self.environment.clock.now()
                        for run in try await self.store.activeRuns() where (run.expiresAt ?? .max) <= now && run.status != .cancelling {
                            self.interrupt(.init(runID: run.id, threadID: run.threadID), as: .expired)
                        }
                    }
                } catch {
                    self.environment.logger.warning("sweeping runs failed", metadata: ["error": "\(error)"])
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
    /// `Configuration.contextWindow`.
    let contextWindow: Int?
    let logger: Logger
    let metrics: EngineMetrics

    /// The engine keeps its vector stores' time, so that runs and the files they attach agree.
    var clock: any WallClock { vectorStores.clock }
}
