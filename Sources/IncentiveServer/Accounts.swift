import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import IncentiveStore

/// Passwords, API tokens and session ids: passwords are hashed with bcrypt (slow on purpose), tokens
/// and session ids are random and stored only as their SHA-256.
public enum Accounts {
    /// bcrypt's cost: 2^12 rounds, about a quarter of a second.
    public static let bcryptCost: UInt8 = 12

    public static func hashPassword(_ password: String, cost: UInt8 = bcryptCost) -> String { Bcrypt.hash(password, cost: cost) }

    /// Used when the user does not exist, so a wrong name takes as long as a wrong password.
    static let unknownUserHash = Bcrypt.hash("no such user", cost: bcryptCost)

    /// The user if `password` is theirs; `nil` for a wrong password and an unknown user alike.
    public static func verify(name: String, password: String, in workspace: Workspace) throws -> User? {
        guard let user = try workspace.user(named: name) else {
            _ = Bcrypt.verify(password, hash: unknownUserHash)
            return nil
        }
        return Bcrypt.verify(password, hash: user.passwordHash) ? user : nil
    }

    /// A new random secret (hex), with a prefix that says what it is.
    public static func newSecret(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A single-use sign-in link for `user`, valid for `lifetime` seconds: the path to open.
    public static func createLoginLink(user: String, in workspace: Workspace, lifetime: TimeInterval = 3600) throws -> String {
        let key = newSecret(prefix: "")
        try workspace.addLoginLink(hash: digest(key), user: user, expires: Date().addingTimeInterval(lifetime))
        return "/login/link?key=\(key)"
    }

    /// Creates an API token for `user`; the token itself is shown once and never stored.
    public static func createToken(user: String, in workspace: Workspace) throws -> String {
        let token = newSecret(prefix: "inc_")
        try workspace.addToken(hash: digest(token), user: user)
        return token
    }
}

/// Finds the user of a request: a bearer token (API clients) or the session cookie (pages).
/// It does not refuse anything itself; routes say what needs which user.
struct Authenticator: RouterMiddleware {
    static let sessionCookie = "incentives_session"
    let workspace: Workspace

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        // The health check answers anyone, whatever credentials come with it.
        if request.uri.path == "\(API.prefix)/health" { return try await next(request, context) }
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer ") else {
                throw APIError(status: .unauthorized, code: "unauthorized", message: "the Authorization header must be: Bearer <token>")
            }
            let hash = Accounts.digest(String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
            let workspace = self.workspace
            guard let user = try await blocking({ try workspace.user(tokenHash: hash) }) else {
                throw APIError(status: .unauthorized, code: "unauthorized", message: "unknown or revoked token")
            }
            context.user = user
        } else if let cookie = request.cookies[Self.sessionCookie] {
            let hash = Accounts.digest(cookie.value)
            let workspace = self.workspace
            let session = try await blocking({ try workspace.session(hash: hash) })
            context.session = session
            context.user = session?.user
        }
        return try await next(request, context)
    }
}

extension AppContext {
    /// The signed-in user, or 401.
    func requireUser() throws -> User {
        guard let user else { throw APIError.unauthorized }
        return user
    }

    /// An admin, or 401/403.
    func requireAdmin() throws -> User {
        let user = try requireUser()
        guard user.role == .admin else { throw APIError.forbidden }
        return user
    }
}
