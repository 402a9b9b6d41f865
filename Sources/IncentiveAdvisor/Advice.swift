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
    /// The advice day is after the period's last day (on the last day itself the period still runs: a CSAT
    /// report or a booking dated that day counts).
    public var periodOver: Bool

    /// The period has begun and not yet ended, so a pace can be projected to its end.
    public var periodRunning: Bool { daysElapsed > 0 && daysElapsed < daysInPeriod }
}

public struct SubtrackAdvice: Sendable {
    public var path: String
    public var name: String
    /// `rebate_percent`; by partner tier, the partner's (its tier on the period's last day); with `rebate_tiers`, the
    /// first tier's.
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
    /// What it would pay at the projected volume once the other checks pass: with the rules of formats.md §5.4,
    /// `RebateFormula.compute` with the partner's tier, the projected attach volume and the baseline.
    public var rebateAtProjection: Money

    // The facts of the rules of formats.md §5.3-5.4, every amount from `RebateFormula.compute`; all `nil` for a
    // program without them (v1), so that its advice reads exactly as before.

    /// `attach_bonus`: the attach volume counted so far, and where its pace leads by the period end.
    public var attachVolume: Money?
    public var projectedAttachVolume: Money?
    /// `rebate_tiers`: the next tier above the base of the volume so far, and above that of the projected volume
    /// (`nil` when the base is in the last tier).
    public var nextTier: NextTier?
    public var nextTierAtProjection: NextTier?
    /// `attach_bonus`: the next band above the attach rate so far, and above the projected one (`nil` in the last
    /// band, or with no qualifying volume).
    public var nextAttachBand: NextAttachBand?
    public var nextAttachBandAtProjection: NextAttachBand?
    /// `full_credit_enrollment_until`, for a subtrack not enrolled in that can still be: the last day to enrol
    /// with full credit while the advice day is on or before it.
    public var fullCreditEnrollmentUntil: Day?
    /// The same rule once the advice day is after it: what enrolling on the advice day leaves out.
    public var lateEnrollmentForfeit: LateEnrollmentForfeit?
    /// `rebate_base: growth`: the baseline and the growth still needed over it.
    public var growth: GrowthOutlook?
    /// `cap`: whether it binds, and the volume at which it is reached.
    public var cap: CapOutlook?
    /// Where the volume leads, split into recurring orders, one-offs and credit notes, with a low/expected/high
    /// range (`projectedVolume` is its expected volume); `nil` before the period begins.
    public var forecast: Forecast?
    /// A failing CSAT check's reports at their own pace while the period runs.
    public var csat: CSATForecast?
    /// For an enrolled subtrack that misses money: what can still be had this period and what is lost (the engine's
    /// `MissedSplit`, with the volume within reach when the expected volume reaches the minimum).
    public var missed: MissedSplit?
    /// The subtrack's rate for this partner (its tier on the period's last day, the baseline the engine found): what
    /// every figure at another volume is computed with, here and in the recommendation.
    var outlook: RebateOutlook?

    public var enrolled: Bool { enrolledOn != nil }

    public init(
        path: String, name: String, rebatePercent: ScaledDecimal, enrolledOn: Day?, canEnroll: Bool, qualifyingVolume: Money, minimum: Money,
        gap: Money, projectedVolume: Money, minimumReachedOn: Day?, minimumAlreadyMet: Bool, failingChecks: [Check],
        missingCredentials: [[String]], rebateNow: Money, rebateAtProjection: Money
    ) {
        self.path = path
        self.name = name
        self.rebatePercent = rebatePercent
        self.enrolledOn = enrolledOn
        self.canEnroll = canEnroll
        self.qualifyingVolume = qualifyingVolume
        self.minimum = minimum
        self.gap = gap
        self.projectedVolume = projectedVolume
        self.minimumReachedOn = minimumReachedOn
        self.minimumAlreadyMet = minimumAlreadyMet
        self.failingChecks = failingChecks
        self.missingCredentials = missingCredentials
        self.rebateNow = rebateNow
        self.rebateAtProjection = rebateAtProjection
    }
}

