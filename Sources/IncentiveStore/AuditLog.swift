import Foundation
import GRDB
import IncentiveEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who changed something in a workspace: the signed-in account on the server, the operating-system user on
/// the command line. Every public `Workspace` operation that changes something takes one (`by actor:`) and
/// writes it to the audit log in the same transaction as the change.
public struct Actor: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A user of the server (`users` table), signed in with a session or a token.
        case account
        /// The user of the machine that ran a command (`incentives import`, `run`, `users add`, ...).
        case operatingSystemUser = "os_user"
    }

    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// A user of the server.
    public static func account(_ name: String) -> Actor { Actor(kind: .account, name: name) }

    /// The user this process runs as: its name in the user database (`getpwuid(geteuid())`), else `$USER`,
    /// else `unknown`.
    public static func operatingSystemUser() -> Actor { Actor(kind: .operatingSystemUser, name: processUser) }

    /// Looked up once: the user a process runs as does not change.
    private static let processUser: String = {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        return "unknown"
    }()

    /// `ada (account)`, `root (os_user)`: how the log's text shows an actor.
    public var description: String { "\(name) (\(kind.rawValue))" }
}

/// What an audit entry records: one per operation that changed something.
public enum AuditAction: String, Sendable, CaseIterable {
    /// One import command (a file, a folder, an upload): the imports it wrote, with their files, kinds, counts and digests.
    case `import`
    /// A new version of a program definition.
    case programAdd = "program_add"
    case enroll, unenroll
    /// A stored run.
    case run
    case userAdd = "user_add", userDisable = "user_disable", userEnable = "user_enable", userDelete = "user_delete"
    case passwordSet = "password_set", tokenCreate = "token_create", tokenRevoke = "token_revoke"
    case loginLinkCreate = "login_link_create"
    /// A sign-in on the pages (a new session).
    case signIn = "sign_in"
    /// The ledger (issue 17): approvals of runs, a closed program reopened, payments (one or a file).
    case approve, reopen, payment
    case paymentsImport = "payments_import"
    /// The MDF funds wallet: requests and their decisions, claims and theirs, lapsed funds posted.
    case fundRequest = "fund_request", fundRequestApprove = "fund_request_approve", fundRequestReject = "fund_request_reject"
    case fundRequestWithdraw = "fund_request_withdraw"
    case claim, claimApprove = "claim_approve", claimReject = "claim_reject", claimPay = "claim_pay", claimWithdraw = "claim_withdraw"
    case fundsExpire = "funds_expire"
}

/// One entry of the audit log.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int
    /// UTC ISO 8601 with milliseconds, as every workspace timestamp.
    public var at: String
    public var actor: Actor
    /// An `AuditAction` raw value.
    public var action: String
    /// What the action was about: `imports 4-6`, `VIP25-6M v2`, `run 3`, a partner's enrolment, a user name.
    public var subject: String?
    /// The rest, in words (files, counts, digests, versions).
    public var detail: String?
}

/// Which entries of the audit log to read; every condition given must hold.
public struct AuditFilter: Sendable, Hashable {
    /// Entries at or after this instant (a workspace timestamp, `AuditLog.timestamp(from:)`).
    public var since: String?
    /// The actor's name, exactly.
    public var actor: String?
    /// An `AuditAction` raw value.
    public var action: String?

    public init(since: String? = nil, actor: String? = nil, action: String? = nil) {
        self.since = since
        self.actor = actor
        self.action = action
    }
}

