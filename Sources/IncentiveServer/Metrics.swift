import HTTPTypes
import Hummingbird
import IncentiveStore
import NIOCore
import Prometheus
import Synchronization

/// What the server measures, in the Prometheus text format at `GET /metrics` (signed-in admins only, like
/// `/log`): requests by route pattern, method and status, with their latency; the server's own imports and
/// runs (what `incentives import` and `incentives run` do on the command line is not in the server's memory).
///
/// The request path pays one lock-protected dictionary lookup of (route, method, status) per request: the
/// counter and the histogram of each combination are made once, on its first request, and kept. The route is
/// the pattern the router matched (`/partners/{id}`), never the raw path, so the label values stay few.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Request latencies: 1 ms to 10 s.
    static let requestBuckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000].map {
        .microseconds(Int64($0 * 1000))
    }
    /// Import and run durations: 10 ms to 10 minutes.
    static let jobBuckets: [Duration] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600].map { .milliseconds(Int64($0 * 1000)) }

    /// The route label of a request no route matched (a 404).
    public static let unmatchedRoute = "unmatched"

    struct RequestKey: Hashable, Sendable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    struct RequestMetrics: Sendable {
        let count: Counter
        let duration: DurationHistogram
    }

    private let requests = Mutex<[RequestKey: RequestMetrics]>([:])

    let importDuration: DurationHistogram
    let importRows: Counter
    let importFailures: Counter
    let runDuration: DurationHistogram
    let runBookingLines: Counter
    let runPartners: Counter
    let runFailures: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        importDuration = registry.makeDurationHistogram(
            descriptor: Self.name("import_duration", unit: "seconds", "Time to import one file through the server (API or page), by data kind."),
            labels: [], buckets: Self.jobBuckets)
        importRows = registry.makeCounter(descriptor: Self.name("import_rows", unit: "total", "Rows read by the server's successful imports."))
        importFailures = registry.makeCounter(
            descriptor: Self.name("import_failures", unit: "total", "Imports through the server refused (invalid file): nothing was stored."))
        runDuration = registry.makeDurationHistogram(
            descriptor: Self.name("run_duration", unit: "seconds", "Time to compute and store a run through the server."), labels: [],
            buckets: Self.jobBuckets)
        runBookingLines = registry.makeCounter(
            descriptor: Self.name("run_booking_lines", unit: "total", "Booking lines read by the runs made through the server."))
        runPartners = registry.makeCounter(
            descriptor: Self.name("run_partners", unit: "total", "Partners computed by the runs made through the server."))
        runFailures = registry.makeCounter(
            descriptor: Self.name("run_failures", unit: "total", "Runs through the server refused: no run was stored."))
    }

    static func name(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "incentives", metricName: name, unitName: unit, helpText: help)
    }

    /// The counter and histogram of one (route, method, status), made on first use.
    func requestMetrics(route: String, method: HTTPRequest.Method, status: Int) -> RequestMetrics {
        let key = RequestKey(route: route, method: method, status: status)
        if let known = requests.withLock({ $0[key] }) { return known }
        let labels = [("route", route), ("method", method.rawValue), ("status", String(status))]
        // Made outside the lock (the registry has its own); two first requests at once get the same objects.
        let made = RequestMetrics(
            count: registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", "HTTP requests answered."), labels: labels),
            duration: registry.makeDurationHistogram(
                descriptor: Self.name("http_request_duration", unit: "seconds", "Time from a request's arrival to its answer."), labels: labels,
                buckets: Self.requestBuckets))
        return requests.withLock { cache in
            if let known = cache[key] { return known }
            cache[key] = made
            return made
        }
    }

    /// One request answered. `route` nil, or Hummingbird's `NotFound` (what it names a request no route
    /// matched), is `unmatched`.
    public func request(route: String?, method: HTTPRequest.Method, status: Int, duration: Duration) {
        let route = route.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Self.unmatchedRoute
        let metrics = requestMetrics(route: route, method: method, status: status)
        metrics.count.increment()
        metrics.duration.record(duration)
    }

    /// An import made through the server: how long it took and how many rows it read; `rows` nil when it was refused.
    public func imported(rows: Int?, duration: Duration) {
        importDuration.record(duration)
        if let rows { importRows.increment(by: Int64(rows)) } else { importFailures.increment() }
    }

    /// A run made through the server; `summary` nil when it was refused.
    public func ran(_ summary: RunSummary?, duration: Duration) {
        runDuration.record(duration)
        guard let summary else {
            runFailures.increment()
            return
        }
        runBookingLines.increment(by: Int64(summary.bookingLines))
        runPartners.increment(by: Int64(summary.partners))
    }

    /// The text exposition format (version 0.0.4).
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `GET /metrics`: signed-in admins only (a session or a bearer token, as `/log` and the API): 401 without
    /// a user, 403 for a partner user.
    func register(on routes: Routes) {
        routes.get("metrics") { [self] _, context in
            _ = try context.requireAdmin()
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: exposition())))
            response.headers[.contentType] = Self.contentType
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    /// Times `body` as an import through the server.
    func timeImport<T>(_ body: () async throws -> T, rows: (T) -> Int) async throws -> T {
        let start = ContinuousClock.now
        do {
            let value = try await body()
            imported(rows: rows(value), duration: ContinuousClock.now - start)
            return value
        } catch {
            imported(rows: nil, duration: ContinuousClock.now - start)
            throw error
        }
    }
}

/// Counts every request by the route it matched and times it; outermost but for the request log, so that
/// every answer, refusals included, is counted with its final status.
struct MetricsMiddleware: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath, method: request.method, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch let error as any HTTPResponseError {
            metrics.request(route: context.endpointPath, method: request.method, status: error.status.code, duration: ContinuousClock.now - start)
            throw error
        } catch {
            metrics.request(route: context.endpointPath, method: request.method, status: 500, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
