import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import IncentiveEngine
import IncentiveStore
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Passwords, API tokens and session ids: passwords are hashed with bcrypt (slow on purpose), tokens
/// and session ids are random and stored only as their SHA-256.
public enum Accounts {
    /// bcrypt's cost: 2^12 rounds, about a quarter of a second.
    public static let bcryptCost: UInt8 = 12

    /// How long a token lives when `tokens create` is not told otherwise: 90 days.
    public static let defaultTokenLifetime: TimeInterval = 90 * 86_400
    /// The longest `--expires-in`: a year.
    public static let maximumTokenLifetime: TimeInterval = 366 * 86_400

    /// A bcrypt hash of a password that passed `PasswordPolicy` (bcrypt reads at most 72 bytes, so a longer
    /// one must never get here).
    public static func hashPassword(_ password: String, cost: UInt8 = bcryptCost) -> String { Bcrypt.hash(password, cost: cost) }

    /// Used when the user does not exist or may not sign in, so a wrong name takes as long as a wrong password.
    static let unknownUserHash = Bcrypt.hash("no such user", cost: bcryptCost)

    /// Whether `password` is the one `hash` was made from. A password bcrypt would cut short (over 72 bytes,
    /// or with a NUL) never matches, so a longer text with the same first 72 bytes is not taken for it.
    static func matches(_ password: String, hash: String) -> Bool {
        let whole = password.utf8.count <= PasswordPolicy.maximumBytes && !password.utf8.contains(0)
        return Bcrypt.verify(password, hash: hash) && whole
    }

    /// A password for a generated account (`serve --demo`): 16 random hex digits, which pass `PasswordPolicy`.
    public static func generatePassword() -> String { String(newSecret(prefix: "").prefix(16)) }

    /// A new random secret (hex), with a prefix that says what it is.
    public static func newSecret(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Digest.hex(bytes)
    }

    /// What the workspace keeps of a token, session id or sign-in key: its SHA-256.
    public static func digest(_ secret: String) -> String { Digest.of(secret) }

    /// The public id of a token (what `tokens list` shows): the start of its SHA-256, never the secret.
    public static func tokenID(_ token: String) -> String { String(digest(token).prefix(TokenRecord.idLength)) }

    /// A single-use sign-in link for `user`, valid for `lifetime` seconds from now by the workspace's clock
    /// (which its expiry is checked against): the path to open.
    public static func createLoginLink(
        user: String, in workspace: Workspace, lifetime: TimeInterval = 3600, by actor: Actor = .operatingSystemUser()
    ) throws -> String {
        let key = newSecret(prefix: "")
        try workspace.addLoginLink(hash: digest(key), user: user, expires: workspace.clock.now().addingTimeInterval(lifetime), by: actor)
        return "/login/link?key=\(key)"
    }

    /// Creates an API token for `user`, valid for `lifetime` seconds; the token itself is shown once and never stored.
    public static func createToken(
        user: String, in workspace: Workspace, lifetime: TimeInterval = defaultTokenLifetime, by actor: Actor = .operatingSystemUser()
    ) throws -> String {
        try issueToken(user: user, in: workspace, lifetime: lifetime, by: actor).token
    }

    /// Creates an API token: the secret (shown once) and its record (public id, expiry `lifetime` seconds from
    /// now by the workspace's clock, which its expiry is checked against).
    public static func issueToken(
        user: String, in workspace: Workspace, lifetime: TimeInterval = defaultTokenLifetime, source: String = Workspace.commandLine,
        by actor: Actor = .operatingSystemUser()
    ) throws -> (token: String, record: TokenRecord) {
        let token = newSecret(prefix: "inc_")
        let record = try workspace.addToken(
            hash: digest(token), user: user, expires: workspace.clock.now().addingTimeInterval(lifetime), source: source, by: actor)
        return (token, record)
    }

    /// A token lifetime as `tokens create --expires-in` takes it: a whole number and a unit, `h` (hours),
    /// `d` (days) or `w` (weeks), from 1h to 366d: `12h`, `30d`, `90d`, `52w`. Seconds, or nil when `text` is not one.
    public static func tokenLifetime(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0, String(count) == String(text.dropLast()) else { return nil }
        let seconds: Int
        switch unit {
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 7 * 86_400
        default: return nil
        }
        let (lifetime, overflow) = count.multipliedReportingOverflow(by: seconds)
        guard !overflow, TimeInterval(lifetime) <= maximumTokenLifetime else { return nil }
        return TimeInterval(lifetime)
    }
}

