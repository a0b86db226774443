import AssistantsStore

/// Session placement for one process alone with its database: every session is this process's, and a
/// thread deleted here ends its session here directly.
public struct LocalSessionPlacement: SessionPlacement {
    public init() {}

    public func sessionStarting(threadID: String) async throws -> Bool { false }

    public func sessionsToEnd(among threadIDs: [String]) async throws -> [String] { [] }

    public func threadDeleted(_ threadID: String) async throws {}
}
