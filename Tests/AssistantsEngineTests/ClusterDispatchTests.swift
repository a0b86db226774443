import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import ModelProviders
import Retrieval
import Testing
@testable import AssistantsEngine
@testable import PostgresStore

/// Several nodes on one PostgreSQL database: each run executes on exactly one node, the work of a node
/// that stops goes on elsewhere, a starting node leaves live nodes' runs alone, cancels reach the node
/// executing the run, and files and sweeps are done once.
@Suite(.serialized) struct ClusterDispatchTests {
    @Test func runsQueuedOnAnyNodeExecuteExactlyOnce() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            fake.enqueue(FakeReply(text: "Done.", delayMsBeforeFirst: 20, repeat: 0))
            let nodes = [
                try await cluster.node("a", model: fake), try await cluster.node("b", model: fake), try await cluster.node("c", model: fake),
            ]
            try await nodes[0].store.createAssistant(Assistant(id: "asst_1", createdAt: 1, model: "m"))
            var runs: [Run] = []
            // Created through each node's engine (each claims its own), and stored by none (found by polling).
            for index in 0..<12 {
                let thread = try await cluster.thread(in: nodes[0].store)
                runs.append(try await nodes[index % 3].engine!.createRun(threadID: thread.id, CreateRunRequest(assistantID: "asst_1")).run)
            }
            for _ in 0..<6 { runs.append(try await cluster.queuedRun(in: nodes[1].store)) }