/// The next step of `rebate_tiers` above a base (formats.md §5.4), and what reaching it adds. Measured from the
/// volume so far, or from the projected volume, with the attach volume of the same moment held.
public struct NextTier: Sendable, Hashable {
    /// The tier's `from` on the base, and its percent (before any attach bonus).
    public var from: Money
    public var percent: ScaledDecimal
    public var method: TierMethod
    /// The qualifying volume whose base is exactly `from`: `from`, plus the minimum under `above_minimum`, plus the
    /// scaled baseline under `growth`.
    public var volume: Money
    /// `volume` less the volume it is measured from.
    public var volumeNeeded: Money
    /// What the subtrack pays at `volume` (the minimum, the attach band and the cap applied).
    public var rebateAtTier: Money
    /// `rebateAtTier` less what it pays at the volume measured from: under `retroactive` the step of percent on the
    /// whole base as well as the slice, under `marginal` only the slice.
    public var adds: Money
}

/// The next band of `attach_bonus` (formats.md §5.4) above an attach rate, and what reaching it adds at the same
/// qualifying volume.
public struct NextAttachBand: Sendable, Hashable {
    /// The band's attach rate and the points it adds (scale 4).
    public var fromPercent: ScaledDecimal
    public var bonus: ScaledDecimal
    /// The least attach volume with `100 × attach >= fromPercent × qualifying`, exactly (to the cent, rounded up).
    public var attachVolume: Money
    /// `attachVolume` less the attach volume measured from.
    public var attachNeeded: Money
    /// What the subtrack pays with `attachVolume` (the minimum and the cap applied), and that less what it pays now.
    public var rebateWithBand: Money
    public var adds: Money
}

/// What enrolling on the advice day forfeits under `full_credit_enrollment_until` (formats.md §5.3): the
/// subtrack's lines (and attach lines) counted before that day are left out.
public struct LateEnrollmentForfeit: Sendable, Hashable {
    /// `full_credit_enrollment_until`, already past.
    public var fullCreditUntil: Day
    /// The enrolment day the advice supposes (the advice day).
    public var enrollOn: Day
    public var lines: Int
    public var volume: Money
    public var attachLines: Int
    public var attachVolume: Money
    /// What those lines would have carried: the rebate with full credit less the rebate after the cut-off, on the
    /// volume so far and at the projected volume.
    public var rebate: Money
    public var rebateAtProjection: Money
}

/// `rebate_base: growth` (formats.md §5.4): the baseline and the growth still needed before anything is paid.
public struct GrowthOutlook: Sendable, Hashable {
    public var baselinePeriod: DayRange
    public var baselinePeriodName: String?
    /// The subtrack's lines in the baseline period, and that scaled to the program period.
    public var baselineSum: Money
    public var baseline: Money
    /// `baseline − volume` when positive (0 otherwise), for the volume so far and the projected volume.
    public var stillNeeded: Money
    public var stillNeededAtProjection: Money
}

/// `cap` (formats.md §5.4).
public struct CapOutlook: Sendable, Hashable {
    public var cap: Money
    /// The rebate before the cap reaches it (`uncapped >= cap`): more volume adds nothing. At the volume so far, and
    /// at the projected volume.
    public var bindsNow: Bool
    public var bindsAtProjection: Bool
    /// The least volume at which the exact rebate (before rounding) reaches the cap, to the cent rounded up, at the
    /// percent earned so far (the attach band reached now held), and at the percent earned at the projection;
    /// `nil` when no volume reaches it.
    public var volumeReached: Money?
    public var volumeReachedAtProjection: Money?
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
    /// In-period orders (positive lines), and the part tagged (with one of `tags`): credit notes are apart.
    public var inPeriodVolume: Money
    public var taggedVolume: Money
    /// Per mille of the in-period orders tagged (exact, half even).
    public var taggedPerMille: Int
    /// Untagged orders (positive lines) in force of a rule that needs a tag, and the MDF tagging them would add:
    /// the engine's evaluation with them tagged, less what the partner earns.
    public var untaggedVolume: Money
    public var untaggedLines: Int
    public var mdfLost: Money
    /// The engine's missed amount: every untagged line, credit notes included, tagged.
    public var engineMissed: Money
    /// In-period credit notes (negative lines), apart: how many, their sum, and the parts tagged and untagged.
    public var creditLines: Int
    public var creditVolume: Money
    public var taggedCreditVolume: Money
    public var untaggedCreditVolume: Money
    /// Untagged orders that look like they should have been tagged (never a credit note).
    public var candidates: [Candidate]
    /// Where the qualifying volume leads (`projectedVolume` is its expected volume).
    public var forecast: Forecast?
    /// The engine's missed amount split into what can still be had this period and what is lost.
    public var missed: MissedSplit?

    /// Still to book to reach the minimum (0 once met).
    public var gap: Money { Money(cents: max(0, minimum.cents - qualifyingVolume.cents)) }
    public var minimumMet: Bool { qualifyingVolume >= minimum }
}
