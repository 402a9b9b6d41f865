import Foundation
import Hummingbird
import IncentiveStore

/// Guards the sign-in routes (`POST /login`, `GET /login/link`): attempts are throttled per user name
/// and per client address (`LoginThrottle`), and passwords are checked on the server's own bcrypt pool
/// (`BcryptPool`), never on the threads that answer other requests.
///
/// As a middleware it hands itself and the client's address to the sign-in routes of the request
/// (`SignInGuard.current`); the routes refuse to sign anyone in without it.
struct SignInGuard: RouterMiddleware {
    let workspace: Workspace
    let throttle: LoginThrottle
    let pool: BcryptPool

    init(workspace: Workspace, throttle: LoginThrottle = LoginThrottle(), pool: BcryptPool = BcryptPool()) {
        self.workspace = workspace
        self.throttle = throttle
        self.pool = pool
    }

    /// What a sign-in route of the current request works with.
    struct Scope: Sendable {
        let accounts: SignInGuard
        /// The client's address (`unknown` when the connection does not say).
        let address: String
    }

    @TaskLocal static var current: Scope?

    /// What a sign-in route answers without a guard in front of it: it signs no one in unthrottled.
    static let missing = APIError(status: .internalServerError, code: "internal", message: "sign-in is not guarded")

    static let paths: Set<String> = ["/login", "/login/link"]

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard Self.paths.contains(request.uri.path) else { return try await next(request, context) }
        return try await Self.$current.withValue(Scope(accounts: self, address: context.clientAddress ?? "unknown")) {
            try await next(request, context)
        }
    }

    /// A wait as the login page says it: `1 second`, `40 seconds`, `15 minutes` (whole minutes from a minute on, rounded up).
    static func wait(_ seconds: Int, _ texts: [String: String]) -> String {
        let (count, one, many) = seconds < 60 ? (seconds, "second", "seconds") : ((seconds + 59) / 60, "minute", "minutes")
        return "\(count) \(texts[count == 1 ? one : many] ?? "")"
    }

    enum Outcome: Sendable {
        case signedIn(User)
        /// Wrong name or password, unknown or used link, or a user who may not sign in: one answer for all.
        case wrong
        /// Too many attempts: try again after this many seconds.
        case throttled(retryAfter: Int)
        /// The bcrypt pool is full: try again in a second.
        case busy
    }

    /// Checks a name and password. A user who does not exist, is disabled or deleted costs a bcrypt check
    /// all the same, and gets the same answer as a wrong password.
    func signIn(name: String, password: String, address: String) async throws -> Outcome {
        let nameKey = LoginThrottle.Key.user(name), addressKey = LoginThrottle.Key.address(address)
        if case .refused(let seconds) = throttle.begin([nameKey, addressKey]) { return .throttled(retryAfter: seconds) }
        let workspace = self.workspace
        let user: User?
        do {
            user = try await blocking { try workspace.user(signingInAs: name.trimmingCharacters(in: .whitespacesAndNewlines)) }
        } catch {
            throttle.cancelled([nameKey, addressKey])
            throw error
        }
        let active = user.flatMap { $0.status == .active ? $0 : nil }
        let matches: Bool
        do {
            matches = try await pool.run { Accounts.matches(password, hash: active?.passwordHash ?? Accounts.unknownUserHash) }
        } catch {
            throttle.cancelled([nameKey, addressKey])
            return .busy
        }
        guard let active, matches else { return .wrong }
        throttle.succeeded(name: nameKey, address: addressKey)
        return .signedIn(active)
    }

    /// Uses up a sign-in link (a 256-bit key: guessing is throttled per address only).
    func useLink(key: String, address: String) async throws -> Outcome {
        let addressKey = LoginThrottle.Key.address(address)
        if case .refused(let seconds) = throttle.begin([addressKey]) { return .throttled(retryAfter: seconds) }
        let workspace = self.workspace, hash = Accounts.digest(key)
        let user: User?
        do {
            user = try await blocking { try workspace.useLoginLink(hash: hash) }
        } catch {
            throttle.cancelled([addressKey])
            throw error
        }
        guard let user else { return .wrong }
        throttle.cancelled([addressKey])
        return .signedIn(user)
    }
}
