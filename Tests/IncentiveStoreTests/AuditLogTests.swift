import Crypto
import Foundation
import GRDB
import IncentiveEngine
import Synchronization
import Testing

@testable import IncentiveStore

/// A clock the tests set by hand, so that every entry has a known time.
final class SettableClock: Sendable {
    private let instant: Mutex<Date>
    init(_ iso: String) { instant = Mutex(Self.date(iso)) }
    var clock: WallClock { WallClock { [self] in instant.withLock { $0 } } }
    func set(_ iso: String) { instant.withLock { $0 = Self.date(iso) } }

    /// `2026-11-30T09:00:00Z` or `2026-11-30T09:00:00.250Z`.
    static func date(_ iso: String) -> Date {
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? fractional.parse(iso)) ?? (try! Date(iso, strategy: .iso8601))
    }
}

/// The audit log (issue 16 point 3): one entry per operation that changed something, with its actor, in the
/// transaction of the change; nothing for a refused or rolled-back change; an append-only table.
@Suite struct AuditLogTests {
    /// The user this test runs as, found without the code under test: `id -un`.
    static let osUser: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["id", "-un"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    static func entries(_ workspace: Workspace, _ filter: AuditFilter = AuditFilter()) throws -> [AuditEntry] {
        try workspace.auditLog(filter, offset: 0, limit: 1000).items
    }

    /// Runs `body`, which must write exactly one entry, and returns that entry.
    static func oneEntry(_ workspace: Workspace, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> AuditEntry {
        let before = try entries(workspace)
        try body()
        let after = try entries(workspace)
        #expect(after.count == before.count + 1, "expected exactly one new entry", sourceLocation: sourceLocation)
        #expect(Array(after.dropFirst()) == before, "the older entries stay as they were", sourceLocation: sourceLocation)
        return try #require(after.first, sourceLocation: sourceLocation)
    }

    @Test func everyOperationOfTheCommandLineWritesOneEntryByTheOperatingSystemUser() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-11-30T09:00:00Z")
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"), clock: time.clock)
        #expect(try Self.entries(workspace).isEmpty)
        let me = Actor(kind: .operatingSystemUser, name: Self.osUser)
        #expect(Actor.operatingSystemUser() == me)

        let vip = Sandbox.examplePrograms + "/vip25-6m.yaml"
        let added = try Self.oneEntry(workspace) { _ = try workspace.addProgram(file: vip) }
        #expect(added.id == 1 && added.at == "2026-11-30T09:00:00.000Z" && added.actor == me && added.action == "program_add")
        #expect(added.subject == "VIP25-6M v1")
        #expect(added.detail == "sha256 \(try Self.sha256(vip)), file vip25-6m.yaml")
        for name in ["provider-mdf-fy23h2.yaml", "vip25-3m.yaml"] {
            _ = try Self.oneEntry(workspace) { _ = try workspace.addProgram(file: Sandbox.examplePrograms + "/" + name) }
        }

        time.set("2026-11-30T09:05:00Z")
        let imported = try Self.oneEntry(workspace) { _ = try workspace.importFolder(Sandbox.exampleData) }
        #expect(imported.actor == me && imported.action == "import" && imported.at == "2026-11-30T09:05:00.000Z")
        // Eight files, in the order of an import (no tiers.csv in the example): imports 1 to 8.
        #expect(imported.subject == "imports 1-8")
        let files = DataKind.importOrder.filter { FileManager.default.fileExists(atPath: Sandbox.exampleData + "/" + $0.fileName) }
        #expect(files.count == 8)
        let expected = try files.map { kind in
            let path = Sandbox.exampleData + "/" + kind.fileName
            let rows = try #require(exampleCounts[kind])
            return "\(kind.rawValue) \(path): \(rows) rows (\(rows) added, 0 changed, 0 unchanged), sha256 \(try Self.sha256(path))"
        }
        #expect(imported.detail == expected.joined(separator: "; "))
        #expect(imported.detail?.contains("bookings \(Sandbox.exampleData)/bookings.csv: 66 rows (66 added, 0 changed, 0 unchanged)") == true)

        // Again: nothing changes, but the import is recorded (imports 9-16), so it has its entry.
        let again = try Self.oneEntry(workspace) { _ = try workspace.importFile(.fx, path: Sandbox.exampleData + "/fx.csv") }
        #expect(again.subject == "import 9")
        #expect(
            again.detail
                == "fx \(Sandbox.exampleData)/fx.csv: 3 rows (0 added, 0 changed, 3 unchanged), sha256 \(try Self.sha256(Sandbox.exampleData + "/fx.csv"))"
        )

        let march = try #require(Day(iso: "2015-03-01")), april = try #require(Day(iso: "2015-04-01"))
        let enrolled = try Self.oneEntry(workspace) {
            _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: march)
        }
        #expect(enrolled.actor == me && enrolled.action == "enroll")
        #expect(enrolled.subject == "NL1002 VIP25-6M collaboration/voice")
        #expect(enrolled.detail == "enrolled on 2015-03-01; import 10")
        let moved = try Self.oneEntry(workspace) {
            _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: april)
        }
        #expect(moved.detail == "enrolled on 2015-04-01 (was 2015-03-01); import 11")
        let unenrolled = try Self.oneEntry(workspace) {
            try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice")
        }
        #expect(unenrolled.action == "unenroll" && unenrolled.subject == "NL1002 VIP25-6M collaboration/voice")
        #expect(unenrolled.detail == "import 12")

        var summary: RunSummary?
        let ran = try Self.oneEntry(workspace) { summary = try workspace.run().summary }
        let run = try #require(summary)
        #expect(ran.actor == me && ran.action == "run" && ran.subject == "run 1")
        #expect(
            ran.detail
                == "PROVIDER-MDF-FY23-H2 v1, VIP25-3M v1, VIP25-6M v1; 66 booking lines, 13 partners; inputs sha256 \(run.inputsDigest)")

        let user = try Self.oneEntry(workspace) {
            try workspace.addUser(User(name: "nl1", role: .partner, partnerID: "NL1001", passwordHash: "h"))
        }
        #expect(user.actor == me && user.action == "user_add" && user.subject == "nl1" && user.detail == "role partner, partner NL1001")
        let admin = try Self.oneEntry(workspace) { try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h")) }
        #expect(admin.detail == "role admin")
        let password = try Self.oneEntry(workspace) { try workspace.setPassword(user: "nl1", hash: "h2") }
        #expect(password.action == "password_set" && password.subject == "nl1" && password.detail == nil)
        let hash = String(repeating: "cd", count: 32)
        let token = try Self.oneEntry(workspace) {
            _ = try workspace.addToken(hash: hash, user: "nl1", expires: try Date("2027-01-01T00:00:00Z", strategy: .iso8601))
        }
        #expect(token.action == "token_create" && token.subject == "nl1" && token.detail == "token cdcdcdcdcdcd, expires 2027-01-01T00:00:00.000Z")
        let revoked = try Self.oneEntry(workspace) { _ = try workspace.revokeToken(id: "cdcdcdcdcdcd") }
        #expect(revoked.action == "token_revoke" && revoked.subject == "nl1" && revoked.detail == "token cdcdcdcdcdcd")
        let disabled = try Self.oneEntry(workspace) { _ = try workspace.disableUser("nl1") }
        #expect(disabled.action == "user_disable" && disabled.subject == "nl1")
        let enabled = try Self.oneEntry(workspace) { _ = try workspace.enableUser("nl1") }
        #expect(enabled.action == "user_enable" && enabled.subject == "nl1")
        let live = String(repeating: "ef", count: 32)
        _ = try workspace.addToken(hash: live, user: "nl1", expires: try Date("2027-01-01T00:00:00Z", strategy: .iso8601))
        let deleted = try Self.oneEntry(workspace) { _ = try workspace.deleteUser("nl1") }
        #expect(deleted.action == "user_delete" && deleted.subject == "nl1" && deleted.detail == "tokens revoked: efefefefefef")
        let link = try Self.oneEntry(workspace) {
            try workspace.addLoginLink(hash: "l1", user: "ada", expires: try Date("2026-11-30T10:05:00Z", strategy: .iso8601))
        }
        #expect(link.action == "login_link_create" && link.subject == "ada" && link.detail == "valid until 2026-11-30T10:05:00.000Z")
        let session = try Self.oneEntry(workspace) {
            try workspace.addSession(
                hash: "s1", user: "ada", csrfToken: "c", expires: try Date("2026-11-30T21:05:00Z", strategy: .iso8601), by: .account("ada"))
        }
        #expect(session.action == "sign_in" && session.actor == .account("ada") && session.detail == "session until 2026-11-30T21:05:00.000Z")

        // The account log is kept as before, beside the audit log.
        #expect(
            try workspace.accountEvents(user: "nl1").map(\.event) == [
                "added", "password_set", "token_created", "token_revoked", "disabled", "enabled", "token_created", "token_revoked", "deleted",
            ])
        // Ids follow the order of the changes; the list is newest first.
        let all = try Self.entries(workspace)
        #expect(all.map(\.id) == Array((1...all.count).reversed()))
        // 3 programs, 2 imports, 2 enrolments and an unenrolment, a run, 2 users, a password, 2 tokens and a
        // revocation, a disable, an enable, a deletion, a sign-in link and a sign-in.
        #expect(all.count == 20)
    }

    /// On the server the actor is the signed-in account: each operation records the actor it is given.
    @Test func anAccountIsRecordedAsTheActorItIs() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let ada = Actor.account("ada")
        let program = try Self.oneEntry(workspace) { _ = try workspace.addProgram(file: Sandbox.examplePrograms + "/vip25-6m.yaml", by: ada) }
        for name in ["provider-mdf-fy23h2.yaml", "vip25-3m.yaml"] {
            #expect(try Self.oneEntry(workspace) { _ = try workspace.addProgram(file: Sandbox.examplePrograms + "/" + name, by: ada) }.actor == ada)
        }
        let folder = try Self.oneEntry(workspace) { _ = try workspace.importFolder(Sandbox.exampleData, by: ada) }
        let file = try Self.oneEntry(workspace) { _ = try workspace.importFile(.fx, path: Sandbox.exampleData + "/fx.csv", by: ada) }
        let march = try #require(Day(iso: "2015-03-01"))
        let enroll = try Self.oneEntry(workspace) {
            _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: march, by: ada)
        }
        let unenroll = try Self.oneEntry(workspace) {
            try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", by: ada)
        }
        let run = try Self.oneEntry(workspace) { _ = try workspace.run(by: ada) }
        for entry in [program, folder, file, enroll, unenroll, run] {
            #expect(entry.actor == ada, "\(entry.action)")
            #expect(entry.actor.kind.rawValue == "account")
        }
        #expect([program, folder, file, enroll, unenroll, run].map(\.action) == ["program_add", "import", "import", "enroll", "unenroll", "run"])
        // Stored as the table says: kind and name in their own columns.
        let stored = try workspace.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT actor_kind, actor FROM audit_log ORDER BY id").map { "\($0[0] as String) \($0[1] as String)" }
        }
        #expect(stored == Array(repeating: "account ada", count: 8))
    }

    /// A change refused, or one that changes nothing, writes no entry; a refused import leaves the log as it was.
    @Test func aRefusedOrEmptyChangeWritesNoEntry() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let before = try Self.entries(workspace)
        #expect(before.count == 4)

        // An import with a bad line: nothing imported, no entry.
        var lines = try Sandbox.text(Sandbox.exampleData + "/bookings.csv").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[7].hasPrefix("SO15-1006,1,NL1001,"))
        lines[7] = lines[7].replacingOccurrences(of: "NL1001", with: "XX9999")
        let bad = try sandbox.write(lines.joined(separator: "\n"), to: "bookings.csv")
        let errors = reportErrorLines { _ = try workspace.importFile(.bookings, path: bad) }
        #expect(!errors.isEmpty)
        // A folder with one bad file: the good files before it are not written either.
        let folder = try sandbox.copy(Sandbox.exampleData, as: "data")
        try FileManager.default.removeItem(atPath: folder + "/bookings.csv")
        try FileManager.default.copyItem(atPath: bad, toPath: folder + "/bookings.csv")
        #expect(!reportErrorLines { _ = try workspace.importFolder(folder) }.isEmpty)
        // A program that does not load, an identical program, an enrolment refused, one already so.
        let broken = try sandbox.write("id: BROKEN\nkind: vip\n", to: "broken.yaml")
        #expect(!reportErrorLines { _ = try workspace.addProgram(file: broken) }.isEmpty)
        #expect(try workspace.addProgram(file: Sandbox.examplePrograms + "/vip25-6m.yaml").isNew == false)
        let march = try #require(Day(iso: "2015-03-01"))
        #expect(
            workspaceError { _ = try workspace.enroll(partner: "XX9999", program: "VIP25-6M", subtrack: "collaboration/voice", on: march) } != nil)
        let enrolledOn = try #require(Day(iso: "2015-01-20"))
        #expect(try workspace.enroll(partner: "NL1001", program: "VIP25-6M", subtrack: "data-center/ucs", on: enrolledOn).change == .unchanged)
        #expect(workspaceError { try workspace.unenroll(partner: "NL1004", program: "VIP25-6M", subtrack: "collaboration/voice") } != nil)
        // Accounts: a name taken, a user already disabled, a token already revoked.
        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h"))
        _ = try workspace.disableUser("ada")
        let afterAccounts = try Self.entries(workspace)
        #expect(afterAccounts.count == before.count + 2)
        #expect(workspaceError { try workspace.addUser(User(name: "ADA", role: .admin, partnerID: nil, passwordHash: "h")) } != nil)
        #expect(try workspace.disableUser("ada").changed == false)
        #expect(try Self.entries(workspace) == afterAccounts)
        #expect(try workspace.importLog().count == 8)
    }

    /// The table takes new entries only: an UPDATE or DELETE of it is refused by its triggers, in any connection.
    @Test func theLogIsAppendOnly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let before = try Self.entries(workspace)
        #expect(before.count == 4)
        for sql in [
            "UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log WHERE id = 1", "DELETE FROM audit_log",
            "UPDATE audit_log SET detail = NULL WHERE id = 4",
        ] {
            let message: String
            do {
                try workspace.pool.write { db in try db.execute(sql: sql) }
                message = "accepted"
            } catch {
                message = "\(error)"
            }
            #expect(message.contains("the audit log is append-only"), "\(sql): \(message)")
        }
        // The kind of actor is one of two.
        #expect(throws: DatabaseError.self) {
            try workspace.pool.write { db in
                try db.execute(sql: "INSERT INTO audit_log(at, actor_kind, actor, action) VALUES ('2026-01-01T00:00:00.000Z', 'robot', 'r2', 'run')")
            }
        }
        #expect(try Self.entries(workspace) == before)
    }

    @Test func theLogIsReadNewestFirstAndFiltered() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-11-29T23:59:59.999Z")
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"), clock: time.clock)
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        time.set("2026-11-30T08:00:00Z")
        _ = try workspace.importFolder(Sandbox.exampleData, by: .account("ada"))
        time.set("2026-11-30T09:30:00.250Z")
        _ = try workspace.run(by: .account("ada"))
        time.set("2026-11-30T10:00:00Z")
        _ = try workspace.run()
        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h"), by: .account("bob"))

        func ids(_ filter: AuditFilter, offset: Int = 0, limit: Int = 50) throws -> [Int] {
            try workspace.auditLog(filter, offset: offset, limit: limit).items.map(\.id)
        }
        // 1-3 the programs (the OS user, on the 29th), 4 the import and 5 a run by ada, 6 a run by the OS user, 7 a user added by bob.
        #expect(try ids(AuditFilter()) == [7, 6, 5, 4, 3, 2, 1])
        #expect(try workspace.auditLog(AuditFilter(), offset: 1, limit: 2).items.map(\.id) == [6, 5])
        #expect(try workspace.auditLog(AuditFilter(), offset: 1, limit: 2).total == 7)
        #expect(try ids(AuditFilter(), offset: 5, limit: 50) == [2, 1])
        #expect(try ids(AuditFilter(actor: "ada")) == [5, 4])
        #expect(try ids(AuditFilter(actor: Self.osUser)) == [6, 3, 2, 1])
        #expect(try ids(AuditFilter(actor: "ADA")) == [])
        #expect(try ids(AuditFilter(action: "run")) == [6, 5])
        #expect(try ids(AuditFilter(actor: "ada", action: "run")) == [5])
        #expect(try workspace.auditLog(AuditFilter(actor: "ada", action: "run")).total == 1)
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-11-30"))) == [7, 6, 5, 4])
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-11-30T09:30:00.250"))) == [7, 6, 5])
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-11-30T09:30:00.251"))) == [7, 6])
        // 10:30 in Amsterdam is 09:30 UTC.
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-11-30T10:30+01:00"))) == [7, 6, 5])
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-12-01"))) == [])
        #expect(try ids(AuditFilter(since: AuditLog.timestamp(from: "2026-11-30"), actor: "ada", action: "import")) == [4])
    }

    @Test func sinceTakesADateOrADateAndTime() {
        let cases: [(String, String?)] = [
            ("2026-11-30", "2026-11-30T00:00:00.000Z"),
            ("2026-11-30T10:15", "2026-11-30T10:15:00.000Z"),
            ("2026-11-30 10:15:30", "2026-11-30T10:15:30.000Z"),
            ("2026-11-30T10:15:30Z", "2026-11-30T10:15:30.000Z"),
            ("2026-11-30T10:15:30.5Z", "2026-11-30T10:15:30.500Z"),
            ("2026-11-30T10:15:30.123456789Z", "2026-11-30T10:15:30.123Z"),
            ("2026-11-30T10:15:30.25+01:00", "2026-11-30T09:15:30.250Z"),
            ("2026-11-30T00:30-0130", "2026-11-30T02:00:00.000Z"),
            ("2026-01-01T00:30+01:00", "2025-12-31T23:30:00.000Z"),
            ("2026-02-30", nil), ("2026-11-30T24:00", nil), ("2026-11-30T10", nil), ("2026-11-30T10:60", nil), ("2026-11-30T10:15:30.", nil),
            ("2026-11-30T10:15Zx", nil), ("2026-11-30T10:15+1", nil), ("2026-11-30T1:15", nil), ("yesterday", nil), ("", nil),
            ("2026-11-30T10:15:3", nil), ("2026-11-30X10:15", nil), ("2026-11-30T10:15:30+25:00", nil),
        ]
        for (text, expected) in cases { #expect(AuditLog.timestamp(from: text) == expected, "\(text)") }
    }

    /// A workspace made before the audit log (schema up to v6) gains it on opening, empty, and records from then on.
    @Test func aWorkspaceOfThePreviousSchemaGainsAnEmptyLog() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("old.sqlite")
        do {
            let pool = try DatabasePool(path: path, configuration: Workspace.configuration())
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(Workspace.applicationID)") }
            try Schema.migrator.migrate(pool, upTo: "v6-run-rules-v2")
            let tables = try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name = 'audit_log'") }
            #expect(tables.isEmpty)
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        }
        let workspace = try Workspace.open(at: path)
        #expect(try Self.entries(workspace).isEmpty)
        let entry = try Self.oneEntry(workspace) { _ = try workspace.addProgram(file: Sandbox.examplePrograms + "/vip25-6m.yaml") }
        #expect(entry.id == 1 && entry.subject == "VIP25-6M v1")
    }
}
