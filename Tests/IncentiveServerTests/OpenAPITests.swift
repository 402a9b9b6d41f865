import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import IncentiveServer

/// The OpenAPI document and the router describe exactly the same routes: every documented operation is
/// answered by the real server (probed over HTTP, not from a list kept here), and every route registered
/// in `API.register(on:)` is documented.
@Suite struct OpenAPITests {
    /// `METHOD /path` with the path relative to the `/api/v1` server, as the document writes it.
    struct Route: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
        static func < (lhs: Route, rhs: Route) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    /// What the document says of one operation.
    struct Operation {
        /// The status codes of `responses`, as written (`200`, `404`, `default`).
        var responses: [String] = []
        /// The operation's own `security:` value, when it overrides the global one.
        var security: String?
    }

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The operations under `paths:`, read line by line. `OpenAPIDocument.yaml` is written by us with a fixed
    /// layout: paths at indent 2, methods at 4, an operation's keys (`responses:`, `security:`) at 6 and
    /// status codes at 8. (Yams is not a dependency of this test target.)
    static func operations(_ yaml: String) -> [Route: Operation] {
        var result: [Route: Operation] = [:]
        var inPaths = false
        var path: String?
        var current: Route?
        var inResponses = false
        for raw in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = raw.prefix { $0 == " " }.count
            if indent == 0 {
                inPaths = trimmed == "paths:"
                path = nil
                current = nil
                inResponses = false
                continue
            }
            guard inPaths, !trimmed.hasPrefix("-"), let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = trimmed[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch indent {
            case 2:
                path = key
                current = nil
                inResponses = false
            case 4:
                inResponses = false
                current = nil
                if let path, httpMethods.contains(key) {
                    let route = Route(method: key.uppercased(), path: path)
                    current = route
                    result[route] = Operation()
                }
            case 6:
                inResponses = key == "responses"
                if key == "security", let current { result[current]?.security = value }
            case 8:
                if inResponses, let current { result[current]?.responses.append(key) }
            default:
                break
            }
        }
        return result
    }

    static let apiSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/IncentiveServer/API.swift")

    /// The routes registered in `API.swift`: `api.get("programs/{id}")` is `GET /programs/{id}`. A line that
    /// calls something else on `api` (`api.on`, `api.group`, …) is returned in `unrecognized`, so a route
    /// registered in a form this does not read fails the test instead of being missed.
    static func registeredRoutes() throws -> (routes: Set<Route>, unrecognized: [String]) {
        let source = try String(contentsOf: apiSource, encoding: .utf8)
        var routes: Set<Route> = []
        var unrecognized: [String] = []
        for line in source.split(separator: "\n") where line.contains(#/\bapi\.\w+\(/#) {
            guard let match = line.firstMatch(of: #/\bapi\.(get|put|post|delete|patch|head|options)\(\s*"([^"]*)"/#) else {
                unrecognized.append(line.trimmingCharacters(in: .whitespaces))
                continue
            }
            // Hummingbird also accepts `:name` for a parameter; the document writes `{name}`.
            let path = match.output.2.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            routes.insert(Route(method: match.output.1.uppercased(), path: "/" + path))
        }
        return (routes, unrecognized)
    }

    /// Example ids for path parameters, by the segment before them: these exist in the fixture.
    static let exampleIDs = ["programs": "VIP25-6M", "partners": "NL1001", "runs": "1", "imports": "bookings"]

    /// The URI of a documented path with example ids, or `nil` when a parameter has no example here.
    static func uri(_ template: String) -> String? {
        var segments = template.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for index in segments.indices where segments[index].hasPrefix("{") {
            guard index > 0, let id = exampleIDs[segments[index - 1]] else { return nil }
            segments[index] = id
        }
        return API.prefix + segments.joined(separator: "/")
    }

