import AssistantsAPI
import AssistantsStore
import Foundation
import Synchronization

/// Dispatch for one process alone with its database (SQLite): every piece of work is this process's, so
/// claims always succeed, there is nothing to poll for and every sweep is due. What a previous process
/// left is recovered once, at the first `recover()`: it has stopped, since no two processes share the
/// database.
public final class LocalWorkDispatch: WorkDispatch {
    public let nodeID: String
    private let store: any AssistantsStore
    private let recovered = Mutex(false)

    public init(store: any AssistantsStore, nodeID: String = defaultNodeID()) {
        self.store = store
        self.nodeID = nodeID
    }

    /// Runs are pushed to this process's workers by whoever queues them.
    public var pollInterval: Duration? { nil }

    public func claim(_ run: RunReference) async throws -> Bool { true }

    public func claimWaiting(limit: Int) async throws -> [RunReference] { [] }

    /// Whoever queues a run again pushes it to the workers itself.
    public func release(_ run: RunReference) async throws -> Bool { false }

    /// They stay `queued` for the next start.
    public func handBack(_ runs: [RunReference]) async throws {}

    public func recover() async throws -> RecoveredWork {
        guard recovered.withLock({ done in defer { done = true }; return !done }) else { return RecoveredWork() }
        var work = RecoveredWork()
        for run in try await store.activeRuns() {
            let reference = RunReference(runID: run.id, threadID: run.threadID)
            switch run.status {
            case .inProgress: work.interrupted.append(.init(run: reference, node: nil))
            case .queued, .cancelling: work.waiting.append(reference)
            default: break
            }
        }
        return work
    }

    /// Cancellations and expiry reach this process's runs directly.
    public func stopRequests(among runIDs: [String], now: Int) async throws -> [String: RunStopReason] { [:] }

    public func claimSweep(_ name: String, every interval: Duration) async throws -> Bool { true }

    public func claimPendingFiles(limit: Int) async throws -> [VectorStoreFile] {
        try await store.pendingVectorStoreFiles(limit: limit)
    }

    public func releaseFiles(_ files: [VectorStoreFile]) async throws {}
}

/// The node id when none is configured: the host name and the process id, unique among live processes.
public func defaultNodeID() -> String {
    "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
}
