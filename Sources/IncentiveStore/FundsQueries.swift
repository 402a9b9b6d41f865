import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// A fund request as stored, with its status now.
public struct FundRequestRecord: Sendable, Hashable {
    public var id: Int
    public var programID: String
    public var partnerID: String
    public var activity: String
    public var description: String
    public var plannedCost: Money
    public var startsOn: Day
    public var endsOn: Day
    /// When and by whom it was filed.
    public var at: String
    public var actor: Actor
    public var status: FundRequestStatus
    public var approved: Money?
    /// Why it was rejected.
    public var reason: String?
}

/// A stored proof file (its bytes are read with `claimProof`).
public struct ProofRecord: Sendable, Hashable {
    public var id: Int
    public var claimID: Int
    public var fileName: String
    public var contentType: String
    public var size: Int
    public var sha256: String
}

/// A claim as stored, with its status now.
public struct ClaimRecord: Sendable, Hashable {
    public var id: Int
    public var requestID: Int
    public var programID: String
    public var partnerID: String
    public var actualCost: Money
    public var submittedOn: Day
    public var at: String
    public var actor: Actor
    public var status: ClaimStatus
    public var approved: Money?
    public var reason: String?
    public var reference: String?
    public var paidOn: Day?
    public var proofs: [ProofRecord]
}

/// Which requests or claims to list; every condition given must hold.
public struct FundsFilter: Sendable, Hashable {
    public var partnerID: String?
    public var programID: String?
    /// A `FundRequestStatus` or `ClaimStatus` raw value.
    public var status: String?

    public init(partnerID: String? = nil, programID: String? = nil, status: String? = nil) {
        self.partnerID = partnerID
        self.programID = programID
        self.status = status
    }

    /// The SQL conditions on the request table `r` (partner, program) and their arguments.
    var requestConditions: (conditions: [String], arguments: [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let partnerID {
            conditions.append("r.partner_id = ?")
            arguments.append(partnerID)
        }
        if let programID {
            conditions.append("r.program_id = ?")
            arguments.append(programID)
        }
        return (conditions, arguments)
    }
}

extension Workspace {
    /// The wallets of `partner` as of `day` (default today): in `program`, or in every MDF program it has funds, a
    /// request or an allocation in. Due lapses are applied (and listed in each state's `due`), not posted.
    public func fundsWallets(partner: String, program: String? = nil, asOf day: Day? = nil) throws -> [WalletState] {
        let day = day ?? today
        return try pool.read { db in try fundsWallets(db, partner: partner, program: program, asOf: day) }
    }

    /// `fundsWallets` inside a read the caller holds.
    func fundsWallets(_ db: Database, partner: String, program: String?, asOf day: Day) throws -> [WalletState] {
        try Self.requirePartner(db, partner)
        var programs: [String]
        if let program {
            _ = try mdfProgram(db, program)
            programs = [program]
        } else {
            programs = try String.fetchAll(
                cached: db,
                sql: """
                    SELECT program_id FROM ledger_entries WHERE partner_id = ? AND kind = 'allocation'
                    UNION SELECT program_id FROM fund_requests WHERE partner_id = ? ORDER BY 1
                    """, arguments: [partner, partner])
        }
        return try programs.map { id in
            let program = try mdfProgram(db, id)
            return try FundsLoad.wallet(db, program: id, partner: partner, currency: program.currency).state(asOf: day)
        }
    }

    /// Fund requests, oldest first; pending ones are the admins' queue.
    public func fundRequests(_ filter: FundsFilter = FundsFilter()) throws -> [FundRequestRecord] {
        try statementRead { db in try fundRequests(db, filter) }
    }

    /// `fundRequests` inside a read the caller holds: one statement, prepared once per connection and filter.
    func fundRequests(_ db: Database, _ filter: FundsFilter) throws -> [FundRequestRecord] {
        let (conditions, arguments) = filter.requestConditions
        let rows = try Row.fetchAll(
            cached: db,
            sql: """
                SELECT r.id, r.program_id, r.partner_id, r.activity, r.description, r.planned_cost_cents, r.starts_on, r.ends_on, r.at,
                    r.actor_kind, r.actor, e.status, e.approved_cents, e.reason,
                    EXISTS (SELECT 1 FROM claims c JOIN claim_events ce ON ce.claim_id = c.id WHERE c.request_id = r.id AND ce.status = 'paid'),
                    (SELECT approved_cents FROM fund_request_events a WHERE a.request_id = r.id AND a.status = 'approved' ORDER BY a.id DESC LIMIT 1)
                FROM fund_requests r
                LEFT JOIN fund_request_events e ON e.id = (SELECT MAX(id) FROM fund_request_events WHERE request_id = r.id)
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY r.id
                """, arguments: StatementArguments(arguments))
        let records = try rows.map { row -> FundRequestRecord in
            let latest: String? = row[11]
            let paid: Bool = row[14]
            let status: FundRequestStatus = paid ? .closed : latest.flatMap(FundRequestStatus.init(rawValue:)) ?? .pending
            return FundRequestRecord(
                id: row[0], programID: row[1], partnerID: row[2], activity: row[3], description: row[4], plannedCost: Money(cents: row[5]),
                startsOn: try FundsLoad.day(row[6]), endsOn: try FundsLoad.day(row[7]), at: row[8], actor: try Self.storedActor(row[9], row[10]),
                status: status, approved: (row[15] as Int64?).map(Money.init(cents:)), reason: row[13])
        }
        return filter.status.map { status in records.filter { $0.status.rawValue == status } } ?? records
    }

