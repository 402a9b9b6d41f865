import IncentiveEngine

/// A wallet as `incentives funds show --format json` and `GET /api/v1/partners/{id}/funds` give it (docs/funds.md):
/// `{"wallets": [...]}`, amounts as exact decimal strings, days as YYYY-MM-DD. One document for the command line and
/// the server, as `StatementDocument`.
public struct WalletDocument: Encodable, Sendable {
    public struct List: Encodable, Sendable {
        public var wallets: [WalletDocument]
        public init(wallets: [WalletDocument]) { self.wallets = wallets }
        public init(_ wallets: [WalletState]) { self.wallets = wallets.map(WalletDocument.init) }
    }
    public struct Allocation: Encodable, Sendable {
        var id: Int
        var effective_on, valid_through, amount, free, held, spent, lapsed: String
    }
    public struct Request: Encodable, Sendable {
        var id: Int
        var status, planned_cost: String
        var approved: String?
        var held, starts_on, ends_on: String
    }
    public struct Claim: Encodable, Sendable {
        var id, request_id: Int
        var status, actual_cost, submitted_on: String
        var approved, reference, paid_on: String?
    }
    /// A ledger entry a funds operation posted or that is due: `claim_paid` (its source the claim) or `expired` (its
    /// source the allocation entry), signed.
    public struct Entry: Encodable, Sendable {
        var kind, amount, effective_on: String
        var source: Int

        public init(_ entry: LedgerEntry) {
            kind = entry.kind.rawValue
            amount = entry.amount.plainText
            effective_on = entry.effectiveOn.description
            switch entry.source {
            case .claim(let id), .allocation(let id), .approval(let id), .payment(let id): source = id
            }
        }
    }

    public var partner_id, program_id, currency, as_of: String
    public var funds, free, held, debt, pending, available: String
    public var allocations: [Allocation]
    public var requests: [Request]
    public var claims: [Claim]
    /// Lapses (and payments) the operations so far make that are not yet in the ledger: the next write posts them.
    public var due: [Entry]

    public init(_ wallet: WalletState) {
        partner_id = wallet.partnerID
        program_id = wallet.programID
        currency = wallet.currency
        as_of = wallet.asOf.description
        funds = wallet.funds.plainText
        free = wallet.free.plainText
        held = wallet.held.plainText
        debt = wallet.debt.plainText
        pending = wallet.pending.plainText
        available = wallet.available.plainText
        allocations = wallet.allocations.map {
            Allocation(
                id: $0.id, effective_on: $0.effectiveOn.description, valid_through: $0.validThrough.description, amount: $0.amount.plainText,
                free: $0.free.plainText, held: $0.held.plainText, spent: $0.spent.plainText, lapsed: $0.lapsed.plainText)
        }
        requests = wallet.requests.map {
            Request(
                id: $0.id, status: $0.status.rawValue, planned_cost: $0.plannedCost.plainText, approved: $0.approved?.plainText,
                held: $0.held.plainText, starts_on: $0.startsOn.description, ends_on: $0.endsOn.description)
        }
        claims = wallet.claims.map {
            Claim(
                id: $0.id, request_id: $0.requestID, status: $0.status.rawValue, actual_cost: $0.actualCost.plainText,
                submitted_on: $0.submittedOn.description, approved: $0.approved?.plainText, reference: $0.reference, paid_on: $0.paidOn?.description)
        }
        due = wallet.due.map(Entry.init)
    }
}
