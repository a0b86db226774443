import AssistantsAPI
import Metrics

/// What the engine measures, in whichever `MetricsFactory` the server gives (the server's own registry;
/// `.none` measures nothing). Each metric is recorded where its behaviour lives:
/// - `assistants_runs_total{status}`: runs ended, by final status (the finalizer);
/// - `assistants_run_duration_seconds{status}` (histogram): from a worker taking a run up to its end, for
///   the stretch of execution that ended it (the execution);
/// - `assistants_run_time_to_first_token_seconds` (histogram): from a worker taking a run up to the first
///   text or tool call the model streams, once per stretch of execution;
/// - `assistants_prompt_tokens_total{project,model}`, `assistants_completion_tokens_total{project,model}`:
///   tokens of each model call, as the endpoint reports them (or as estimated when it does not), by the
///   project of the run;
/// - `assistants_run_queue_depth` (gauge): runs queued on this node, waiting for a worker;
/// - `assistants_ingestion_backlog_files` (gauge): files this node has taken up to ingest and not finished;
/// - `assistants_indexed_bytes_total`: text bytes of files indexed.
public struct EngineMetrics: Sendable {
    let factory: any MetricsFactory

    /// Measures nothing.
    public static let none = EngineMetrics(factory: NOOPMetricsHandler.instance)

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func runEnded(_ status: Run.Status) {
        Counter(label: "assistants_runs_total", dimensions: [("status", status.rawValue)], factory: factory).increment()
    }

    func runExecuted(until status: Run.Status, for duration: Duration) {
        Metrics.Timer(label: "assistants_run_duration_seconds", dimensions: [("status", status.rawValue)], factory: factory)
            .record(duration: duration)
    }

    func firstToken(after duration: Duration) {
        Metrics.Timer(label: "assistants_run_time_to_first_token_seconds", factory: factory).record(duration: duration)
    }

    func tokens(_ usage: Usage, model: String, project: String) {
        let dimensions = [("project", project), ("model", model)]
        Counter(label: "assistants_prompt_tokens_total", dimensions: dimensions, factory: factory).increment(by: usage.promptTokens)
        Counter(label: "assistants_completion_tokens_total", dimensions: dimensions, factory: factory).increment(by: usage.completionTokens)
    }

    var queueDepth: Meter { Meter(label: "assistants_run_queue_depth", factory: factory) }

    var ingestionBacklog: Meter { Meter(label: "assistants_ingestion_backlog_files", factory: factory) }

    func indexed(bytes: Int) {
        Counter(label: "assistants_indexed_bytes_total", factory: factory).increment(by: bytes)
    }
}