/// The rules a new password must pass (`users add`, `users passwd`, the users page).
public enum PasswordPolicy {
    public static let minimumCharacters = 12
    /// bcrypt reads no more than 72 bytes: a longer password is refused rather than silently cut short.
    public static let maximumBytes = 72

    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case tooShort(characters: Int)
        case onlyWhiteSpace
        case sameAsName
        case tooLong(bytes: Int)
        case containsNUL

        public var description: String {
            switch self {
            case .tooShort(let characters):
                "a password needs at least \(PasswordPolicy.minimumCharacters) characters (this one has \(characters))"
            case .onlyWhiteSpace: "a password cannot be white space only"
            case .sameAsName: "a password cannot be the user name"
            case .tooLong(let bytes):
                "a password can have at most \(PasswordPolicy.maximumBytes) bytes in UTF-8, as bcrypt ignores the rest (this one has \(bytes)); choose a shorter one"
            case .containsNUL: "a password cannot contain a NUL character"
            }
        }
    }

    /// What is wrong with `password` for the user `name`; nil when it is acceptable.
    public static func problem(password: String, name: String) -> Problem? {
        if password.utf8.contains(0) { return .containsNUL }
        if password.utf8.count > maximumBytes { return .tooLong(bytes: password.utf8.count) }
        if password.count < minimumCharacters { return .tooShort(characters: password.count) }
        if password.allSatisfy(\.isWhitespace) { return .onlyWhiteSpace }
        let trimmed = { (text: String) in text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        if trimmed(password) == trimmed(name) { return .sameAsName }
        return nil
    }
}

/// Finds the user of a request: a bearer token (API clients) or the session cookie (pages).
/// It does not refuse anything itself but a token that is not valid; routes say what needs which user.
/// Both are looked up in the workspace on every request, so a revoked or expired token, or a disabled
/// user, is refused from the next request on, before any route (or its cached answer) is reached.
struct Authenticator: RouterMiddleware {
    static let sessionCookie = "incentives_session"
    let workspace: Workspace

    /// `text` without the white space around it, as `trimmingCharacters(in: .whitespaces)` leaves it; an ASCII text
    /// (a token, always) without Foundation's character set, which every API request paid for.
    static func trimmed(_ text: Substring) -> String {
        let bytes = text.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return String(text).trimmingCharacters(in: .whitespaces) }
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(text[first...last])
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        // The health check and the OpenAPI document answer anyone, whatever credentials come with the request.
        if API.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer ") else {
                throw APIError(status: .unauthorized, code: "unauthorized", message: "the Authorization header must be: Bearer <token>")
            }
            let hash = Accounts.digest(Self.trimmed(authorization.dropFirst("Bearer ".count)))
            let workspace = self.workspace
            switch try await quick({ try workspace.tokenCheck(hash: hash) }) {
            case .valid(let user): context.user = user
            case .unknown, .revoked:
                throw APIError(status: .unauthorized, code: "unauthorized", message: "unknown or revoked token")
            case .expired(let at):
                throw APIError(
                    status: .unauthorized, code: "unauthorized",
                    message: "the token expired\(at.map { " at \($0)" } ?? ""); create a new one with: incentives tokens create")
            case .userInactive(let status):
                throw APIError(status: .unauthorized, code: "unauthorized", message: "the token's user is \(status.rawValue)")
            }
        } else if let cookie = request.cookie(Self.sessionCookie) {
            let hash = Accounts.digest(String(cookie))
            // A partner page looks the session up itself, in the read that writes the page and before
            // anything of the partner (or its kept page) is read.
            if request.method == .get, Pages.looksUpItsOwnSession(request.uri.path) {
                context.sessionHash = hash
                return try await next(request, context)
            }
            let workspace = self.workspace
            let session = try await quick({ try workspace.session(hash: hash) })
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

extension Channel {
    /// Who is at the other end, for throttling sign-ins: an IPv4 address as it is, an IPv6 address by its
    /// /64 network (what one household or host is given), a Unix socket as `unix`; nil when unknown.
    var clientAddress: String? {
        guard let address = remoteAddress else { return nil }
        switch address {
        case .v4: return address.ipAddress
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            // Loopback and IPv4 addresses seen through an IPv6 socket (::ffff:a.b.c.d) are kept whole.
            if bytes.prefix(8).allSatisfy({ $0 == 0 }) { return address.ipAddress }
            return stride(from: 0, to: 8, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
        case .unixDomainSocket: return "unix"
        }
    }
}