    /// `error.code` and `error.message` of an error answer; `nil` for any other body.
    static func errorAnswer(_ response: TestResponse) -> (code: String, message: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any],
            let error = object["error"] as? [String: Any], let code = error["code"] as? String, let message = error["message"] as? String
        else { return nil }
        return (code, message)
    }

    @Test func theServerServesTheDocument() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let response = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get, headers: Fixture.headers(token))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(response.text == OpenAPIDocument.yaml)
        }
    }

    @Test func theDocumentHasTheExpectedFrame() throws {
        let lines = OpenAPIDocument.yaml.split(separator: "\n").map(String.init)
        #expect(lines.first == "openapi: 3.1.0")
        #expect(lines.contains("servers:"))
        #expect(lines.contains("  - url: /api/v1"))
        #expect(lines.contains("security:"))
        #expect(lines.contains("  - bearer: []"))
        #expect(lines.contains("    bearer:"))
        #expect(lines.contains("      scheme: bearer"))
        #expect(!OpenAPIDocument.yaml.contains("\t"), "YAML must be indented with spaces")
        // Every $ref points at a component the document defines.
        for match in OpenAPIDocument.yaml.matches(of: #/\$ref: '#/components/(\w+)/(\w+)'/#) {
            let section = "  \(match.output.1):", name = "    \(match.output.2):"
            let start = try #require(lines.firstIndex(of: section), "no components/\(match.output.1)")
            let end = lines[(start + 1)...].firstIndex { !$0.hasPrefix("   ") } ?? lines.endIndex
            #expect(lines[start..<end].contains(name), "no components/\(match.output.1)/\(match.output.2)")
        }
    }

    /// The tests below depend on this reader: it must find every operation there is.
    @Test func theReaderFindsEveryOperation() throws {
        let operations = Self.operations(OpenAPIDocument.yaml)
        // Every operation has an operationId: counting them checks the reader independently.
        let operationIDs = OpenAPIDocument.yaml.split(separator: "\n").filter { $0.hasPrefix("      operationId: ") }
        #expect(!operations.isEmpty)
        #expect(operations.count == operationIDs.count, "read \(operations.keys.sorted()), but there are \(operationIDs.count) operationIds")
        #expect(operations[Route(method: "GET", path: "/health")]?.responses == ["200"])
        for (route, operation) in operations {
            #expect(!operation.responses.isEmpty, "\(route) has no responses")
            #expect(route.path.hasPrefix("/") && !route.path.hasPrefix(API.prefix), "\(route): paths are relative to the server /api/v1")
        }
    }

    @Test func everyRouteButHealthDeclaresUnauthorized() throws {
        let operations = Self.operations(OpenAPIDocument.yaml)
        let health = try #require(operations[Route(method: "GET", path: "/health")])
        #expect(health.security == "[]", "/health needs no user: security: []")
        #expect(!health.responses.contains("401"))
        for (route, operation) in operations where route.path != "/health" {
            #expect(operation.responses.contains("401"), "\(route) does not declare 401")
            #expect(operation.security == nil, "\(route) overrides the global security")
        }
    }

    /// Every route registered in `API.swift` is documented.
    @Test func everyRegisteredRouteIsDocumented() throws {
        let (registered, unrecognized) = try Self.registeredRoutes()
        #expect(unrecognized.isEmpty, "route registrations this test cannot read: \(unrecognized)")
        #expect(registered.contains(Route(method: "GET", path: "/health")), "found only \(registered.sorted()) in \(Self.apiSource.path)")
        let documented = Set(Self.operations(OpenAPIDocument.yaml).keys)
        let undocumented = registered.subtracting(documented).sorted()
        #expect(undocumented.isEmpty, "registered in API.swift but not in OpenAPIDocument: \(undocumented)")
        let unregistered = documented.subtracting(registered).sorted()
        #expect(unregistered.isEmpty, "in OpenAPIDocument but not registered in API.swift: \(unregistered)")
    }

    /// Every documented operation is answered by the real server, and it answers with a status the document
    /// gives: 401 without a user (but /health), 403 to a partner user exactly where 403 is documented.
    @Test func everyDocumentedRouteIsServed() async throws {
        let operations = Self.operations(OpenAPIDocument.yaml)
        try #require(!operations.isEmpty)
        let fixture = try Fixture()
        defer { fixture.remove() }
        let admin = fixture.admin, partner = fixture.partner
        try await fixture.serve { client in
            // What an unknown route looks like: a 404 from Hummingbird's router, not from a handler.
            let missing = try await client.execute(uri: "/api/v1/no-such-route-\(UUID().uuidString)", method: .get, headers: Fixture.headers(admin))
            #expect(missing.status == .notFound)
            let unknown = try #require(Self.errorAnswer(missing))
            #expect(unknown.code == "not_found")
            func isUnknownRoute(_ response: TestResponse) -> Bool {
                if response.status == .methodNotAllowed { return true }
                guard response.status == .notFound, let answer = Self.errorAnswer(response) else { return false }
                return answer.code == unknown.code && answer.message == unknown.message
            }
            // The probe tells a route that is not there, by path or by method.
            let wrongMethod = try await client.execute(uri: "/api/v1/runs", method: .patch, headers: Fixture.headers(admin))
            let wrongMethodIsUnknown = isUnknownRoute(wrongMethod)
            #expect(wrongMethodIsUnknown, "PATCH /runs: \(wrongMethod.status.code) \(wrongMethod.text)")
            let resourceMissing = try await client.execute(uri: "/api/v1/partners/NOPE", method: .get, headers: Fixture.headers(admin))
            let missingResourceIsARoute = resourceMissing.status == .notFound && !isUnknownRoute(resourceMissing)
            #expect(missingResourceIsARoute, "GET /partners/NOPE: \(resourceMissing.status.code) \(resourceMissing.text)")

            // Admin last: its probes may change the workspace (POST /runs stores a run).
            for (route, operation) in operations.sorted(by: { $0.key < $1.key }) {
                let uri = try #require(Self.uri(route.path), "\(route): no example id for its path parameters")
                let method = try #require(HTTPRequest.Method(route.method), "\(route)")
                let anonymous = try await client.execute(uri: uri, method: method)
                let servedAnonymously = !isUnknownRoute(anonymous), refused = anonymous.status == .unauthorized
                #expect(servedAnonymously, "\(route) is documented but the server has no such route")
                #expect(refused == operation.responses.contains("401"), "\(route) without a user answered \(anonymous.status.code)")
                let asPartner = try await client.execute(uri: uri, method: method, headers: Fixture.headers(partner))
                let forbidden = asPartner.status == .forbidden
                #expect(forbidden == operation.responses.contains("403"), "\(route) as a partner user answered \(asPartner.status.code)")
            }
            for (route, operation) in operations.sorted(by: { $0.key < $1.key }) {
                let uri = try #require(Self.uri(route.path))
                let method = try #require(HTTPRequest.Method(route.method))
                let response = try await client.execute(uri: uri, method: method, headers: Fixture.headers(admin))
                let served = !isUnknownRoute(response), documentedStatus = operation.responses.contains(String(response.status.code))
                #expect(served, "\(route) is documented but the server has no such route: \(response.text)")
                #expect(documentedStatus, "\(route) answered \(response.status.code), which the document does not give: \(response.text)")
            }
        }
    }
}