            for run in runs {
                let ended = try await eventually {
                    try await nodes[2].store.run(id: run.id, threadID: run.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
                }
                #expect(ended.status == .completed)
                let answers = try await nodes[1].store.allMessages(threadID: run.threadID).filter { $0.role == .assistant }
                #expect(answers.count == 1)
            }
            #expect(fake.requests().count == runs.count)
            await fake.stop()
        }
    }

    @Test func waitingRunsAreClaimedByOneNodeEach() async throws {
        try await TestCluster.run { cluster in
            let nodes = [
                try await cluster.node("a", handOffDelay: .zero), try await cluster.node("b", handOffDelay: .zero),
                try await cluster.node("c", handOffDelay: .zero),
            ]
            var runs: Set<String> = []
            for _ in 0..<24 { runs.insert(try await cluster.queuedRun(in: nodes[0].store).id) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for node in nodes {
                    group.addTask {
                        var mine: [String] = []
                        while case let batch = try await node.dispatch.claimWaiting(limit: 3), !batch.isEmpty { mine += batch.map(\.runID) }
                        return mine
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == runs.count)
            #expect(Set(claimed) == runs)
        }
    }

    @Test func aRunJustQueuedIsLeftToTheNodeThatQueuedIt() async throws {
        try await TestCluster.run { cluster in
            let queuing = try await cluster.node("queuing")
            let polling = try await cluster.node("polling", handOffDelay: .seconds(3600))
            let run = try await cluster.queuedRun(in: queuing.store)
            #expect(try await polling.dispatch.claimWaiting(limit: 5).isEmpty)
            #expect(try await queuing.dispatch.claim(RunReference(runID: run.id, threadID: run.threadID)))
            #expect(try await polling.dispatch.claim(RunReference(runID: run.id, threadID: run.threadID)) == false)
        }
    }

    @Test func aStoppedNodesRunsEndOrGoOnElsewhere() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            // A node that stops without ending anything: no heartbeat, so its lease runs out.
            let gone = try await cluster.node("gone", leaseTTL: .seconds(1), heartbeat: false)
            let interrupted = try await cluster.queuedRun(in: gone.store)
            #expect(try await gone.dispatch.claim(RunReference(runID: interrupted.id, threadID: interrupted.threadID)))
            _ = try await gone.store.updateRun(id: interrupted.id, threadID: interrupted.threadID) { $0.status = .inProgress }
            let partial = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: interrupted.threadID, status: .inProgress,
                                  role: .assistant, content: [], runID: interrupted.id)
            try await gone.store.saveRunProgress(messages: [partial], steps: [])
            let waiting = try await cluster.queuedRun(in: gone.store)
            // Queued on it: claimed, not yet begun.
            #expect(try await gone.dispatch.claim(RunReference(runID: waiting.id, threadID: waiting.threadID)))
            let toolOutputs = try await cluster.queuedRun(in: gone.store, status: .requiresAction)

            let alive = try await cluster.node("alive", leaseTTL: .seconds(1), model: fake)
            let failed = try await eventually {
                try await alive.store.run(id: interrupted.id, threadID: interrupted.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
            }
            #expect(failed.status == .failed)
            #expect(failed.lastError?.code == "server_error")
            #expect(failed.lastError?.message.contains("The server node gone stopped while this run was in progress") == true)
            #expect(try await alive.store.message(id: partial.id, threadID: interrupted.threadID)?.status == .incomplete)
            let resumed = try await eventually {
                try await alive.store.run(id: waiting.id, threadID: waiting.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
            }
            #expect(resumed.status == .completed)
            #expect(try await alive.store.run(id: toolOutputs.id, threadID: toolOutputs.threadID)?.status == .requiresAction)
            #expect(fake.requests().count == 1)
            await fake.stop()
        }
    }

    @Test func aStartingNodeLeavesALiveNodesRunsAlone() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            // Node "busy" executes a run (as far as the database shows) and keeps its heartbeat.
            let busy = try await cluster.node("busy", leaseTTL: .seconds(1))
            let executing = try await cluster.queuedRun(in: busy.store)
            #expect(try await busy.dispatch.claim(RunReference(runID: executing.id, threadID: executing.threadID)))
            _ = try await busy.store.updateRun(id: executing.id, threadID: executing.threadID) { $0.status = .inProgress }

            let starting = try await cluster.node("starting", leaseTTL: .seconds(1), model: fake)
            // The new node is working: it takes up and finishes a run queued after it started.
            let other = try await cluster.queuedRun(in: starting.store)
            _ = try await eventually { try await starting.store.run(id: other.id, threadID: other.threadID).flatMap { $0.status.isTerminal ? $0 : nil } }
            // Well past the lease, recovery has run many times (every 100 ms); the live node's run is untouched.
            try await Task.sleep(for: .seconds(2))
            #expect(try await starting.store.run(id: executing.id, threadID: executing.threadID)?.status == .inProgress)
            #expect(try await busy.owner(of: executing.id) == busy.dispatch.incarnation)
            await fake.stop()
        }
    }

    @Test func aRestartedNodeRecoversItsOwnRunsAtOnce() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            // A lease far longer than the test waits: only the restart can end it.
            let crashed = try await cluster.node("busy", leaseTTL: .seconds(60))
            let executing = try await cluster.queuedRun(in: crashed.store)
            #expect(try await crashed.dispatch.claim(RunReference(runID: executing.id, threadID: executing.threadID)))
            _ = try await crashed.store.updateRun(id: executing.id, threadID: executing.threadID) { $0.status = .inProgress }
            let other = try await cluster.node("other", leaseTTL: .seconds(60), model: fake)
            await crashed.stop()

            let restarted = try await cluster.node("busy", leaseTTL: .seconds(60), model: fake)
            let failed = try await eventually {
                try await other.store.run(id: executing.id, threadID: executing.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
            }
            #expect(failed.status == .failed)
            #expect(failed.lastError?.message.contains("The server node busy stopped") == true)
            // Its thread takes runs again, on either node.
            let next = Run(id: ObjectKind.run.newID(), createdAt: SystemClock().now(), threadID: executing.threadID, assistantID: "asst_1",
                           expiresAt: SystemClock().now() + 600, model: "m", instructions: "")
            try await restarted.store.createRun(next, additionalMessages: [])
            let completed = try await eventually {
                try await other.store.run(id: next.id, threadID: next.threadID).flatMap { $0.status.isTerminal ? $0 : nil }
            }
            #expect(completed.status == .completed)
            await fake.stop()
        }
    }

    @Test func aCancelOnAnotherNodeStopsTheRunWhereItExecutes() async throws {
        try await TestCluster.run { cluster in
            let (fake, a, b, run) = try await cluster.runExecutingOnA()
            // The answer has begun: the run executes, on the node that created it.
            #expect(try await a.owner(of: run.id) == a.dispatch.incarnation)

            let cancelling = try await b.engine!.cancel(runID: run.id, threadID: run.threadID)
            #expect(cancelling.status == .cancelling)
            let ended = try await eventually { try await b.store.run(id: run.id, threadID: run.threadID).flatMap { $0.status.isTerminal ? $0 : nil } }
            #expect(ended.status == .cancelled)
            let message = try #require(try await b.store.allMessages(threadID: run.threadID).first { $0.role == .assistant })
            #expect(message.status == .incomplete)
            #expect(message.incompleteDetails?.reason == "run_cancelled")
            #expect(fake.requests().count == 1)
            await fake.stop()
        }
    }

    @Test func runsPastTheirExpiryEndExpiredWhereverTheyAre() async throws {
        try await TestCluster.run { cluster in
            let (fake, _, b, executing) = try await cluster.runExecutingOnA()
            // Waiting for tool outputs, owned by no node.
            let waiting = try await cluster.queuedRun(in: b.store, status: .requiresAction)
            for run in [executing, waiting] {
                _ = try await b.store.updateRun(id: run.id, threadID: run.threadID) { $0.expiresAt = SystemClock().now() - 1 }
            }

            for run in [executing, waiting] {
                let ended = try await eventually { try await b.store.run(id: run.id, threadID: run.threadID).flatMap { $0.status.isTerminal ? $0 : nil } }
                #expect(ended.status == .expired)
            }
            let message = try #require(try await b.store.allMessages(threadID: executing.threadID).first { $0.role == .assistant })
            #expect(message.incompleteDetails?.reason == "run_expired")
            #expect(fake.requests().count == 1)
            await fake.stop()
        }
    }

    @Test func eachFileIsIngestedByOneNode() async throws {
        try await TestCluster.run { cluster in
            let fake = try await FakeModelServer.start()
            let nodes = [try await cluster.node("a"), try await cluster.node("b")]
            let texts = (0..<8).map { "Document \($0) tells of lighthouse number \($0) and its keeper." }
            var files: [VectorStoreFile] = []
            let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
            try await nodes[0].store.createVectorStore(vectorStore, files: [])
            for text in texts {
                let file = FileObject(id: ObjectKind.file.newID(), bytes: text.utf8.count, createdAt: 1, filename: "doc.txt", purpose: "assistants")
                try await cluster.blobs.write(Data(text.utf8), as: file.id)
                try await nodes[0].store.createFile(file)
                files.append(VectorStoreFile(id: file.id, createdAt: 1, vectorStoreID: vectorStore.id))
            }
            try await nodes[0].store.addVectorStoreFiles(files, batch: nil)

            let providers = nodes.map { _ in OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL)) }
            let tasks = zip(nodes, providers).map { node, provider in
                Task {
                    let vectorStores = VectorStores(
                        store: node.store, blobs: cluster.blobs, index: try SearchIndex(), embeddings: .init(provider: provider, model: "embedder"))
                    try await VectorStoreIngestion(vectorStores, dispatch: node.dispatch, concurrency: 1).run()
                }
            }
            _ = try await eventually {
                try await nodes[1].store.vectorStore(id: vectorStore.id).flatMap { $0.fileCounts.completed == texts.count ? $0 : nil }
            }
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
            let embedded = fake.embeddingRequests().flatMap { $0.body["input"]?.arrayValue ?? [] }.compactMap(\.stringValue)
            for text in texts {
                #expect(embedded.filter { $0.contains(text) }.count == 1)
            }
            for provider in providers { await provider.shutdown() }
            await fake.stop()
        }
    }

    @Test func aStoppedNodesFilesAreIngestedByAnother() async throws {
        try await TestCluster.run { cluster in
            let gone = try await cluster.node("gone", leaseTTL: .seconds(1), heartbeat: false)
            let alive = try await cluster.node("alive", leaseTTL: .seconds(1))
            let text = "The ferry leaves at nine."
            let file = FileObject(id: ObjectKind.file.newID(), bytes: text.utf8.count, createdAt: 1, filename: "ferry.txt", purpose: "assistants")
            try await cluster.blobs.write(Data(text.utf8), as: file.id)
            try await gone.store.createFile(file)
            let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
            try await gone.store.createVectorStore(vectorStore, files: [VectorStoreFile(id: file.id, createdAt: 1, vectorStoreID: vectorStore.id)])
            // Claimed by the node that then stops mid-ingestion.
            #expect(try await gone.dispatch.claimPendingFiles(limit: 5).map(\.id) == [file.id])
            #expect(try await alive.dispatch.claimPendingFiles(limit: 5).isEmpty)

            let vectorStores = VectorStores(store: alive.store, blobs: cluster.blobs, index: try SearchIndex())
            let ingestion = Task { try await VectorStoreIngestion(vectorStores, dispatch: alive.dispatch).run() }
            let engine = Task {
                // Recovery is the engine's: it runs with the sweeps.
                let engine = RunEngine(
                    store: alive.store, blobs: cluster.blobs, vectorStores: vectorStores, provider: nil, dispatch: alive.dispatch,
                    configuration: .init(workers: 1, sweepInterval: .milliseconds(100)))
                try await engine.run()
            }
            let done = try await eventually {
                try await alive.store.vectorStore(id: vectorStore.id).flatMap { $0.fileCounts.completed == 1 ? $0 : nil }
            }
            #expect(done.usageBytes == text.utf8.count)
            ingestion.cancel()
            engine.cancel()
            _ = await ingestion.result
            _ = await engine.result
        }
    }

    @Test func aSweepIsDoneByOneNodePerInterval() async throws {
        try await TestCluster.run { cluster in
            let nodes = [try await cluster.node("a"), try await cluster.node("b"), try await cluster.node("c")]
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for node in nodes {
                    for _ in 0..<4 { group.addTask { try await node.dispatch.claimSweep("files.expiry", every: .seconds(3600)) } }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(granted == 1)
            // Another sweep has its own interval.
            #expect(try await nodes[1].dispatch.claimSweep("runs.expiry", every: .seconds(3600)))
            #expect(try await nodes[2].dispatch.claimSweep("runs.expiry", every: .seconds(3600)) == false)
        }
    }
}
