import AssistantsStore

/// Runs' events in `run_event`, kept as `RunEventRetention` says.
extension PostgresStore: RunEventRetention {
    public func pruneEvents(_ policy: RunEventRetentionPolicy) async throws {
        try await EventRows.prune(policy, client: client, logger: logger)
    }
}
