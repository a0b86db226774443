import AssistantsAPI

/// Which node does which piece of background work: executing runs, ingesting vector store files, and the
/// periodic sweeps. One server process is one node; several nodes may share one database.
///
/// Ownership is a lease: a node owns the runs and files it claimed for as long as it is alive. A node that
/// stops (or whose heartbeat stops) loses its leases; `recover()` on a live node then hands its work on.
/// An implementation for one process hands every piece of work to that process.
///
/// Methods throw when the database cannot be reached; the work then stays where it is and is offered again.
public protocol WorkDispatch: Sendable {
    /// This node's name, as configured (`ASSISTANTS_NODE_ID`).
    var nodeID: String { get }

    /// How often a node looks for work other nodes queued (`claimWaiting`) and for changes other nodes made
    /// to the runs it executes (`stopRequests`); nil when no other node can queue work or change a run, so
    /// there is nothing to look for.
    var pollInterval: Duration? { get }

    // MARK: Runs

    /// Takes `run` for this node if it is active, no other node owns it, and no other live node holds the
    /// thread's code interpreter session (see `SessionPlacement`); true when this node owns it afterwards
    /// (also when it already did). Atomic: of nodes claiming one run, at most one gets true.
    func claim(_ run: RunReference) async throws -> Bool

    /// Claims up to `limit` runs that wait for a node (`queued` or `cancelling`, owned by none), oldest first.
    /// Each run is handed to one node only. A run queued a moment ago may be left out for now: the node that
    /// queued it claims it itself. A run of a thread whose code interpreter session a live node holds goes to
    /// that node only, at once.
    func claimWaiting(limit: Int) async throws -> [RunReference]

    /// This node stopped executing `run`. The lease ends, unless the run waits for a node again (it was
    /// queued again by a tool output submission, or cancelled meanwhile): then this node keeps it and gets
    /// true, and should execute it again.
    func release(_ run: RunReference) async throws -> Bool

    /// This node will not execute `runs` after all (it is stopping): those still waiting for a node go to
    /// any node now.
    func handBack(_ runs: [RunReference]) async throws

    /// What nodes that are gone left: their `in_progress` runs, now owned by this node, which must end them
    /// (their model call was lost); and the runs that wait for a node, to execute here or anywhere. Their
    /// `queued` and `cancelling` runs and the files they were ingesting are released to any node; runs
    /// waiting for tool outputs go on waiting. Runs of live nodes are never touched. Cheap to call
    /// often: when another node is doing this at the moment, this call returns nothing.
    func recover() async throws -> RecoveredWork

    /// Of `runIDs`, runs this node executes, those that must stop because of a change another node made:
    /// cancelled (status `cancelling`), or past `expires_at` at `now` (in seconds since 1970).
    func stopRequests(among runIDs: [String], now: Int) async throws -> [String: RunStopReason]

    // MARK: Sweeps

    /// Whether this node is the one to do the sweep `name` now: true for at most one node per `interval`
    /// across the nodes sharing the database.
    func claimSweep(_ name: String, every interval: Duration) async throws -> Bool

    // MARK: Vector store files

    /// Claims up to `limit` vector store files waiting to be ingested (`in_progress`, owned by none), oldest
    /// first. Each file is handed to one node at a time.
    func claimPendingFiles(limit: Int) async throws -> [VectorStoreFile]

    /// This node is done with `files` (ingested, failed, or not to be tried again now). Any of them still
    /// `in_progress` (added again meanwhile, or its outcome could not be saved) waits for a node again.
    func releaseFiles(_ files: [VectorStoreFile]) async throws
}

/// A run as dispatch hands it out: enough to read it from the store.
public struct RunReference: Sendable, Hashable {
    public var runID: String
    public var threadID: String

    public init(runID: String, threadID: String) {
        self.runID = runID
        self.threadID = threadID
    }
}

/// Why a node must stop a run it executes.
public enum RunStopReason: Sendable, Equatable {
    case cancelled
    case expired
}

/// What `WorkDispatch.recover()` found.
public struct RecoveredWork: Sendable {
    /// A run a node was executing when it stopped.
    public struct Interrupted: Sendable {
        public var run: RunReference
        /// The node that was executing it; nil when it was this process's predecessor on a single node.
        public var node: String?

        public init(run: RunReference, node: String?) {
            self.run = run
            self.node = node
        }
    }

    /// Runs left `in_progress`, owned by this node now: each is to end `failed`.
    public var interrupted: [Interrupted]
    /// Runs (`queued`, `cancelling`) owned by this node now, to execute or end.
    public var waiting: [RunReference]

    public init(interrupted: [Interrupted] = [], waiting: [RunReference] = []) {
        self.interrupted = interrupted
        self.waiting = waiting
    }
}
