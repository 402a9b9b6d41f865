import HTTPTypes
import Hummingbird

/// Adds routes to the router and remembers which methods each path answers, so that every other method
/// on an existing path answers 405 with `Allow` (Hummingbird's router alone answers 404). `HEAD` is
/// answered wherever `GET` is (the router's `autoGenerateHeadEndpoints`).
///
/// Used while the application is built, on one task: routes first, `refuseOtherMethods()` last.
final class Routes {
    /// The methods a 405 is given for; any other method on any path is 404.
    /// QUERY is the safe method with a body of the HTTP draft that OpenAPI 3.2 lists.
    static let refusable: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]

    typealias Handler = @Sendable (Request, AppContext) async throws -> Response

    let router: Router<AppContext>
    let prefix: String
    private let table: Table

    /// Each path's methods in the order registered; shared by a routes object and its groups.
    private final class Table {
        var paths: [String] = []
        var methods: [String: [HTTPRequest.Method]] = [:]
    }

    convenience init(router: Router<AppContext>) {
        self.init(router: router, prefix: "", table: Table())
    }

    private init(router: Router<AppContext>, prefix: String, table: Table) {
        self.router = router
        self.prefix = prefix
        self.table = table
    }

    /// Routes under `prefix` (`/api/v1`).
    func group(_ prefix: String) -> Routes {
        Routes(router: router, prefix: self.prefix + prefix, table: table)
    }

    func get(_ path: String, use handler: @escaping Handler) { on(path, .get, handler) }
    func post(_ path: String, use handler: @escaping Handler) { on(path, .post, handler) }
    func put(_ path: String, use handler: @escaping Handler) { on(path, .put, handler) }
    func patch(_ path: String, use handler: @escaping Handler) { on(path, .patch, handler) }
    func delete(_ path: String, use handler: @escaping Handler) { on(path, .delete, handler) }

    private func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        let full = Self.join(prefix, path)
        router.on(RouterPath(full), method: method, use: handler)
        if table.methods[full] == nil { table.paths.append(full) }
        table.methods[full, default: []].append(method)
    }

    /// `/api/v1` + `runs/{id}` is `/api/v1/runs/{id}`; `/` stays `/`.
    static func join(_ prefix: String, _ path: String) -> String {
        let tail = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if prefix.isEmpty { return "/" + tail }
        return tail.isEmpty ? prefix : prefix + "/" + tail
    }

    /// Every registered path (prefix included) with the methods registered on it, in the order registered.
    var registered: [(path: String, methods: [HTTPRequest.Method])] { table.paths.map { ($0, table.methods[$0] ?? []) } }

    /// The methods `path` answers, as `Allow` lists them (`HEAD` with `GET`).
    func allowed(_ path: String) -> [HTTPRequest.Method] {
        let registered = table.methods[path] ?? []
        return Self.refusable.filter { registered.contains($0) || ($0 == .head && registered.contains(.get)) }
    }

    /// Answers every refusable method a registered path does not answer with 405 and `Allow`. Call it
    /// once, after every route is added: a route added later for a refused method would clash.
    func refuseOtherMethods() {
        for path in table.paths {
            let allowed = allowed(path)
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in Self.refusable where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIError(
                        status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(request.method.rawValue) is not answered here; \(path) answers \(allow)",
                        headers: [.allow: allow])
                }
            }
        }
    }
}