    /// Claims with their proof files, oldest first; submitted ones are the admins' queue.
    public func claims(_ filter: FundsFilter = FundsFilter(), request: Int? = nil) throws -> [ClaimRecord] {
        try snapshotRead { db in try claims(db, filter, request: request) }
    }

    /// `claims` inside a read the caller holds.
    func claims(_ db: Database, _ filter: FundsFilter, request: Int? = nil) throws -> [ClaimRecord] {
        var (conditions, arguments) = filter.requestConditions
        if let request {
            conditions.append("c.request_id = ?")
            arguments.append(request)
        }
        let rows = try Row.fetchAll(
            cached: db,
            sql: """
                SELECT c.id, c.request_id, r.program_id, r.partner_id, c.actual_cost_cents, c.submitted_on, c.at, c.actor_kind, c.actor,
                    e.status, e.reason, e.reference, e.paid_on,
                    (SELECT approved_cents FROM claim_events a WHERE a.claim_id = c.id AND a.status = 'approved' ORDER BY a.id DESC LIMIT 1)
                FROM claims c JOIN fund_requests r ON r.id = c.request_id
                LEFT JOIN claim_events e ON e.id = (SELECT MAX(id) FROM claim_events WHERE claim_id = c.id)
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY c.id
                """, arguments: StatementArguments(arguments))
        let records = try rows.map { row -> ClaimRecord in
            let latest: String? = row[9]
            let id: Int = row[0]
            let proofs = try Row.fetchAll(
                cached: db, sql: "SELECT id, file_name, content_type, size, sha256 FROM claim_proofs WHERE claim_id = ? ORDER BY id",
                arguments: [id]
            ).map { ProofRecord(id: $0[0], claimID: id, fileName: $0[1], contentType: $0[2], size: $0[3], sha256: $0[4]) }
            return ClaimRecord(
                id: id, requestID: row[1], programID: row[2], partnerID: row[3], actualCost: Money(cents: row[4]),
                submittedOn: try FundsLoad.day(row[5]), at: row[6], actor: try Self.storedActor(row[7], row[8]),
                status: latest.flatMap(ClaimStatus.init(rawValue:)) ?? .submitted, approved: (row[13] as Int64?).map(Money.init(cents:)),
                reason: row[10], reference: row[11], paidOn: try (row[12] as String?).map(FundsLoad.day), proofs: proofs)
        }
        return filter.status.map { status in records.filter { $0.status.rawValue == status } } ?? records
    }

    /// The admins' queues, oldest first: the pending requests and the submitted claims (of one partner when given).
    public func fundsQueues(partner: String? = nil) throws -> (requests: [FundRequestRecord], claims: [ClaimRecord]) {
        try snapshotRead { db in
            (
                try fundRequests(db, FundsFilter(partnerID: partner, status: FundRequestStatus.pending.rawValue)),
                try claims(db, FundsFilter(partnerID: partner, status: ClaimStatus.submitted.rawValue))
            )
        }
    }

    /// A proof file's record and bytes.
    public func claimProof(_ id: Int) throws -> (ProofRecord, Data) {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    cached: db, sql: "SELECT id, claim_id, file_name, content_type, size, sha256, content FROM claim_proofs WHERE id = ?",
                    arguments: [id])
            else { throw WorkspaceError(.notFound, "there is no proof file \(id)") }
            return (ProofRecord(id: row[0], claimID: row[1], fileName: row[2], contentType: row[3], size: row[4], sha256: row[5]), row[6])
        }
    }

    static func storedActor(_ kind: String, _ name: String) throws -> Actor {
        guard let kind = Actor.Kind(rawValue: kind) else { throw WorkspaceError(.damaged, "the funds tables hold an unknown kind of actor \(kind)") }
        return Actor(kind: kind, name: name)
    }
}
