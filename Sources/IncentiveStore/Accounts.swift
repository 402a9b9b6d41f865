import Foundation
import GRDB

/// Who may use the server: an admin sees and changes everything; a partner user is bound to one
/// partner id and sees only that partner's data.
///
/// A user is never removed: disabling and deleting are marks (`disabledAt`, `deletedAt`), so the name
/// stays reserved and the account history stays readable.
public struct User: Sendable, Hashable {
    public enum Role: String, Sendable, CaseIterable { case admin, partner }

    /// Whether the user may sign in: a disabled user can be enabled again, a deleted one cannot.
    public enum Status: String, Sendable { case active, disabled, deleted }

    /// The longest user name, in characters.
    public static let maximumNameLength = 64

    public var name: String
    public var role: Role
    /// Set exactly when `role` is `.partner`.
    public var partnerID: String?
    /// A slow password hash (bcrypt), never the password.
    public var passwordHash: String
    /// When the user was added (UTC ISO 8601); empty for a user not yet stored.
    public var createdAt: String
    public var disabledAt: String?
    public var deletedAt: String?

    public init(name: String, role: Role, partnerID: String?, passwordHash: String) {
        self.name = name
        self.role = role
        self.partnerID = partnerID
        self.passwordHash = passwordHash
        createdAt = ""
        disabledAt = nil
        deletedAt = nil
    }

    public var status: Status { deletedAt != nil ? .deleted : disabledAt != nil ? .disabled : .active }

    /// Whether this user may see `partner`'s data.
    public func mayView(partner: String) -> Bool { role == .admin || partnerID == partner }

    init(row: Row) throws {
        let roleText: String = row["role"]
        guard let role = Role(rawValue: roleText) else {
            throw WorkspaceError(.damaged, "the workspace holds a user with an unknown role \(roleText)")
        }
        self.init(name: row["name"], role: role, partnerID: row["partner_id"], passwordHash: row["password_hash"])
        createdAt = row["created_at"]
        disabledAt = row["disabled_at"]
        deletedAt = row["deleted_at"]
    }

    /// What is wrong with a user name (already trimmed of surrounding white space); nil when it is acceptable.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a user name cannot be empty" }
        if name.count > maximumNameLength { return "a user name has at most \(maximumNameLength) characters (this one has \(name.count))" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "a user name cannot contain control characters"
        }
        return nil
    }

    /// The form names are compared in: two names that differ only in case are the same name.
    static func comparable(_ name: String) -> String { name.lowercased() }
}

/// A login session of the web pages: found by the hash of its cookie value.
public struct Session: Sendable {
    public var user: User
    /// The value every form post of this session must carry.
    public var csrfToken: String
}

/// An API token as the workspace knows it: never the secret, only its public id and dates.
public struct TokenRecord: Sendable, Hashable {
    public enum Status: String, Sendable { case active, expired, revoked }

    /// How many hex digits of the token's SHA-256 make its public id.
    public static let idLength = 12

    /// The first `idLength` hex digits of the token's SHA-256: shown by `tokens list`, used by `tokens revoke`.
    public var id: String
    public var user: String
    public var createdAt: String
    /// nil only for a token stored before tokens expired and not yet upgraded: such a token is refused.
    public var expiresAt: String?
    public var revokedAt: String?
    /// As of the moment the record was read.
    public var status: Status

    init(row: Row, now: String) {
        let hash: String = row["token_hash"]
        id = String(hash.prefix(Self.idLength))
        user = row["user_name"]
        createdAt = row["created_at"]
        expiresAt = row["expires_at"]
        revokedAt = row["revoked_at"]
        status = revokedAt != nil ? .revoked : (expiresAt.map { $0 > now } ?? false) ? .active : .expired
    }