/// The audit log: who did what and when (issue 16 point 3). An append-only table: triggers refuse every
/// UPDATE and DELETE of it, and each entry is written in the transaction of the change it records, so a
/// change rolled back leaves no entry and a committed one always has its entry.
public enum AuditLog {
    /// Adds the migration `v8-audit-log` (after the migrations before it).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-audit-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL CHECK (actor_kind IN ('account', 'os_user')),
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        subject TEXT,
                        detail TEXT
                    );
                    CREATE INDEX audit_log_by_actor ON audit_log(actor, id);
                    CREATE INDEX audit_log_by_action ON audit_log(action, id);
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: an entry is never changed'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: an entry is never deleted'); END;
                    """)
        }
    }

    /// Writes one entry inside the caller's transaction.
    static func append(
        _ db: Database, at: String, actor: Actor, action: AuditAction, subject: String?, detail: String?
    ) throws {
        try db.execute(
            sql: "INSERT INTO audit_log(at, actor_kind, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [at, actor.kind.rawValue, actor.name, action.rawValue, subject, detail])
    }

    /// The instant a `--since` or `since=` names, as a workspace timestamp: a date (`2026-11-30`, its
    /// midnight UTC) or a date and time (`2026-11-30T10:15`, `…:30`, `…:30.250`), in UTC unless it ends with
    /// `Z` or an offset (`+01:00`). Nil when the text is none of these.
    public static func timestamp(from text: String) -> String? {
        let bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard bytes.count >= 10, let day = Day(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        var milliseconds = Int64(day.daysSinceEpoch) * 86_400_000
        // Written out from the whole milliseconds (a Date's floating-point seconds could show .122 for .123).
        func written(_ milliseconds: Int64) -> String {
            let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
            let rest = Int(milliseconds - days * 86_400_000)
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let thousandths = rest % 1000
            return "\(Day(daysSinceEpoch: Int32(days)))T\(two(rest / 3_600_000)):\(two(rest / 60_000 % 60)):\(two(rest / 1000 % 60))."
                + (thousandths < 10 ? "00" : thousandths < 100 ? "0" : "") + "\(thousandths)Z"
        }
        if bytes.count == 10 { return written(milliseconds) }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") else { return nil }
        var index = 11
        func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }
        /// `count` ASCII digits (1 to 9 when `count` is nil) as a number and how many there were.
        func digits(_ count: Int?) -> (value: Int, count: Int)? {
            var end = index
            while end < bytes.count, (0x30...0x39).contains(bytes[end]), end - index < (count ?? 9) { end += 1 }
            guard end > index, count == nil || end - index == count else { return nil }
            defer { index = end }
            return (Int(String(decoding: bytes[index..<end], as: UTF8.self))!, end - index)
        }
        guard let hour = digits(2), hour.value < 24, skip(":"), let minute = digits(2), minute.value < 60 else { return nil }
        milliseconds += Int64(hour.value * 3_600_000 + minute.value * 60_000)
        if skip(":") {
            guard let second = digits(2), second.value < 60 else { return nil }
            milliseconds += Int64(second.value * 1000)
            if skip(".") {
                guard let fraction = digits(nil) else { return nil }
                var thousandths = fraction.value
                for _ in 0..<abs(fraction.count - 3) { thousandths = fraction.count > 3 ? thousandths / 10 : thousandths * 10 }
                milliseconds += Int64(thousandths)
            }
        }
        // The zone: none (UTC), Z, or an offset ±HH:MM (or ±HHMM) east of UTC.
        if index == bytes.count || (skip("Z") || skip("z")) && index == bytes.count { return written(milliseconds) }
        let sign: Int64 = skip("+") ? 1 : skip("-") ? -1 : 0
        guard sign != 0, let hours = digits(2), hours.value < 24 else { return nil }
        _ = skip(":")
        guard let minutes = digits(2), minutes.value < 60, index == bytes.count else { return nil }
        return written(milliseconds - sign * Int64(hours.value * 3_600_000 + minutes.value * 60_000))
    }

    /// `import 4` or `imports 4-6`.
    static func importSubject(_ ids: [Int]) -> String? {
        guard let first = ids.first, let last = ids.last else { return nil }
        return first == last ? "import \(first)" : "imports \(first)-\(last)"
    }

    /// Per file: `bookings bookings.csv: 12 rows (2 added, 1 changed, 9 unchanged), sha256 <64 hex digits>`, joined by `; `.
    static func importDetail(_ files: [ImportSummary]) -> String {
        files.map { file in
            "\(file.kind.rawValue) \(file.file): \(file.rows) rows (\(file.added) added, \(file.changed) changed, \(file.unchanged) unchanged\(file.retired > 0 ? ", \(file.retired) retired" : "")), sha256 \(file.digest)"
        }.joined(separator: "; ")
    }
}

extension Workspace {
    /// Writes one audit entry, timed by the workspace's clock, inside the caller's transaction.
    func audit(_ db: Database, _ actor: Actor, _ action: AuditAction, subject: String?, detail: String? = nil) throws {
        try AuditLog.append(db, at: now(), actor: actor, action: action, subject: subject, detail: detail)
    }

    /// The audit entry of one import command: the last `files.count` rows of `imports` are the ones it wrote.
    func auditImport(_ db: Database, _ actor: Actor, _ files: [ImportSummary]) throws {
        try audit(db, actor, .import, subject: AuditLog.importSubject(files.map(\.id)), detail: AuditLog.importDetail(files))
    }

    /// The audit entry of an enrolment or its removal, naming the change set (`imports` row) it wrote.
    func auditEnrollment(
        _ db: Database, _ actor: Actor, _ action: AuditAction, _ partner: String, _ program: String, _ subtrack: String, was: String?, now: String?
    ) throws {
        var words: [String] = []
        if let now { words.append(was.map { "enrolled on \(now) (was \($0))" } ?? "enrolled on \(now)") }
        if let id = try lastImportID(db) { words.append("import \(id)") }
        try audit(db, actor, action, subject: "\(partner) \(program) \(subtrack)", detail: words.isEmpty ? nil : words.joined(separator: "; "))
    }

    /// The audit entry of a stored run: its programs, its size and the digest of its inputs.
    func auditRun(_ db: Database, _ actor: Actor, id: Int, record: InputRecord, lines: Int, partners: Int) throws {
        let programs = record.programVersions.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")
        try audit(
            db, actor, .run, subject: "run \(id)",
            detail: "\(programs); \(lines) booking lines, \(partners) partners; inputs sha256 \(record.inputsDigest)")
    }

    /// The change set (`imports` row) a command wrote last, to name in its audit entry.
    func lastImportID(_ db: Database) throws -> Int? {
        try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM imports")
    }

    /// The audit log, newest first: the entries `filter` lets through, `limit` of them after `offset`, and how many it lets through in all.
    public func auditLog(_ filter: AuditFilter = AuditFilter(), offset: Int = 0, limit: Int = 50) throws -> ListPage<AuditEntry> {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since = filter.since {
            conditions.append("at >= ?")
            arguments.append(since)
        }
        if let actor = filter.actor {
            conditions.append("actor = ?")
            arguments.append(actor)
        }
        if let action = filter.action {
            conditions.append("action = ?")
            arguments.append(action)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try snapshotRead { db in
            let total =
                try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM audit_log \(whereClause)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(
                cached: db,
                sql: "SELECT id, at, actor_kind, actor, action, subject, detail FROM audit_log \(whereClause) ORDER BY id DESC LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [limit, offset]))
            let items = try rows.map { row -> AuditEntry in
                let kindText: String = row[2]
                guard let kind = Actor.Kind(rawValue: kindText) else {
                    throw WorkspaceError(.damaged, "the audit log holds an entry with an unknown kind of actor \(kindText)")
                }
                return AuditEntry(
                    id: row[0], at: row[1], actor: Actor(kind: kind, name: row[3]), action: row[4], subject: row[5], detail: row[6])
            }
            return ListPage(items: items, total: total)
        }
    }
}
