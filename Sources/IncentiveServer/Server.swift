import Foundation
import Hummingbird
import IncentiveAdvisor
import IncentiveEngine
import IncentiveStore
import Logging
import NIOCore
import NIOPosix

/// How the server is started.
public struct ServerOptions: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (an import upload); larger ones get 413.
    public var maxBodySize: Int
    /// The credentials catalogue the advice weighs (none: no recommendation).
    public var catalogue: [CredentialOffer]?
    /// Every cookie is `Secure` (sent only over HTTPS). Default: on unless `host` is a loopback address.
    public var secureCookies: Bool
    /// Where "today" (the advice's as-of date) and session expiry times come from.
    public var clock: WallClock
    /// What `GET /metrics` shows: requests, and the server's own imports and runs.
    public var metrics: ServerMetrics = ServerMetrics()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodySize: Int = 1 << 30, catalogue: [CredentialOffer]? = nil, secureCookies: Bool? = nil,
        clock: WallClock = .system
    ) {
        self.clock = clock
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.catalogue = catalogue
        self.secureCookies = secureCookies ?? !Self.isLoopback(host)
    }

    /// `localhost`, `127.x.x.x` and `::1`: addresses only this machine reaches, where plain HTTP is fine.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// The request context: Hummingbird's core plus the user the request was authenticated as.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: User?
    /// The page session the user came with (pages only; API clients use tokens).
    public var session: Session?
    /// The hash of the session cookie a partner page came with, left for the page to look up in the read
    /// it makes anyway (`Authenticator`): one read and one hop to a thread fewer per page.
    var sessionHash: String?
    /// The request's source, kept so that the client's address is worked out only when a sign-in needs
    /// it (reading it takes a lock and formats a string: too much for every request).
    let channel: any Channel
    /// The client's address, for throttling sign-ins (`Channel.clientAddress`).
    public var clientAddress: String? { channel.clientAddress }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        user = nil
        session = nil
        sessionHash = nil
        channel = source.channel
    }
}

/// Builds the HTTP application over a workspace: the JSON API under `/api/v1`.
public enum IncentivesServer {
    public static func application(
        workspace: Workspace, options: ServerOptions, logger: Logger = Logger(label: "incentives")
    ) -> some ApplicationProtocol {
        application(workspace: workspace, options: options, logger: logger, signIn: nil)
    }

    /// The same, with a sign-in guard of the caller's making (tests: a small bcrypt pool).
    static func application(
        workspace: Workspace, options: ServerOptions, logger: Logger = Logger(label: "incentives"), signIn: SignInGuard?
    ) -> some ApplicationProtocol {
        Application(
            router: routes(workspace: workspace, options: options, signIn: signIn).router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "incentives"),
            logger: logger)
    }

    /// The router with its middleware and every route, and the registry of those routes (the methods of
    /// each path), which the OpenAPI document is checked against.
    static func routes(workspace: Workspace, options: ServerOptions, signIn: SignInGuard? = nil) -> Routes {
        // HEAD is answered wherever GET is, without the body.
        let router = Router(context: AppContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(RequestLogMiddleware())
        router.middlewares.add(MetricsMiddleware(metrics: options.metrics))
        router.middlewares.add(WebDefaultsMiddleware(secureCookies: options.secureCookies))
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(Authenticator(workspace: workspace))
        router.middlewares.add(SessionWriteGuard())
        let cache = ResponseCache()
        let routes = Routes(router: router)
        AdminPages(workspace: workspace, options: options, cache: cache, signIn: signIn).register(on: routes)
        API(workspace: workspace, options: options, cache: cache).register(on: routes)
        Pages(workspace: workspace, options: options, cache: cache).register(on: routes)
        options.metrics.register(on: routes)
        // Last, after every route: a wrong method on an existing path answers 405 with Allow.
        routes.refuseOtherMethods()
        return routes
    }
}

extension IncentivesServer {
    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns.
    public static func run(workspace: Workspace, options: ServerOptions, logger: Logger) async throws {
        let app = application(workspace: workspace, options: options, logger: logger)
        Task.detached { await prepareLists(workspace, logger: logger) }
        try await app.runService()
    }

    /// Works out, in the background as the server starts, what the first admin's overview and runs diff
    /// would otherwise wait for: the latest run's overview, the changes from the run before it and the
    /// booking lines changed between them (about 1.5 s at 100,000 partners and 1,000,000 lines; all are
    /// then kept, `Workspace.runOverview`, `changedPartners`, `changedLines`).
    static func prepareLists(_ workspace: Workspace, logger: Logger) async {
        do {
            try await blocking {
                let ids = try workspace.runs().suffix(2).map(\.id)
                guard let last = ids.last else { return }
                _ = try workspace.runOverview(last)
                if ids.count == 2 {
                    _ = try workspace.runDiffHeader(ids[0], last)
                    _ = try workspace.changedLines(ids[0], last)
                }
            }
            logger.info("the latest run's lists are prepared")
        } catch {
            logger.warning("the latest run's lists were not prepared: \(error)")
        }
    }
}

/// Runs blocking workspace calls (SQLite through GRDB) off Swift's cooperative threads, so a long
/// import or run never stops the server from answering other requests.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// Short blocking work that many requests ask for at once (a partner page, a partner's explanation, the
/// session behind a cookie): run first come, first served on as many threads as the machine has cores.
/// Dispatch's global queue ran every waiting page at once on more threads than cores; they took turns
/// on the cores, and the last of them waited for all the others.
func quick<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await QuickPool.shared.runIfActive(body)
}

enum QuickPool {
    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(
            numberOfThreads: Int(ProcessInfo.processInfo.environment["INCENTIVES_QUICK_THREADS"] ?? "")
                ?? ProcessInfo.processInfo.activeProcessorCount)
        pool.start()
        return pool
    }()
}

/// Logs every request with its id, method, path, status and duration (structured metadata), and
/// answers with the id in `X-Request-Id`.
struct RequestLogMiddleware: RouterMiddleware {
    /// `7` -> `007`: the thousandths of a duration (every request is logged; `String(format:)` cost more).
    static func threeDigits(_ value: Int64) -> String {
        value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: Int) {
            let elapsed = ContinuousClock.now - start
            let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)",
                    "ms": "\(microseconds / 1000).\(Self.threeDigits(microseconds % 1000))",
                ])
        }
        do {
            var response = try await next(request, context)
            response.headers[.init("X-Request-Id")!] = context.id
            log(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            log(error.status.code)
            throw error
        } catch {
            log(500)
            throw error
        }
    }
}
