import Foundation
import GRDB

/// Who may use the server: an admin sees and changes everything; a partner user is bound to one
/// partner id and sees only that partner's data.
public struct User: Sendable, Hashable {
    public enum Role: String, Sendable, CaseIterable { case admin, partner }
    public var name: String
    public var role: Role
    /// Set exactly when `role` is `.partner`.
    public var partnerID: String?
    /// A slow password hash (bcrypt), never the password.
    public var passwordHash: String

    public init(name: String, role: Role, partnerID: String?, passwordHash: String) {
        self.name = name
        self.role = role
        self.partnerID = partnerID
        self.passwordHash = passwordHash
    }

    /// Whether this user may see `partner`'s data.
    public func mayView(partner: String) -> Bool { role == .admin || partnerID == partner }

    init(row: Row) throws {
        let roleText: String = row["role"]
        guard let role = Role(rawValue: roleText) else { throw WorkspaceError("unknown role \(roleText)") }
        self.init(name: row["name"], role: role, partnerID: row["partner_id"], passwordHash: row["password_hash"])
    }
}

/// A login session of the web pages: found by the hash of its cookie value.
public struct Session: Sendable {
    public var user: User
    /// The value every form post of this session must carry.
    public var csrfToken: String
}

extension Workspace {
    /// Adds a user; the partner must exist for a partner user. Names are unique.
    public func addUser(_ user: User) throws {
        guard (user.role == .partner) == (user.partnerID != nil) else {
            throw WorkspaceError(user.role == .partner ? "a partner user needs --partner ID" : "an admin is not bound to a partner (drop --partner)")
        }
        try writeTransaction(changesData: false) { db in
            if try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)", arguments: [user.name]) == true {
                throw WorkspaceError("a user named \(user.name) already exists")
            }
            if let partner = user.partnerID,
                try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)", arguments: [partner]) != true
            {
                throw WorkspaceError("no partner \(partner) in the workspace")
            }
            try db.execute(
                sql: "INSERT INTO users(name, role, partner_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.name, user.role.rawValue, user.partnerID, user.passwordHash, Clock.timestamp()])
        }
    }

    public func user(named name: String) throws -> User? {
        try pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(User.init(row:)) }
    }

    public func users() throws -> [User] {
        try pool.read { db in try Row.fetchAll(cached: db, sql: "SELECT * FROM users ORDER BY name").map(User.init(row:)) }
    }

    /// Stores the hash of a new API token for `user`.
    public func addToken(hash: String, user: String) throws {
        try writeTransaction(changesData: false) { db in
            guard try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)", arguments: [user]) == true else {
                throw WorkspaceError("no user named \(user) (add one with: incentives users add)")
            }
            try db.execute(
                sql: "INSERT INTO tokens(token_hash, user_name, created_at) VALUES (?, ?, ?)", arguments: [hash, user, Clock.timestamp()])
        }
    }

    /// The user holding the token with this hash.
    public func user(tokenHash: String) throws -> User? {
        try pool.read { db in
            try Row.fetchOne(
                cached: db, sql: "SELECT u.* FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = ?", arguments: [tokenHash]
            )
            .map(User.init(row:))
        }
    }

    public func addSession(hash: String, user: String, csrfToken: String, expires: Date) throws {
        try writeTransaction(changesData: false) { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [Clock.timestamp()])
            try db.execute(
                sql: "INSERT INTO sessions(session_hash, user_name, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, user, csrfToken, Clock.timestamp(expires)])
        }
    }

    /// The live session with this hash.
    public func session(hash: String) throws -> Session? {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    cached: db,
                    sql:
                        "SELECT u.*, s.csrf_token FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.session_hash = ? AND s.expires_at > ?",
                    arguments: [hash, Clock.timestamp()])
            else { return nil }
            return Session(user: try User(row: row), csrfToken: row["csrf_token"])
        }
    }

    public func deleteSession(hash: String) throws {
        try writeTransaction(changesData: false) { db in try db.execute(sql: "DELETE FROM sessions WHERE session_hash = ?", arguments: [hash]) }
    }

    /// A single-use sign-in link (printed by `serve --demo`), valid until `expires`.
    public func addLoginLink(hash: String, user: String, expires: Date) throws {
        try writeTransaction(changesData: false) { db in
            try db.execute(
                sql: "INSERT INTO login_links(link_hash, user_name, expires_at) VALUES (?, ?, ?)", arguments: [hash, user, Clock.timestamp(expires)])
        }
    }

    /// Uses up the link: its user when it exists and has not expired; it never works twice.
    public func useLoginLink(hash: String) throws -> User? {
        try writeTransaction(changesData: false) { db in
            guard
                let row = try Row.fetchOne(
                    cached: db,
                    sql: "SELECT u.* FROM login_links l JOIN users u ON u.name = l.user_name WHERE l.link_hash = ? AND l.expires_at > ?",
                    arguments: [hash, Clock.timestamp()])
            else { return nil }
            try db.execute(sql: "DELETE FROM login_links WHERE link_hash = ?", arguments: [hash])
            return try User(row: row)
        }
    }
}
