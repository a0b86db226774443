import Metrics

/// What the model endpoint's calls are measured by, in whichever `MetricsFactory` the server gives:
/// - `assistants_upstream_request_duration_seconds{status}` (histogram): from sending a chat request to its
///   answer's headers; `status` is the HTTP status, or `error` when no answer came;
/// - `assistants_upstream_errors_total{kind}`: failed calls, each attempt counted, by `ProviderError.Kind`;
/// - `assistants_upstream_retries_total`: calls made again after a retryable failure.
public struct UpstreamMetrics: Sendable {
    let factory: any MetricsFactory

    /// Measures nothing.
    public static let none = UpstreamMetrics(factory: NOOPMetricsHandler.instance)

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func answered(status: String, after duration: Duration) {
        Metrics.Timer(label: "assistants_upstream_request_duration_seconds", dimensions: [("status", status)], factory: factory)
            .record(duration: duration)
    }

    func failed(_ error: ProviderError) {
        Counter(label: "assistants_upstream_errors_total", dimensions: [("kind", error.kind.label)], factory: factory).increment()
    }

    func retried() {
        Counter(label: "assistants_upstream_retries_total", factory: factory).increment()
    }
}

extension ProviderError.Kind {
    /// The kind as a metric label.
    var label: String {
        switch self {
        case .rateLimited: "rate_limited"
        case .unavailable: "unavailable"
        case .server: "server"
        case .rejected: "rejected"
        case .connection: "connection"
        case .interrupted: "interrupted"
        case .notConfigured: "not_configured"
        }
    }
}
