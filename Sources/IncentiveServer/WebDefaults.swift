import Foundation
import HTTPTypes
import Hummingbird
import IncentiveStore

/// The header fields of every answer, pages and API alike, errors included (docs/server.md "Web defaults"):
/// a Content-Security-Policy that allows only the pages' inline styles and SVG (no scripts, no framing),
/// `nosniff`, `Referrer-Policy: same-origin`, `Cache-Control: no-store` on everything but the health
/// check and the OpenAPI document (the rest holds financial data or a session's form token), and `Secure`
/// on every cookie when the server says so.
struct WebDefaultsMiddleware: RouterMiddleware {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    /// Answers without financial data, which caches may keep.
    static let cacheable = API.publicPaths

    let secureCookies: Bool

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Errors become answers here, so that they carry the same header fields.
            response = try error.response(from: request, context: context)
        }
        response.headers = apply(to: response.headers, path: request.uri.path)
        return response
    }

    func apply(to headers: HTTPFields, path: String) -> HTTPFields {
        var fields = headers
        // Most answers set no cookie: the fields are rebuilt only when one needs `Secure`.
        if secureCookies && fields.contains(where: { $0.name == .setCookie && !Self.isSecure($0.value) }) {
            fields = HTTPFields()
            for field in headers {
                if field.name == .setCookie && !Self.isSecure(field.value) {
                    fields.append(HTTPField(name: .setCookie, value: field.value + "; Secure"))
                } else {
                    fields.append(field)
                }
            }
        }
        fields[.contentSecurityPolicy] = Self.contentSecurityPolicy
        fields[.xContentTypeOptions] = "nosniff"
        fields[Self.referrerPolicy] = "same-origin"
        if !Self.cacheable.contains(path) { fields[.cacheControl] = "no-store" }
        return fields
    }

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    static func isSecure(_ cookie: String) -> Bool {
        cookie.split(separator: ";").dropFirst().contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "secure" }
    }
}

/// The API is for bearer tokens. A write to `/api/v1` that comes with the pages' session cookie instead
/// (what a form on another site can make a browser send) must carry the session's CSRF token in
/// `X-CSRF-Token`, or it is refused with 403 before it reaches its route.
struct SessionWriteGuard: RouterMiddleware {
    static let header = HTTPField.Name("X-CSRF-Token")!
    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        if let session = context.session, !Self.safeMethods.contains(request.method), request.uri.path.hasPrefix(API.prefix + "/") {
            guard Form.same(request.headers[Self.header], session.csrfToken) else {
                throw APIError(
                    status: .forbidden, code: "csrf",
                    message:
                        "a change through the API with the session cookie needs the session's CSRF token in X-CSRF-Token; API clients send a bearer token"
                )
            }
        }
        return try await next(request, context)
    }
}

/// Where the browser may be sent after signing in (a `next` parameter).
enum LocalPath {
    /// `text` when it is a path of this site: it starts with a single `/`, has no `//` and no backslash
    /// (browsers read both as the start of another host), and only visible ASCII (no control characters,
    /// spaces or anything a browser might drop or rewrite). `nil` otherwise.
    static func validated(_ text: String) -> String? {
        guard text.hasPrefix("/"), !text.contains("//"), text.utf8.count <= 2048,
            text.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return text
    }
}
