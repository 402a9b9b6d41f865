import IncentiveEngine

/// Advice for one partner, as things stood on `asOf`: per VIP subtrack where it stands and where its
/// pace leads, what enrolling would bring, and for MDF what untagged orders cost.
public struct PartnerAdvice: Sendable {
    public var partner: Partner
    public var asOf: Day
    public var programs: [ProgramAdvice]
}

public struct ProgramAdvice: Sendable {
    public var program: Program
    /// Days of the period up to and including `asOf` (0 before it starts; the whole period after it ends).
    public var daysElapsed: Int
    public var daysInPeriod: Int
    public var subtracks: [SubtrackAdvice]
    public var mdf: MDFAdvice?

    /// The period has begun and not yet ended, so a pace can be projected to its end.
    public var periodRunning: Bool { daysElapsed > 0 && daysElapsed < daysInPeriod }
}

public struct SubtrackAdvice: Sendable {
    public var path: String
    public var name: String
    public var rebatePercent: ScaledDecimal
    public var enrolledOn: Day?
    /// Enrolment is possible until the period end.
    public var canEnroll: Bool
    public var qualifyingVolume: Money
    public var minimum: Money
    /// What is still missing to the minimum (0 once met).
    public var gap: Money
    /// The volume at the period end if the pace so far holds: volume × days in period / days elapsed.
    public var projectedVolume: Money
    /// The day the minimum is reached at that pace: `nil` when it is not reached within the period.
    public var minimumReachedOn: Day?
    public var minimumAlreadyMet: Bool
    /// The checks failing besides volume (tier, CSAT, credentials), as the engine explains them.
    public var failingChecks: [Check]
    /// Credential ids that would satisfy the failing credential checks (one of each `requires_any` group).
    public var missingCredentials: [[String]]
    /// What the subtrack pays on the volume so far (if enrolled and eligible).
    public var rebateNow: Money
    /// What it would pay at the projected volume once the other checks pass.
    public var rebateAtProjection: Money

    public var enrolled: Bool { enrolledOn != nil }
}

public struct MDFAdvice: Sendable {
    public struct Candidate: Sendable, Hashable {
        public var orderID: String
        public var lineID: String
        public var sku: String
        public var bookedOn: Day
        public var amount: Money
        /// Why: "sku" (the same SKU tagged elsewhere), "order" (another line of the order tagged), or both.
        public var matches: [String]

        public init(orderID: String, lineID: String, sku: String, bookedOn: Day, amount: Money, matches: [String]) {
            self.orderID = orderID
            self.lineID = lineID
            self.sku = sku
            self.bookedOn = bookedOn
            self.amount = amount
            self.matches = matches
        }
    }

    public var tier: String
    /// The intended uses the program's rules ask lines to be tagged with (`MDFRules.tags`): "tagged" below
    /// means tagged with one of them.
    public var tags: [String]
    /// Qualifying volume so far against the tier's minimum, and where the pace so far leads.
    public var qualifyingVolume: Money
    public var minimum: Money
    public var projectedVolume: Money
    /// The day the pace reaches the minimum; `nil` when already met or not within the period.
    public var minimumReachedOn: Day?
    /// In-period volume, and the part tagged (with one of `tags`).
    public var inPeriodVolume: Money
    public var taggedVolume: Money
    /// Per mille of the in-period volume tagged (exact, half even).
    public var taggedPerMille: Int
    /// Untagged lines in force of a rule that needs a tag, and the MDF they cost (the engine's missed amount).
    public var untaggedVolume: Money
    public var untaggedLines: Int
    public var mdfLost: Money
    public var candidates: [Candidate]

    /// Still to book to reach the minimum (0 once met).
    public var gap: Money { Money(cents: max(0, minimum.cents - qualifyingVolume.cents)) }
    public var minimumMet: Bool { qualifyingVolume >= minimum }
}
