import AssistantsAPI
import AssistantsEngine
import Hummingbird
import Metrics
import ModelProviders
import Prometheus

/// The server's own metrics registry, which `GET /metrics` renders in Prometheus' text format. Each server
/// has its own, made where the server is assembled, and hands its `factory` to every part that records:
/// nothing here goes through the process-wide `MetricsSystem`, so servers built side by side (in tests)
/// never mix their numbers.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Records into `registry`.
    public let factory: PrometheusMetricsFactory
    /// The bearer token `/metrics` requires; nil: none.
    let token: String?
    /// Whether `/metrics` answers without a token: only while the server listens on a loopback address.
    let openWithoutToken: Bool

    public init(token: String? = nil, openWithoutToken: Bool = true) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Runs take seconds to minutes; the default buckets stop at 10 s.
        let runBuckets: [Duration] = [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600)]
        factory.durationHistogramBuckets["assistants_run_duration_seconds"] = runBuckets
        factory.durationHistogramBuckets["assistants_upstream_request_duration_seconds"] = runBuckets
        factory.durationHistogramBuckets["assistants_run_time_to_first_token_seconds"] = runBuckets
        self.factory = factory
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.openWithoutToken = openWithoutToken
    }

    var engine: EngineMetrics { EngineMetrics(factory: factory) }
    var upstream: UpstreamMetrics { UpstreamMetrics(factory: factory) }

    /// `assistants_open_event_streams`: event streams being written to clients.
    var openStreams: Meter { Meter(label: "assistants_open_event_streams", factory: factory) }

    /// `GET /metrics`: outside `/v1`, with no API key; the metrics token when one is set.
    func addRoute<Context: RequestContext>(to router: Router<Context>) {
        router.get("metrics") { request, _ -> Response in
            try authorize(request)
            var response = Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    private func authorize(_ request: Request) throws {
        guard let token else {
            guard openWithoutToken else {
                throw APIError(
                    status: 403, type: "invalid_request_error",
                    message: "Metrics are served without a token only on a loopback address. Set ASSISTANTS_METRICS_TOKEN and send it as Authorization: Bearer <token>.",
                    code: "metrics_token_required")
            }
            return
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(
                status: 401, type: "invalid_request_error",
                message: "You didn't provide the metrics token. Send it in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_METRICS_TOKEN).")
        }
        let given = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard APIKeys.constantTimeEqual(given, token) else {
            throw APIError(status: 401, type: "invalid_request_error", message: "Incorrect metrics token provided.", code: "invalid_metrics_token")
        }
    }
}

/// Counts every request by route pattern (`/v1/threads/{thread_id}/runs`, never the path with its ids),
/// method and status, and times it to its response's head (`assistants_http_requests_total`,
/// `assistants_http_request_duration_seconds`). Outside the error middleware, so that it sees the status
/// clients get; requests no route matched count under the route `unmatched`.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, start: start)
            throw error
        }
        record(request, context: context, status: response.status.code, start: start)
        return response
    }

    private func record(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let dimensions = [("route", context.endpointPath ?? "unmatched"), ("method", request.method.rawValue), ("status", String(status))]
        Counter(label: "assistants_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "assistants_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .record(duration: ContinuousClock.now - start)
    }
}
