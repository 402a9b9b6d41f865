import IncentiveEngine

/// A request's status: pending until approved (possibly for less), rejected or withdrawn; an approved request whose
/// claim was paid is closed.
public enum FundRequestStatus: String, Sendable, Hashable, CaseIterable {
    case pending, approved, rejected, withdrawn, closed
}

/// A claim's status: submitted until approved, rejected or withdrawn; an approved claim is then paid.
public enum ClaimStatus: String, Sendable, Hashable, CaseIterable {
    case submitted, approved, rejected, withdrawn, paid
}

/// One allocation entry as of a day: what it still holds free, what requests hold of it, what was spent and lapsed.
public struct AllocationState: Sendable, Hashable {
    public var id: Int
    public var amount: Money
    public var effectiveOn: Day
    public var validThrough: Day
    /// Not promised to any request: usable for approvals until `validThrough`, lapsed the day after.
    public var free: Money
    /// Promised to approved requests (protected from lapsing).
    public var held: Money
    /// Paid out through claims.
    public var spent: Money
    /// Lost: its `expired` entries.
    public var lapsed: Money
}

/// A hold: part of an allocation promised to an approved request.
public struct Hold: Sendable, Hashable {
    public var allocationID: Int
    public var amount: Money

    public init(allocationID: Int, amount: Money) {
        self.allocationID = allocationID
        self.amount = amount
    }
}

/// One fund request as of a day.
public struct FundRequestState: Sendable, Hashable {
    public var id: Int
    public var status: FundRequestStatus
    public var plannedCost: Money
    public var startsOn: Day
    public var endsOn: Day
    public var filedOn: Day
    /// The approved amount (nil unless it was approved).
    public var approved: Money?
    public var decidedOn: Day?
    /// What it holds of the allocations, oldest first (approved requests only).
    public var holds: [Hold]
    public var held: Money { Money(cents: holds.reduce(0) { $0 + $1.amount.cents }) }
}

/// One claim as of a day.
public struct ClaimState: Sendable, Hashable {
    public var id: Int
    public var requestID: Int
    public var status: ClaimStatus
    public var actualCost: Money
    public var submittedOn: Day
    public var approved: Money?
    public var approvedOn: Day?
    public var reference: String?
    public var paidOn: Day?
}

/// A wallet as of a day (ledger.md "MDF funds"): its allocations, requests and claims, and the money.
///
/// `funds` = the sum of its entries (allocations, paid claims, lapsed funds) = `free + held - debt` (free counts
/// unexpired allocations only: an expired one holds nothing free). `available` = free - debt - pending requests'
/// planned costs, never below zero.
public struct WalletState: Sendable, Hashable {
    public var programID: String
    public var partnerID: String
    public var currency: String
    public var asOf: Day
    /// Sorted by (valid through, id): the order funds are used and lapse.
    public var allocations: [AllocationState]
    public var requests: [FundRequestState]
    public var claims: [ClaimState]
    public var funds: Money
    public var free: Money
    public var held: Money
    /// What negative allocations took beyond the free funds: later allocations pay it first.
    public var debt: Money
    /// The planned costs of pending requests.
    public var pending: Money
    public var available: Money
    /// Every `claim_paid` and `expired` entry the operations so far make, effective on or before `asOf`.
    public var entries: [LedgerEntry]
    /// Those of `entries` (or the differences) not yet in the ledger: what a write posts. A read shows them as due.
    public var due: [LedgerEntry]

    public func request(_ id: Int) -> FundRequestState? { requests.first { $0.id == id } }
    public func claim(_ id: Int) -> ClaimState? { claims.first { $0.id == id } }

    /// The claim of a request that is not rejected or withdrawn, if any (there is at most one).
    public func activeClaim(ofRequest id: Int) -> ClaimState? {
        claims.last { $0.requestID == id && $0.status != .rejected && $0.status != .withdrawn }
    }

    /// Free funds that lapse within `days` days after `asOf` (their allocation's last day is before `asOf + days`).
    public func expiring(withinDays days: Int) -> [AllocationState] {
        allocations.filter { $0.free.cents > 0 && $0.validThrough >= asOf && asOf.days(to: $0.validThrough) < days }
    }
}