    /// Whether `text` has the shape of a token id (hex digits, `idLength` of them).
    public static func isID(_ text: String) -> Bool {
        text.utf8.count == idLength && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// What a bearer token is worth, as the authenticator needs to know it.
public enum TokenCheck: Sendable, Equatable {
    case valid(User)
    case unknown
    case revoked
    case expired(at: String?)
    /// The token is fine but its user is disabled or deleted.
    case userInactive(User.Status)
}

/// One entry of the account log: who was added, disabled, enabled, deleted, given a password or a token.
public struct AccountEvent: Sendable, Hashable {
    public var at: String
    public var user: String
    /// `added`, `disabled`, `enabled`, `deleted`, `password_set`, `token_created`, `token_revoked`.
    public var event: String
    /// The token id for token events.
    public var detail: String?
    /// `command line`, or `page:<admin>` for a change made on the admin pages.
    public var source: String
}

extension Workspace {
    /// What account changes made from the command line are logged as.
    public static let commandLine = "command line"

    /// Adds a user; the partner must exist for a partner user. The name is trimmed of surrounding white
    /// space and must differ, ignoring case, from every other user's, deleted users included.
    @discardableResult
    public func addUser(_ user: User, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()) throws -> User {
        var user = user
        user.name = user.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = User.nameProblem(user.name) { throw WorkspaceError(.rejected, problem) }
        guard (user.role == .partner) == (user.partnerID != nil) else {
            throw WorkspaceError(
                .rejected, user.role == .partner ? "a partner user needs a partner" : "an admin is not bound to a partner",
                detail: .partnerBinding(role: user.role))
        }
        return try writeTransaction(changesData: false) { db in
            if let taken = try String.fetchAll(cached: db, sql: "SELECT name FROM users").first(where: {
                User.comparable($0) == User.comparable(user.name)
            }) {
                throw WorkspaceError(
                    .conflict,
                    taken == user.name
                        ? "a user named \(user.name) already exists (names stay taken after a user is deleted)"
                        : "the name \(user.name) is taken: a user named \(taken) exists, and names are compared without regard to case")
            }
            if let partner = user.partnerID,
                try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)", arguments: [partner]) != true
            {
                throw WorkspaceError(.rejected, "no partner \(partner) in the workspace")
            }
            user.createdAt = now()
            try db.execute(
                sql: "INSERT INTO users(name, role, partner_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.name, user.role.rawValue, user.partnerID, user.passwordHash, user.createdAt])
            try Self.log(db, user: user.name, event: "added", detail: nil, source: source, at: user.createdAt)
            let partner = user.partnerID.map { ", partner \($0)" } ?? ""
            try audit(db, actor, .userAdd, subject: user.name, detail: "role \(user.role.rawValue)\(partner)")
            return user
        }
    }

    /// The user with exactly this name, in any status.
    public func user(named name: String) throws -> User? {
        try pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(User.init(row:)) }
    }

    /// The user a sign-in or a command means by `name`: the one with exactly that name, else the only one
    /// whose name differs from it in case alone; in any status.
    public func user(signingInAs name: String) throws -> User? {
        try pool.read { db in try Self.resolve(db, name) }
    }

    /// Every user, deleted ones too, by name.
    public func users() throws -> [User] {
        try statementRead { db in try Row.fetchAll(cached: db, sql: "SELECT * FROM users ORDER BY name").map(User.init(row:)) }
    }

    /// Replaces the user's password hash; every session of the user ends (tokens stay valid).
    @discardableResult
    public func setPassword(
        user name: String, hash: String, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> User {
        try writeTransaction(changesData: false) { db in
            var user = try Self.existing(db, name)
            guard user.status != .deleted else { throw WorkspaceError(.conflict, "\(user.name) is deleted; a deleted user gets no new password") }
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE name = ?", arguments: [hash, user.name])
            try Self.endSessions(db, user.name)
            try Self.log(db, user: user.name, event: "password_set", detail: nil, source: source, at: now())
            try audit(db, actor, .passwordSet, subject: user.name)
            user.passwordHash = hash
            return user
        }
    }

    /// Marks the user disabled: its sessions end and its tokens are refused until it is enabled again.
    /// `changed` is false when the user already was disabled.
    public func disableUser(
        _ name: String, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> (user: User, changed: Bool) {
        try writeTransaction(changesData: false) { db in
            var user = try Self.existing(db, name)
            guard user.status == .active else { return (user, false) }
            let now = self.now()
            try db.execute(sql: "UPDATE users SET disabled_at = ? WHERE name = ?", arguments: [now, user.name])
            try Self.endSessions(db, user.name)
            try Self.log(db, user: user.name, event: "disabled", detail: nil, source: source, at: now)
            try audit(db, actor, .userDisable, subject: user.name)
            user.disabledAt = now
            return (user, true)
        }
    }

    /// Lets a disabled user sign in again; its tokens that have neither expired nor been revoked work again.
    public func enableUser(
        _ name: String, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> (user: User, changed: Bool) {
        try writeTransaction(changesData: false) { db in
            var user = try Self.existing(db, name)
            switch user.status {
            case .active: return (user, false)
            case .deleted:
                throw WorkspaceError(.conflict, "\(user.name) is deleted; a deleted user cannot be enabled again (add a user under a new name)")
            case .disabled:
                try db.execute(sql: "UPDATE users SET disabled_at = NULL WHERE name = ?", arguments: [user.name])
                try Self.log(db, user: user.name, event: "enabled", detail: nil, source: source, at: now())
                try audit(db, actor, .userEnable, subject: user.name)
                user.disabledAt = nil
                return (user, true)
            }
        }
    }

    /// Marks the user deleted, for good: its sessions and sign-in links end, its tokens are revoked; the row
    /// stays, so the name stays taken and the account log keeps its meaning.
    public func deleteUser(
        _ name: String, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> (user: User, changed: Bool) {
        try writeTransaction(changesData: false) { db in
            var user = try Self.existing(db, name)
            guard user.status != .deleted else { return (user, false) }
            let now = self.now()
            try db.execute(sql: "UPDATE users SET deleted_at = ? WHERE name = ?", arguments: [now, user.name])
            let live = try String.fetchAll(
                cached: db, sql: "SELECT token_hash FROM tokens WHERE user_name = ? AND revoked_at IS NULL", arguments: [user.name])
            for hash in live {
                try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE token_hash = ?", arguments: [now, hash])
                try Self.log(db, user: user.name, event: "token_revoked", detail: String(hash.prefix(TokenRecord.idLength)), source: source, at: now)
            }
            try Self.endSessions(db, user.name)
            try Self.log(db, user: user.name, event: "deleted", detail: nil, source: source, at: now)
            let revoked = live.map { String($0.prefix(TokenRecord.idLength)) }
            let detail = revoked.isEmpty ? nil : "tokens revoked: \(revoked.joined(separator: ", "))"
            try audit(db, actor, .userDelete, subject: user.name, detail: detail)
            user.deletedAt = now
            return (user, true)
        }
    }

    /// Stores the hash of a new API token for `user`, valid until `expires`.
    public func addToken(
        hash: String, user name: String, expires: Date, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> TokenRecord {
        try writeTransaction(changesData: false) { db in
            guard let user = try Self.resolve(db, name) else {
                throw WorkspaceError(.notFound, "no user named \(name)", detail: .noUserForToken(name: name))
            }
            guard user.status == .active else {
                throw WorkspaceError(.conflict, "\(user.name) is \(user.status.rawValue); a token for it would not work")
            }
            let now = self.now()
            try db.execute(
                sql: "INSERT INTO tokens(token_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, user.name, now, Timestamp.text(expires)])
            try Self.log(db, user: user.name, event: "token_created", detail: String(hash.prefix(TokenRecord.idLength)), source: source, at: now)
            let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM tokens WHERE token_hash = ?", arguments: [hash])!
            let record = TokenRecord(row: row, now: now)
            try audit(db, actor, .tokenCreate, subject: user.name, detail: "token \(record.id), expires \(record.expiresAt ?? "never")")
            return record
        }
    }

    /// The tokens of `user` (all users' when nil), oldest first, revoked and expired ones too.
    public func tokens(user name: String? = nil) throws -> [TokenRecord] {
        try pool.read { db in
            let now = self.now()
            var userName: String?
            if let name {
                guard let user = try Self.resolve(db, name) else { throw WorkspaceError(.notFound, "no user named \(name)") }
                userName = user.name
            }
            return try Row.fetchAll(
                cached: db, sql: "SELECT * FROM tokens WHERE ?1 IS NULL OR user_name = ?1 ORDER BY created_at, token_hash", arguments: [userName]
            ).map { TokenRecord(row: $0, now: now) }
        }
    }

    /// Marks the token with this public id revoked: it is refused from the next request on.
    /// `changed` is false when it already was revoked.
    public func revokeToken(
        id: String, source: String = Workspace.commandLine, by actor: Actor = .operatingSystemUser()
    ) throws -> (token: TokenRecord, changed: Bool) {
        let id = id.lowercased()
        guard TokenRecord.isID(id) else {
            throw WorkspaceError(.rejected, "\(id) is not a token id: an id is the \(TokenRecord.idLength) hex digits that tokens list shows")
        }
        return try writeTransaction(changesData: false) { db in
            let rows = try Row.fetchAll(
                cached: db, sql: "SELECT * FROM tokens WHERE substr(token_hash, 1, ?) = ?", arguments: [TokenRecord.idLength, id])
            guard rows.count == 1, let row = rows.first else {
                throw rows.isEmpty
                    ? WorkspaceError(.notFound, "no token with id \(id)", detail: .noToken(id: id))
                    : WorkspaceError(.conflict, "\(rows.count) tokens have the id \(id)")
            }
            let now = self.now()
            let token = TokenRecord(row: row, now: now)
            guard token.revokedAt == nil else { return (token, false) }
            let hash: String = row["token_hash"]
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE token_hash = ?", arguments: [now, hash])
            try Self.log(db, user: token.user, event: "token_revoked", detail: id, source: source, at: now)
            try audit(db, actor, .tokenRevoke, subject: token.user, detail: "token \(id)")
            let revoked = try Row.fetchOne(cached: db, sql: "SELECT * FROM tokens WHERE token_hash = ?", arguments: [hash])!
            return (TokenRecord(row: revoked, now: now), true)
        }
    }

    /// What the token with this hash is worth right now.
    public func tokenCheck(hash: String) throws -> TokenCheck {
        // One statement: `statementRead`.
        try statementRead { db in
            guard
                let row = try Row.fetchOne(
                    cached: db,
                    sql:
                        "SELECT u.*, t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = ?",
                    arguments: [hash])
            else { return .unknown }
            let user = try User(row: row)
            let expires: String? = row["token_expires_at"], revoked: String? = row["token_revoked_at"]
            if revoked != nil { return .revoked }
            guard let expires, expires > now() else { return .expired(at: expires) }
            guard user.status == .active else { return .userInactive(user.status) }
            return .valid(user)
        }
    }

    /// The active user holding the valid token with this hash.
    public func user(tokenHash: String) throws -> User? {
        if case .valid(let user) = try tokenCheck(hash: tokenHash) { return user }
        return nil
    }

    /// The account log of `user` (everyone's when nil), oldest first.
    public func accountEvents(user name: String? = nil) throws -> [AccountEvent] {
        try pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM account_events WHERE ?1 IS NULL OR user_name = ?1 ORDER BY id", arguments: [name]).map {
                AccountEvent(at: $0["at"], user: $0["user_name"], event: $0["event"], detail: $0["detail"], source: $0["source"])
            }
        }
    }

    /// Starts a page session: a sign-in, recorded in the audit log as `sign_in` of `user` by `actor`.
    public func addSession(hash: String, user: String, csrfToken: String, expires: Date, by actor: Actor = .operatingSystemUser()) throws {
        try writeTransaction(changesData: false) { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [now()])
            try db.execute(
                sql: "INSERT INTO sessions(session_hash, user_name, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, user, csrfToken, Timestamp.text(expires)])
            try audit(db, actor, .signIn, subject: user, detail: "session until \(Timestamp.text(expires))")
        }
    }

    /// The live session with this hash, of a user who is neither disabled nor deleted.
    public func session(hash: String) throws -> Session? {
        try statementRead { db in try session(db, hash: hash) }
    }

    func session(_ db: Database, hash: String) throws -> Session? {
        // Read by position (every request of a page asks this): GRDB's named columns of `u.*` cost half as much again.
        var session: Session?
        try db.forEachRow(
            cached: """
                SELECT u.name, u.role, u.partner_id, u.password_hash, u.created_at, s.csrf_token
                FROM sessions s JOIN users u ON u.name = s.user_name
                WHERE s.session_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL AND u.deleted_at IS NULL
                """, arguments: [hash, now()]
        ) { row in
            let roleText = row.text(1)
            guard let role = User.Role(rawValue: roleText) else {
                throw WorkspaceError(.damaged, "the workspace holds a user with an unknown role \(roleText)")
            }
            var user = User(name: row.text(0), role: role, partnerID: row.optionalText(2), passwordHash: row.text(3))
            user.createdAt = row.text(4)
            session = Session(user: user, csrfToken: row.text(5))
        }
        return session
    }

    public func deleteSession(hash: String) throws {
        try writeTransaction(changesData: false) { db in try db.execute(sql: "DELETE FROM sessions WHERE session_hash = ?", arguments: [hash]) }
    }

    /// A single-use sign-in link (printed by `serve --demo`), valid until `expires`.
    public func addLoginLink(hash: String, user: String, expires: Date, by actor: Actor = .operatingSystemUser()) throws {
        try writeTransaction(changesData: false) { db in
            try db.execute(
                sql: "INSERT INTO login_links(link_hash, user_name, expires_at) VALUES (?, ?, ?)", arguments: [hash, user, Timestamp.text(expires)])
            try audit(db, actor, .loginLinkCreate, subject: user, detail: "valid until \(Timestamp.text(expires))")
        }
    }

    /// Uses up the link: its user when it exists, has not expired and its user is active; it never works twice.
    public func useLoginLink(hash: String) throws -> User? {
        try writeTransaction(changesData: false) { db in
            guard
                let row = try Row.fetchOne(
                    cached: db,
                    sql: "SELECT u.* FROM login_links l JOIN users u ON u.name = l.user_name WHERE l.link_hash = ? AND l.expires_at > ?",
                    arguments: [hash, now()])
            else { return nil }
            try db.execute(sql: "DELETE FROM login_links WHERE link_hash = ?", arguments: [hash])
            let user = try User(row: row)
            return user.status == .active ? user : nil
        }
    }

    // MARK: Inside a transaction

    static func resolve(_ db: Database, _ name: String) throws -> User? {
        if let exact = try Row.fetchOne(cached: db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]) { return try User(row: exact) }
        let matches = try String.fetchAll(cached: db, sql: "SELECT name FROM users").filter { User.comparable($0) == User.comparable(name) }
        guard matches.count == 1 else { return nil }
        return try Row.fetchOne(cached: db, sql: "SELECT * FROM users WHERE name = ?", arguments: [matches[0]]).map(User.init(row:))
    }

    static func existing(_ db: Database, _ name: String) throws -> User {
        guard let user = try resolve(db, name) else { throw WorkspaceError(.notFound, "no user named \(name)", detail: .noUser(name: name)) }
        return user
    }

    /// Sessions are credentials, not data: ending one removes it, as signing out does.
    static func endSessions(_ db: Database, _ name: String) throws {
        try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM login_links WHERE user_name = ?", arguments: [name])
    }

    static func log(_ db: Database, user: String, event: String, detail: String?, source: String, at: String) throws {
        try db.execute(
            sql: "INSERT INTO account_events(at, user_name, event, detail, source) VALUES (?, ?, ?, ?, ?)",
            arguments: [at, user, event, detail, source])
    }
}
