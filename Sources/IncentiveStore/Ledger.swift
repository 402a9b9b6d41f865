import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// One stored ledger entry with its id and who wrote it when.
public struct StoredEntry: Sendable, Hashable {
    public var id: Int
    public var entry: LedgerEntry
    /// When it was written (a workspace timestamp).
    public var at: String
    /// Who wrote it (`name (kind)`).
    public var actor: String
}

/// Which ledger entries to list; every condition given must hold.
public struct EntryFilter: Sendable, Hashable {
    public var partner: String?
    public var program: String?
    /// Entries effective on or before this day.
    public var asOf: Day?

    public init(partner: String? = nil, program: String? = nil, asOf: Day? = nil) {
        self.partner = partner
        self.program = program
        self.asOf = asOf
    }
}

/// Reading and writing ledger rows (ledger.md); the decisions are IncentiveLedger's.
enum LedgerRows {
    static let entryColumns =
        "id, kind, program_id, partner_id, item, amount_cents, currency, effective_on, valid_through, approval_id, payment_id, claim_id, allocation_id, at, actor_kind, actor"

    static func day(_ text: String, _ what: String) throws -> Day {
        guard let day = Day(iso: text) else { throw WorkspaceError(.damaged, "the ledger holds a malformed date \(text) (\(what))") }
        return day
    }

    /// A row selected with `entryColumns`.
    static func storedEntry(_ row: Row) throws -> StoredEntry {
        let kindText: String = row[1]
        guard let kind = EntryKind(rawValue: kindText) else {
            throw WorkspaceError(.damaged, "the ledger holds an entry of unknown kind \(kindText)")
        }
        let source: EntrySource
        if let id: Int = row[9] {
            source = .approval(id)
        } else if let id: Int = row[10] {
            source = .payment(id)
        } else if let id: Int = row[11] {
            source = .claim(id)
        } else if let id: Int = row[12] {
            source = .allocation(id)
        } else {
            throw WorkspaceError(.damaged, "ledger entry \(row[0] as Int) names no approval, payment, claim or allocation")
        }
        let entry = LedgerEntry(
            kind: kind, programID: row[2], partnerID: row[3], item: row[4], amount: Money(cents: row[5]), currency: row[6],
            effectiveOn: try day(row[7], "effective_on"), validThrough: try (row[8] as String?).map { try day($0, "valid_through") }, source: source)
        return StoredEntry(id: row[0], entry: entry, at: row[13], actor: "\(row[15] as String) (\(row[14] as String))")
    }

    /// A prepared INSERT of one entry; `insert` runs it.
    struct Inserter {
        let statement: GRDB.Statement
        let at: String
        let actor: Actor

        init(_ db: Database, at: String, actor: Actor) throws {
            statement = try db.makeStatement(
                sql: """
                    INSERT INTO ledger_entries(kind, program_id, partner_id, item, amount_cents, currency, effective_on, valid_through,
                                               approval_id, payment_id, claim_id, allocation_id, at, actor_kind, actor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            self.at = at
            self.actor = actor
        }

        func insert(_ entry: LedgerEntry) throws {
            var approval: Int?, payment: Int?, claim: Int?, allocation: Int?
            switch entry.source {
            case .approval(let id): approval = id
            case .payment(let id): payment = id
            case .claim(let id): claim = id
            case .allocation(let id): allocation = id
            }
            try statement.execute(arguments: [
                entry.kind.rawValue, entry.programID, entry.partnerID, entry.item, entry.amount.cents, entry.currency, entry.effectiveOn.description,
                entry.validThrough?.description, approval, payment, claim, allocation, at, actor.kind.rawValue, actor.name,
            ])
        }
    }

    /// The program's kind and currency: those of its latest version.
    static func program(_ db: Database, _ id: String) throws -> Program? {
        guard let version = try ProgramStore.version(db, id: id, version: nil) else { return nil }
        return try ProgramStore.parse(version)
    }
}

/// Thrown inside a write transaction that turns out to change nothing: it rolls back (no entry, no audit row,
/// the revision unchanged) and carries what the operation says instead.
struct NothingChanged<Outcome: Sendable>: Error {
    var outcome: Outcome
}

extension Workspace {
    /// Runs `body` in one write transaction; when it throws `NothingChanged`, the transaction is rolled back and
    /// its outcome returned.
    func ledgerWrite<Outcome: Sendable>(_ body: (Database) throws -> Outcome) throws -> Outcome {
        do {
            return try writeTransaction(body)
        } catch let unchanged as NothingChanged<Outcome> {
            return unchanged.outcome
        }
    }

    /// The ledger's entries, oldest first: those `filter` lets through, `limit` of them after `offset`, and how many in all.
    public func ledgerEntries(_ filter: EntryFilter = EntryFilter(), offset: Int = 0, limit: Int = 1000) throws -> ListPage<StoredEntry> {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let partner = filter.partner {
            conditions.append("partner_id = ?")
            arguments.append(partner)
        }
        if let program = filter.program {
            conditions.append("program_id = ?")
            arguments.append(program)
        }
        if let asOf = filter.asOf {
            conditions.append("effective_on <= ?")
            arguments.append(asOf.description)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries \(whereClause)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(LedgerRows.entryColumns) FROM ledger_entries \(whereClause) ORDER BY id LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [limit, offset]))
            return ListPage(items: try rows.map(LedgerRows.storedEntry), total: total)
        }
    }
}
