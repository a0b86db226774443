import Logging

/// Metadata every log line written on behalf of a request or a run carries, wherever in the system it is
/// written: `request_id` while a request is handled, `run_id` and `thread_id` (and the `request_id` of
/// the request that queued it) while a run executes. Task-local, so it follows the work into the model
/// provider, the tools and the tasks they start, whose loggers know nothing of runs.
///
/// It reaches a log line through `provider`, which the process's log handlers are given
/// (`LoggingSystem.bootstrap(_:metadataProvider:)` in `assistants serve`).
public enum LogContext {
    @TaskLocal public static var metadata: Logger.Metadata = [:]

    /// Adds the current task's context to every line.
    public static let provider = Logger.MetadataProvider { metadata }

    /// Runs `body` with `extra` added to the context.
    public static func with<T>(_ extra: Logger.Metadata, _ body: () async throws -> T) async rethrows -> T {
        try await $metadata.withValue(metadata.merging(extra, uniquingKeysWith: { $1 }), operation: body)
    }
}
