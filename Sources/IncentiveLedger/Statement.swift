import IncentiveEngine

/// One approval as the workspace keeps it: a run's program approved as interim or final on a day, by someone.
public struct ApprovalRecord: Sendable, Hashable {
    public var id: Int
    public var runID: Int
    public var programID: String
    public var kind: ApprovalKind
    /// The day its entries count from.
    public var approvedOn: Day
    /// When it was recorded (a workspace timestamp).
    public var at: String
    /// Who approved (`name (kind)`).
    public var actor: String

    public init(id: Int, runID: Int, programID: String, kind: ApprovalKind, approvedOn: Day, at: String, actor: String) {
        self.id = id
        self.runID = runID
        self.programID = programID
        self.kind = kind
        self.approvedOn = approvedOn
        self.at = at
        self.actor = actor
    }
}

/// Per item of an approval on a statement: the entitlement after it and the delta it posted.
public struct StatementItem: Sendable, Hashable {
    public var item: String
    public var entitlement: Money
    public var delta: Money

    public init(item: String, entitlement: Money, delta: Money) {
        self.item = item
        self.entitlement = entitlement
        self.delta = delta
    }
}

public struct StatementApproval: Sendable, Hashable {
    public var approval: ApprovalRecord
    /// Sorted by item: every item whose delta or entitlement after the approval is not zero.
    public var items: [StatementItem]
    /// The sum of the deltas it posted for the partner.
    public var delta: Money
    /// The partner's total entitlement after it.
    public var entitlement: Money
}

/// A statement of ledger.md: per partner and program as of a date, each approval with the entitlement and
/// delta per item, each payment, and the balance. For a cash program (VIP) the balance is the balance due
/// (entitlements - payments; negative after a clawback); for an MDF program it is the partner's funds
/// (allocations - paid claims - expired), and `otherEntries` lists the paid claims and lapsed funds.
public struct Statement: Sendable, Hashable {
    public var partnerID: String
    public var programID: String
    public var programKind: ProgramKind
    public var currency: String
    public var asOf: Day
    /// In the order they were posted (by id), those approved on or before `asOf`.
    public var approvals: [StatementApproval]
    /// By payment date, then reference: those paid on or before `asOf`.
    public var payments: [PaymentRecord]
    /// Entries neither from an approval nor from a payment (MDF: paid claims, lapsed funds), effective on or before `asOf`.
    public var otherEntries: [LedgerEntry]
    /// The sum of the approvals' deltas (the entitlement, or the allocations, as of the date).
    public var entitled: Money
    /// The sum of the payments (positive).
    public var paid: Money
    /// The sum of every entry effective on or before `asOf`.
    public var balance: Money

    /// Builds the statement from the program's approvals (any partner's: an approval covers the whole program),
    /// the partner's entries of the program and its payments. Entries and approvals after `asOf` are left out.
    public init(
        partnerID: String, programID: String, kind: ProgramKind, currency: String, asOf: Day, approvals: [ApprovalRecord], entries: [LedgerEntry],
        payments: [PaymentRecord]
    ) {
        self.partnerID = partnerID
        self.programID = programID
        self.programKind = kind
        self.currency = currency
        self.asOf = asOf
        let counted = entries.filter { $0.partnerID == partnerID && $0.programID == programID && $0.effectiveOn <= asOf }
        var byApproval: [Int: [String: Int64]] = [:]
        var other: [LedgerEntry] = []
        var balance: Int64 = 0
        for entry in counted {
            balance += entry.amount.cents
            switch entry.source {
            case .approval(let id): byApproval[id, default: [:]][entry.item ?? "", default: 0] += entry.amount.cents
            case .payment: break
            case .claim, .allocation: other.append(entry)
            }
        }
        var running: [String: Int64] = [:]
        var lines: [StatementApproval] = []
        var entitled: Int64 = 0
        for approval in approvals.sorted(by: { $0.id < $1.id }) where approval.programID == programID && approval.approvedOn <= asOf {
            let deltas = byApproval[approval.id] ?? [:]
            var delta: Int64 = 0
            for (item, cents) in deltas {
                running[item, default: 0] += cents
                delta += cents
            }
            entitled += delta
            let items = Set(running.keys).union(deltas.keys).sorted().compactMap { item -> StatementItem? in
                let after = running[item] ?? 0, change = deltas[item] ?? 0
                return after == 0 && change == 0 ? nil : StatementItem(item: item, entitlement: Money(cents: after), delta: Money(cents: change))
            }
            lines.append(StatementApproval(approval: approval, items: items, delta: Money(cents: delta), entitlement: Money(cents: entitled)))
        }
        self.approvals = lines
        let shown = payments.filter { $0.partnerID == partnerID && $0.programID == programID && $0.paidOn <= asOf }
            .sorted { ($0.paidOn, $0.reference) < ($1.paidOn, $1.reference) }
        self.payments = shown
        self.otherEntries = other
        self.entitled = Money(cents: entitled)
        self.paid = Money(cents: shown.reduce(0) { $0 + $1.amount.cents })
        self.balance = Money(cents: balance)
    }
}
