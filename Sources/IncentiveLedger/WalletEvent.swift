import IncentiveEngine

/// One thing that happened to an MDF wallet (one partner in one program), as the workspace records it
/// (ledger.md "MDF funds", docs/funds.md). The wallet replays these in time order.
public enum WalletEvent: Sendable, Hashable {
    /// An `allocation` ledger entry (its id): funds usable from the step's day through `validThrough`. Negative
    /// when a later MDF run accrues less.
    case allocation(id: Int, amount: Money, validThrough: Day)
    /// A fund request filed: pending for `plannedCost`, for an activity from `startsOn` through `endsOn`.
    case requestFiled(id: Int, plannedCost: Money, startsOn: Day, endsOn: Day)
    /// A pending request approved for `amount` (at most its planned cost).
    case requestApproved(id: Int, amount: Money)
    /// A pending or approved request rejected (by an admin).
    case requestRejected(id: Int)
    /// A pending or approved request withdrawn.
    case requestWithdrawn(id: Int)
    /// A claim against an approved request, for its activity's actual cost.
    case claimSubmitted(id: Int, requestID: Int, actualCost: Money)
    /// A submitted claim approved for `amount` (at most the request's approved amount and the actual cost).
    case claimApproved(id: Int, amount: Money)
    /// A submitted or approved claim rejected.
    case claimRejected(id: Int)
    /// A submitted or approved claim withdrawn.
    case claimWithdrawn(id: Int)
    /// An approved claim paid (the step's day is the payment date) with a payment reference.
    case claimPaid(id: Int, reference: String)
}

/// An event and the day it counts from. A wallet replays its steps by day; steps of one day in the order given.
public struct WalletStep: Sendable, Hashable {
    public var day: Day
    public var event: WalletEvent

    public init(day: Day, event: WalletEvent) {
        self.day = day
        self.event = event
    }
}

/// A `claim_paid` or `expired` entry already in the ledger, as the wallet needs it to know what is still to post.
public struct PostedFundsEntry: Sendable, Hashable {
    public var kind: EntryKind
    /// The claim of a `claim_paid` entry, the allocation entry of an `expired` one.
    public var sourceID: Int
    public var effectiveOn: Day
    public var amount: Money

    public init(kind: EntryKind, sourceID: Int, effectiveOn: Day, amount: Money) {
        self.kind = kind
        self.sourceID = sourceID
        self.effectiveOn = effectiveOn
        self.amount = amount
    }
}

/// The program keys the wallet's decisions need.
public struct FundsRules: Sendable, Hashable {
    /// `claim_within_days`: a claim is submitted at the latest this many days after its activity's end.
    public var claimWithinDays: Int

    public init(claimWithinDays: Int = MDFRules.defaultClaimWithinDays) {
        self.claimWithinDays = claimWithinDays
    }
}
