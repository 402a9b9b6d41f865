import GRDB
import IncentiveEngine
import IncentiveLedger

/// Small reads the server needs to check who may see a request or a claim before it acts on it (a primary-key lookup
/// each, never a scan).
extension Workspace {
    /// The partner of fund request `id`, or nil when there is no such request.
    public func fundRequestPartner(_ id: Int) throws -> String? {
        try pool.read { db in try String.fetchOne(cached: db, sql: "SELECT partner_id FROM fund_requests WHERE id = ?", arguments: [id]) }
    }

    /// The partner of claim `id` (its request's), or nil when there is no such claim.
    public func claimPartner(_ id: Int) throws -> String? {
        try pool.read { db in
            try String.fetchOne(
                cached: db, sql: "SELECT r.partner_id FROM claims c JOIN fund_requests r ON r.id = c.request_id WHERE c.id = ?", arguments: [id])
        }
    }

    /// Whether the ledger holds anything of `partner` (an entry or a fund request), through the two tables' partner
    /// indexes: read by `partnerView`, so that the page of a partner without any pays no more than that.
    static func hasLedger(_ db: Database, partner: String) throws -> Bool {
        var found = false
        try db.forEachRow(
            cached: """
                SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE partner_id = ?1) OR EXISTS (SELECT 1 FROM fund_requests WHERE partner_id = ?1)
                """, arguments: [partner]
        ) { row in found = row.int64(0) != 0 }
        return found
    }

    /// A partner's balance due per cash program as of `day`: the sum of its `entitlement` and `payment` entries, read
    /// through the entries' partner index; programs without such entries are left out.
    public func balancesDue(partner: String, asOf day: Day) throws -> [(programID: String, currency: String, balance: Money)] {
        try pool.read { db in try Self.balancesDue(db, partner: partner, asOf: day) }
    }

    static func balancesDue(_ db: Database, partner: String, asOf day: Day) throws -> [(programID: String, currency: String, balance: Money)] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT program_id, MAX(currency), SUM(amount_cents) FROM ledger_entries
                WHERE partner_id = ? AND kind IN ('entitlement', 'payment') AND effective_on <= ? GROUP BY program_id ORDER BY program_id
                """, arguments: [partner, day.description]
        ).map { (programID: $0[0], currency: $0[1], balance: Money(cents: $0[2])) }
    }

    /// What a partner's ledger holds to act on as of `day` (`PartnerLedger.outlook` makes the advice of it): its
    /// balances due, its MDF wallets and its claims, in one read.
    public func partnerLedger(partner: String, asOf day: Day) throws -> PartnerLedgerRecords {
        try snapshotRead { db in try partnerLedger(db, partner: partner, asOf: day) }
    }

    func partnerLedger(_ db: Database, partner: String, asOf day: Day) throws -> PartnerLedgerRecords {
        PartnerLedgerRecords(
            balances: try Self.balancesDue(db, partner: partner, asOf: day),
            wallets: try fundsWallets(db, partner: partner, program: nil, asOf: day), claims: try claims(db, FundsFilter(partnerID: partner)))
    }
}

/// A partner's ledger as its page and `advise` read it (`Workspace.partnerLedger`).
public struct PartnerLedgerRecords: Sendable {
    /// The balance due per cash program (programs without entitlements or payments left out).
    public var balances: [(programID: String, currency: String, balance: Money)]
    /// The wallet of each MDF program it has funds, a request or an allocation in.
    public var wallets: [WalletState]
    /// Its claims, oldest first.
    public var claims: [ClaimRecord]
}
