import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveStore
import NIOCore
import Testing
import Yams

@testable import IncentiveServer

/// The OpenAPI document and the router describe exactly the same routes: the document, read with Yams,
/// lists every route the router's registry (`Routes`) holds under `/api/v1` and no other, and every
/// documented operation is answered by the real server over HTTP with a status the document gives.
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
        var operationID: String?
        /// The status codes of `responses` (`200`, `404`, `default`).
        var responses: Set<String>
        /// The operation's own `security:` requirements, when it overrides the document's.
        var security: [[String: [String]]]?
    }

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"]

    /// The document as Yams reads it.
    static func document() throws -> [String: Any] {
        try #require(try Yams.load(yaml: API.openAPIDocument) as? [String: Any], "the document is not a YAML mapping")
    }

    /// Every operation under `paths`.
    static func operations() throws -> [Route: Operation] {
        let paths = try #require(try document()["paths"] as? [String: Any])
        var result: [Route: Operation] = [:]
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "\(path) is not a mapping")
            for (key, value) in item where httpMethods.contains(key) {
                let operation = try #require(value as? [String: Any], "\(key) \(path) is not a mapping")
                let responses = try #require(operation["responses"] as? [String: Any], "\(key) \(path) has no responses")
                var security: [[String: [String]]]?
                if let requirements = operation["security"] {
                    security = try #require(requirements as? [[String: [String]]], "\(key) \(path): security is not a list of requirements")
                }
                result[Route(method: key.uppercased(), path: path)] = Operation(
                    operationID: operation["operationId"] as? String, responses: Set(responses.keys), security: security)
            }
        }
        return result
    }

    /// The routes the router registered under `/api/v1` (from its registry, not from the source), with the
    /// path relative to that server; Hummingbird's `:name` parameters written `{name}` as the document does.
    static func registeredRoutes() throws -> Set<Route> {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let routes = IncentivesServer.routes(workspace: fixture.workspace, options: fixture.options)
        var result: Set<Route> = []
        for (path, methods) in routes.registered where path.hasPrefix(API.prefix + "/") {
            let relative = path.dropFirst(API.prefix.count).split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            for method in methods { result.insert(Route(method: method.rawValue, path: "/" + relative.joined(separator: "/"))) }
        }
        return result
    }

    /// Every `$ref` in `value`, anywhere in the tree.
    static func references(in value: Any) -> [String] {
        if let mapping = value as? [String: Any] {
            return mapping.flatMap { key, value in key == "$ref" ? [value as? String ?? "\(value)"] : references(in: value) }
        }
        if let list = value as? [Any] { return list.flatMap(references(in:)) }
        return []
    }

    /// The routes that answer anyone: `security: []` in the document, `API.publicPaths` in the server.
    static let publicRoutes: Set<Route> = [Route(method: "GET", path: "/health"), Route(method: "GET", path: "/openapi.yaml")]

    /// Example ids for path parameters, by the segment before them: these exist in the fixture.
    static let exampleIDs = [
        "programs": "VIP25-6M", "partners": "NL1001", "runs": "1", "imports": "bookings", "fund-requests": "1", "claims": "1", "proofs": "1",
    ]

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

    /// The document is served as it is embedded, to anyone: it is public like `/health`.
    @Test func theServerServesTheDocumentToAnyone() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            for headers in [Fixture.headers(token), Fixture.headers(nil), Fixture.headers("inc_forged")] {
                let response = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get, headers: headers)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                #expect(response.headers[.cacheControl] == nil, "a public document may be cached")
                #expect(response.text == API.openAPIDocument)
            }
        }
    }

    @Test func theDocumentHasTheExpectedFrame() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["version"] as? String == "0.1.0")
        let servers = try #require(document["servers"] as? [[String: Any]])
        #expect(servers.map { $0["url"] as? String } == [API.prefix])
        let security = try #require(document["security"] as? [[String: [String]]])
        #expect(security == [["bearer": []], ["session": []]])
        let components = try #require(document["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: [String: Any]])
        #expect(schemes["bearer"]?["type"] as? String == "http")
        #expect(schemes["bearer"]?["scheme"] as? String == "bearer")
        #expect(schemes["session"] != nil)
        #expect(!API.openAPIDocument.contains("\t"), "YAML must be indented with spaces")
        // Every $ref points at a component the document defines.
        let references = Self.references(in: document)
        #expect(references.count > 50, "found only \(references.count) references")
        for reference in Set(references) {
            let parts = reference.split(separator: "/").map(String.init)
            try #require(parts.count == 4 && parts[0] == "#" && parts[1] == "components", "\(reference) is not a reference to a component")
            let section = components[parts[2]] as? [String: Any]
            #expect(section?[parts[3]] != nil, "\(reference) is not defined")
        }
    }

    @Test func everyOperationIsNamedAndAnswers() throws {
        let operations = try Self.operations()
        #expect(operations.count >= 16)
        let ids = operations.values.compactMap(\.operationID)
        #expect(ids.count == operations.count, "an operation has no operationId")
        #expect(Set(ids).count == ids.count, "operationIds repeat: \(ids.sorted())")
        #expect(operations[Route(method: "GET", path: "/health")]?.responses == ["200"])
        for (route, operation) in operations {
            #expect(!operation.responses.isEmpty, "\(route) has no responses")
            #expect(route.path.hasPrefix("/") && !route.path.hasPrefix(API.prefix), "\(route): paths are relative to the server /api/v1")
        }
    }

    /// `/health` and `/openapi.yaml` need no user (`security: []`, no 401), as the server treats them;
    /// every other operation keeps the document's security and declares 401.
    @Test func onlyThePublicRoutesNeedNoUser() throws {
        let operations = try Self.operations()
        #expect(Set(API.publicPaths.map { Route(method: "GET", path: String($0.dropFirst(API.prefix.count))) }) == Self.publicRoutes)
        for (route, operation) in operations {
            if Self.publicRoutes.contains(route) {
                #expect(operation.security.map(\.isEmpty) == true, "\(route) needs no user: security: []")
                #expect(!operation.responses.contains("401"), "\(route) is public: no 401")
            } else {
                #expect(operation.responses.contains("401"), "\(route) does not declare 401")
                #expect(operation.security == nil, "\(route) overrides the document's security")
            }
        }
    }

    /// The document lists exactly the routes the router holds under `/api/v1`.
    @Test func theDocumentListsExactlyTheRegisteredRoutes() throws {
        let registered = try Self.registeredRoutes()
        #expect(registered.contains(Route(method: "GET", path: "/health")), "found only \(registered.sorted())")
        #expect(registered.contains(Route(method: "GET", path: "/runs/{id}/partners/{partnerId}")), "found only \(registered.sorted())")
        let documented = Set(try Self.operations().keys)
        let undocumented = registered.subtracting(documented).sorted()
        #expect(undocumented.isEmpty, "registered but not in openapi.yaml: \(undocumented)")
        let unregistered = documented.subtracting(registered).sorted()
        #expect(unregistered.isEmpty, "in openapi.yaml but not registered: \(unregistered)")
    }

    /// Every documented operation is answered by the real server, and it answers with a status the document
    /// gives: 401 without a user (but the public routes), 403 to a partner user exactly where 403 is documented.
    @Test func everyDocumentedRouteIsServed() async throws {
        let operations = try Self.operations()
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
