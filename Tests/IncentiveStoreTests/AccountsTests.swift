import Foundation
import GRDB
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// Accounts that can be taken back (issue 11): users disabled or deleted by a mark, tokens that expire
/// and are revoked by a mark, names unique without regard to case, and a log of every change.
@Suite struct AccountsTests {
    /// A workspace with the example partners and an admin `ada` (the hashes are stand-ins: no bcrypt here).
    static func workspace(_ sandbox: Sandbox) throws -> Workspace {
        let workspace = try sandbox.exampleWorkspace()
        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "hash-ada"))
        return workspace
    }

    static func later(_ seconds: TimeInterval) -> Date { Date().addingTimeInterval(seconds) }

    @Test func namesAreTrimmedAndUniqueWithoutRegardToCase() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        let added = try workspace.addUser(User(name: "  grace \n", role: .partner, partnerID: "NL1001", passwordHash: "h"))
        #expect(added.name == "grace")
        #expect(try workspace.user(named: "grace")?.partnerID == "NL1001")

        func refusal(_ name: String) -> String? {
            do {
                try workspace.addUser(User(name: name, role: .admin, partnerID: nil, passwordHash: "h"))
                return nil
            } catch let error as WorkspaceError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal("ADA") == "the name ADA is taken: a user named ada exists, and names are compared without regard to case")
        #expect(refusal(" Grace ") == "the name Grace is taken: a user named grace exists, and names are compared without regard to case")
        #expect(refusal("ada") == "a user named ada already exists (names stay taken after a user is deleted)")
        #expect(refusal("") == "a user name cannot be empty")
        #expect(refusal(" \t ") == "a user name cannot be empty")
        #expect(refusal("bad\u{7}name") == "a user name cannot contain control characters")
        #expect(refusal(String(repeating: "x", count: 65)) == "a user name has at most 64 characters (this one has 65)")
        #expect(refusal(String(repeating: "x", count: 64)) == nil)
        #expect(try workspace.users().map(\.name) == ["ada", "grace", String(repeating: "x", count: 64)])
        // Sign-in and commands find a name typed in another case, when only one user has it.
        #expect(try workspace.user(signingInAs: "GRACE")?.name == "grace")
        #expect(try workspace.user(signingInAs: "nobody") == nil)
    }

    @Test func aRevokedTokenIsMarkedAndKept() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        let hash = String(repeating: "ab", count: 32)
        let created = try workspace.addToken(hash: hash, user: "ada", expires: Self.later(3600))
        #expect(created.id == "abababababab")
        #expect(created.status == .active)
        #expect(try workspace.tokenCheck(hash: hash) == .valid(try #require(try workspace.user(named: "ada"))))

        let (revoked, changed) = try workspace.revokeToken(id: "ABABABABABAB")
        #expect(changed)
        #expect(revoked.status == .revoked)
        #expect(revoked.revokedAt != nil)
        #expect(try workspace.tokenCheck(hash: hash) == .revoked)
        #expect(try workspace.user(tokenHash: hash) == nil)
        // The row stays, marked.
        #expect(try workspace.tokens() == [revoked])
        let again = try workspace.revokeToken(id: "abababababab")
        #expect(!again.changed)
        #expect(again.token.revokedAt == revoked.revokedAt)

        #expect(throws: WorkspaceError.self) { try workspace.revokeToken(id: "cdcdcdcdcdcd") }
        #expect(throws: WorkspaceError.self) { try workspace.revokeToken(id: "inc_abababab") }
        #expect(try workspace.tokenCheck(hash: "unknown") == .unknown)
    }

    @Test func anExpiredTokenIsRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        let record = try workspace.addToken(hash: "expired-token-hash", user: "ada", expires: Self.later(-1))
        #expect(record.status == .expired)
        #expect(try workspace.tokenCheck(hash: "expired-token-hash") == .expired(at: record.expiresAt))
        #expect(try workspace.user(tokenHash: "expired-token-hash") == nil)
    }

    /// Disabling ends the sessions and refuses the tokens; enabling lets the tokens work again, but an
    /// ended session stays ended.
    @Test func disablingEndsSessionsAndHoldsTokens() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        _ = try workspace.addToken(hash: "token-of-ada", user: "ada", expires: Self.later(3600))
        try workspace.addSession(hash: "session-of-ada", user: "ada", csrfToken: "c", expires: Self.later(3600))
        try workspace.addLoginLink(hash: "link-of-ada", user: "ada", expires: Self.later(3600))
        #expect(try workspace.session(hash: "session-of-ada")?.user.name == "ada")

        let (disabled, changed) = try workspace.disableUser("Ada")
        #expect(changed)
        #expect(disabled.status == .disabled)
        #expect(try workspace.tokenCheck(hash: "token-of-ada") == .userInactive(.disabled))
        #expect(try workspace.session(hash: "session-of-ada") == nil)
        #expect(try workspace.useLoginLink(hash: "link-of-ada") == nil)
        #expect(throws: WorkspaceError.self) { try workspace.addToken(hash: "another", user: "ada", expires: Self.later(3600)) }
        #expect(try !workspace.disableUser("ada").changed)

        let (enabled, enabledChanged) = try workspace.enableUser("ada")
        #expect(enabledChanged && enabled.status == .active)
        if case .valid(let user) = try workspace.tokenCheck(hash: "token-of-ada") {
            #expect(user.name == "ada")
        } else {
            Issue.record("token refused")
        }
        #expect(try workspace.session(hash: "session-of-ada") == nil)
    }

    /// A deleted user stays, marked: its tokens are revoked, its name stays taken and nothing brings it back.
    @Test func aDeletedUserStaysAndKeepsItsName() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        let revision = try workspace.revision()
        try workspace.addUser(User(name: "nl1", role: .partner, partnerID: "NL1001", passwordHash: "h"))
        _ = try workspace.addToken(hash: "t1", user: "nl1", expires: Self.later(3600))
        _ = try workspace.addToken(hash: "t2", user: "nl1", expires: Self.later(3600))
        try workspace.addSession(hash: "s1", user: "nl1", csrfToken: "c", expires: Self.later(3600))

        let (deleted, changed) = try workspace.deleteUser("nl1")
        #expect(changed && deleted.status == .deleted)
        #expect(try workspace.tokens(user: "nl1").map(\.status) == [.revoked, .revoked])
        #expect(try workspace.tokenCheck(hash: "t1") == .revoked)
        #expect(try workspace.session(hash: "s1") == nil)
        #expect(try workspace.users().map { "\($0.name) \($0.status)" } == ["ada active", "nl1 deleted"])
        #expect(throws: WorkspaceError.self) { try workspace.addUser(User(name: "NL1", role: .admin, partnerID: nil, passwordHash: "h")) }
        #expect(throws: WorkspaceError.self) { try workspace.enableUser("nl1") }
        #expect(throws: WorkspaceError.self) { try workspace.setPassword(user: "nl1", hash: "new") }
        #expect(try !workspace.deleteUser("nl1").changed)
        // Account changes are not data changes: results computed from the workspace stay valid.
        #expect(try workspace.revision() == revision)
    }

    @Test func aNewPasswordEndsSessionsAndKeepsTokens() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        _ = try workspace.addToken(hash: "token", user: "ada", expires: Self.later(3600))
        try workspace.addSession(hash: "session", user: "ada", csrfToken: "c", expires: Self.later(3600))
        let user = try workspace.setPassword(user: "ada", hash: "new-hash", source: "page:root")
        #expect(user.passwordHash == "new-hash")
        #expect(try workspace.user(named: "ada")?.passwordHash == "new-hash")
        #expect(try workspace.session(hash: "session") == nil)
        #expect(try workspace.user(tokenHash: "token")?.name == "ada")
    }

    @Test func everyAccountChangeIsLogged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.workspace(sandbox)
        let token = try workspace.addToken(hash: "1234567890abcdef", user: "ada", expires: Self.later(3600))
        _ = try workspace.revokeToken(id: token.id, source: "page:root")
        _ = try workspace.disableUser("ada")
        _ = try workspace.enableUser("ada")
        try workspace.setPassword(user: "ada", hash: "h2")
        _ = try workspace.deleteUser("ada")
        let events = try workspace.accountEvents(user: "ada")
        #expect(events.map(\.event) == ["added", "token_created", "token_revoked", "disabled", "enabled", "password_set", "deleted"])
        #expect(events[1].detail == "1234567890ab")
        #expect(events[2].source == "page:root")
        #expect(events[3].source == Workspace.commandLine)
    }

    /// A workspace made before accounts could be revoked: its token gets an expiry 90 days after the upgrade,
    /// in the format every other timestamp has, and keeps working.
    @Test func upgradingGivesOldTokensAnExpiry() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("old.sqlite")
        do {
            let pool = try DatabasePool(path: path, configuration: Workspace.configuration())
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(Workspace.applicationID)") }
            try Schema.migrator.migrate(pool, upTo: "v2-accounts")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO users VALUES ('ada', 'admin', NULL, 'h', '2024-01-01T00:00:00.000Z')")
                try db.execute(sql: "INSERT INTO tokens VALUES ('old-token', 'ada', '2024-01-01T00:00:00.000Z')")
            }
            try pool.close()
        }
        let before = Timestamp.text(Self.later(90 * 86_400 - 60)), after = Timestamp.text(Self.later(90 * 86_400 + 60))
        let workspace = try Workspace.open(at: path)
        let token = try #require(try workspace.tokens().first)
        let expires = try #require(token.expiresAt)
        #expect(expires.count == before.count && expires.hasSuffix("Z"))
        #expect(before < expires && expires < after)
        #expect(token.status == .active)
        #expect(try workspace.user(tokenHash: "old-token")?.name == "ada")
        #expect(try workspace.user(named: "ada")?.status == .active)
    }
}
