import AssistantsAPI
import AssistantsStore
import CodeInterpreter
import FakeModel
import Foundation
import Logging
import ModelProviders
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Retrieval
import Synchronization
import Testing
@testable import AssistantsEngine

/// Nodes sharing one fresh PostgreSQL schema (of `ASSISTANTS_TEST_POSTGRES_URL`), each with its own
/// connection pool and dispatch, as separate processes would have them. Without the URL the test is
/// skipped, saying why; under CI (`CI=true`) it fails instead.
final class TestCluster: Sendable {
    let configuration: PostgresStore.Configuration
    let blobs: FileSystemBlobStore
    private let nodes = Mutex<[TestNode]>([])

    private init(configuration: PostgresStore.Configuration) throws {
        self.configuration = configuration
        blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)"))
    }

    /// Runs `body` with a cluster of no nodes yet, then stops every node it started and drops the schema.
    static func run(_ body: (TestCluster) async throws -> Void) async throws {
        let configuration = try PostgresTestDatabase.configuration(poolSize: 6, schemaPrefix: "cluster_")
        let cluster = try TestCluster(configuration: configuration)
        var failure: (any Error)?
        do {
            try await body(cluster)
        } catch {
            failure = error
        }
        for node in cluster.nodes.withLock({ $0 }).reversed() { await node.stop() }
        let cleanup = try await PostgresStore(configuration: configuration, logger: Logger(label: "cluster-cleanup"))
        _ = try? await cleanup.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(configuration.schema!) CASCADE"))
        await cleanup.close()
        for node in cluster.nodes.withLock({ $0 }) { await node.store.close() }
        if let failure { throw failure }
    }

    /// A node: its store and dispatch, its heartbeat going when `heartbeat`, and an engine working when
    /// given a `model` (nil: a node that only holds leases, as a test sets them up), with the code
    /// interpreter when `codeInterpreter`.
    func node(
        _ name: String, leaseTTL: Duration = .seconds(15), handOffDelay: Duration = .seconds(1), heartbeat: Bool = true,
        model: FakeModelServer? = nil, workers: Int = 4, codeInterpreter: Bool = false
    ) async throws -> TestNode {
        let store = try await PostgresStore(configuration: configuration, logger: Logger(label: "node-\(name)"))
        let dispatch = try await PostgresWorkDispatch(
            store: store,
            configuration: .init(
                nodeID: name, leaseTTL: leaseTTL, heartbeatInterval: leaseTTL / 5, pollInterval: .milliseconds(50), handOffDelay: handOffDelay))
        var engine: RunEngine?
        let interpreter = codeInterpreter ? CodeInterpreterService() : nil
        if let model {
            let provider = OpenAICompatibleProvider(configuration: .init(baseURL: model.baseURL))
            let vectorStores = VectorStores(store: store, blobs: blobs, index: try SearchIndex())
            let tools = interpreter.map {
                [CodeInterpreterTool(service: $0, store: store, blobs: blobs, placement: dispatch.makeSessionPlacement())]
            } ?? []
            engine = RunEngine(
                store: store, blobs: blobs, vectorStores: vectorStores, provider: provider, tools: tools, dispatch: dispatch,
                configuration: .init(workers: workers, sweepInterval: .milliseconds(100)))
        }
        let node = TestNode(store: store, dispatch: dispatch, engine: engine, interpreter: interpreter)
        if heartbeat {
            // The heartbeat alone, without the service's leaving at the end: stopping the node is a crash.
            node.start {
                while (try? await Task.sleep(for: leaseTTL / 5)) != nil { try? await dispatch.heartbeat() }
            }
        }
        if let engine { node.start { try? await engine.run() } }
        nodes.withLock { $0.append(node) }
        return node
    }
}

/// One node of a `TestCluster`.
final class TestNode: Sendable {
    let store: PostgresStore
    let dispatch: PostgresWorkDispatch
    let engine: RunEngine?
    let interpreter: CodeInterpreterService?
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(store: PostgresStore, dispatch: PostgresWorkDispatch, engine: RunEngine?, interpreter: CodeInterpreterService? = nil) {
        self.store = store
        self.dispatch = dispatch
        self.engine = engine
        self.interpreter = interpreter
    }

    func start(_ work: @escaping @Sendable () async -> Void) {
        let task = Task { await work() }
        tasks.withLock { $0.append(task) }
    }

    /// Stops the node as a crash would: its engine and heartbeat end, and nothing it owns is handed on.
    func stop() async {
        let tasks = self.tasks.withLock { tasks in defer { tasks = [] }; return tasks }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        // Its code interpreter sessions die with the process.
        await interpreter?.shutdown()
    }

    /// The incarnation owning the run, if any.
    func owner(of runID: String) async throws -> String? {
        let rows = try await store.client.query("SELECT owner FROM run WHERE id = \(runID)").collect()
        return try rows.first?.decode(String?.self)
    }
}

extension TestCluster {
    /// A new thread with one user message, "Hi".
    func thread(in store: any AssistantsStore) async throws -> AssistantThread {
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [
            Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [.text(.init(value: "Hi"))]),
        ])
        return thread
    }

    /// Two working nodes, `a` and `b`, and a run created through `a` whose answer (ten seconds of words,
    /// far longer than a test waits) has begun there.
    func runExecutingOnA() async throws -> (fake: FakeModelServer, a: TestNode, b: TestNode, run: Run) {
        let fake = try await FakeModelServer.start()
        fake.enqueue(FakeReply(chunks: (0..<100).map { "word\($0) " }, delayMsBetween: 100))
        let a = try await node("a", model: fake)
        let b = try await node("b", model: fake)
        try await a.store.createAssistant(Assistant(id: "asst_1", createdAt: 1, model: "m"))
        let thread = try await thread(in: a.store)
        let run = try await a.engine!.createRun(threadID: thread.id, CreateRunRequest(assistantID: "asst_1")).run
        _ = try await eventually { try await a.store.allMessages(threadID: thread.id).first { $0.role == .assistant } }
        return (fake, a, b, run)
    }

    /// A thread with a user message, and a run on it stored as `queued` (nobody told to execute it).
    func queuedRun(in store: any AssistantsStore, status: Run.Status = .queued) async throws -> Run {
        let thread = try await thread(in: store)
        var run = Run(id: ObjectKind.run.newID(), createdAt: SystemClock().now(), threadID: thread.id, assistantID: "asst_1", status: status,
                      expiresAt: SystemClock().now() + 600, model: "m", instructions: "")
        if status == .requiresAction {
            run.requiredAction = RequiredAction(toolCalls: [RequiredToolCall(id: "call_1", name: "f", arguments: "{}")])
        }
        try await store.createRun(run, additionalMessages: [])
        return run
    }
}
