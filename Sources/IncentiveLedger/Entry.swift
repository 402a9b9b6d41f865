import IncentiveEngine

/// What a ledger entry records (ledger.md). Amounts are signed as they count toward their balance, so every
/// balance is a plain sum of entries: a (program, partner) balance due (cash programs such as VIP) is the sum of
/// its `entitlement` and `payment` entries; an MDF partner's funds are the sum of its `allocation`,
/// `claimPaid` and `expired` entries.
public enum EntryKind: String, Sendable, Hashable, CaseIterable {
    /// An approval's change of a (program, partner, item) entitlement: the new entitlement minus what was
    /// posted before for that key. Negative is a clawback.
    case entitlement
    /// A payment to the partner, negative: it lowers the balance due.
    case payment
    /// An approval's change of an MDF (program, partner, item) accrual, as funds usable from `effectiveOn`
    /// through `validThrough`. Negative when a later run accrues less.
    case allocation
    /// A paid claim, negative: funds spent.
    case claimPaid = "claim_paid"
    /// What an allocation still held after its last day, negative: funds lost.
    case expired
}

/// Where an entry comes from: every entry names the operation that made it.
public enum EntrySource: Sendable, Hashable {
    /// An approval (its id in the workspace).
    case approval(Int)
    /// A payment (its id).
    case payment(Int)
    /// A paid claim (the claim's id).
    case claim(Int)
    /// The allocation entry an `expired` entry lapses (its id).
    case allocation(Int)
}

/// One entry of the ledger: never changed, never deleted; a correction is a new entry.
public struct LedgerEntry: Sendable, Hashable {
    public var kind: EntryKind
    public var programID: String
    public var partnerID: String
    /// The result row's item for `entitlement` and `allocation`; nil otherwise.
    public var item: String?
    /// Signed as it counts toward the balance (see `EntryKind`).
    public var amount: Money
    public var currency: String
    /// The day the entry counts from: the approval's date, the payment's `paid_on`, the claim's payment date,
    /// the day after an allocation's last day.
    public var effectiveOn: Day
    /// An allocation's last usable day; nil for other kinds.
    public var validThrough: Day?
    public var source: EntrySource

    public init(
        kind: EntryKind, programID: String, partnerID: String, item: String? = nil, amount: Money, currency: String, effectiveOn: Day,
        validThrough: Day? = nil, source: EntrySource
    ) {
        self.kind = kind
        self.programID = programID
        self.partnerID = partnerID
        self.item = item
        self.amount = amount
        self.currency = currency
        self.effectiveOn = effectiveOn
        self.validThrough = validThrough
        self.source = source
    }
}
