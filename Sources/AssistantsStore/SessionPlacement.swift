/// Which node holds each thread's code interpreter session. A session is a process on one node, so while
/// that node lives, the thread's runs execute there (dispatch hands them to it); when it is gone, another
/// node starts a new session, and the model is told that the earlier state was lost.
///
/// An implementation for one process has nothing to place: every session is its own.
///
/// Methods throw when the database cannot be reached.
public protocol SessionPlacement: Sendable {
    /// This node starts a session for `threadID`: from now on the thread's runs go to this node while it
    /// lives. True when the thread had a session on a node that has stopped since, so its variables and
    /// files are gone.
    func sessionStarting(threadID: String) async throws -> Bool

    /// Of `threadIDs`, the threads whose sessions on this node are to end: the thread was deleted (on any
    /// node), or its session is no longer placed here. Called periodically with the sessions this node holds.
    func sessionsToEnd(among threadIDs: [String]) async throws -> [String]

    /// The thread is deleted: its session, wherever it is, is to end.
    func threadDeleted(_ threadID: String) async throws
}
