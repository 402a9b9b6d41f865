/// One rule checked for one result row, passed or not, with its numbers in words.
public struct Check: Sendable, Hashable {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case tier, csat, credential, volume
        case strategicService = "strategic_service"
    }

    public var code: Code
    public var passed: Bool
    /// The reason code of formats.md §4 when failed (`csat:7/10`); `nil` when passed.
    public var reason: String?
    /// What was checked and found, for people: "9 of 10 CSAT reports submitted in the period".
    public var explanation: String {
        get { detail.text }
        set { detail = .text(newValue) }
    }
    /// The facts the explanation is worded from, for wording them another way (another language).
    /// A check read back from a run stored before runs kept facts has only its words: `.text`.
    public var facts: Facts { detail }
    /// The explanation, or the facts it is worded from. Most results are never read by people (a CSV
    /// has no explanations), so the engine words them only when asked.
    var detail: Facts

    public init(code: Code, passed: Bool, reason: String?, explanation: String) {
        self.init(code: code, passed: passed, reason: reason, detail: .text(explanation))
    }

    /// A check with the facts it is worded from (a check read back from a stored run's facts, `CheckBlobs`).
    public init(code: Code, passed: Bool, reason: String?, facts: Facts) {
        self.init(code: code, passed: passed, reason: reason, detail: facts)
    }

    init(code: Code, passed: Bool, reason: String?, detail: Facts) {
        self.code = code
        self.passed = passed
        self.reason = passed ? nil : reason
        self.detail = detail
    }

    /// Equal when code, outcome, reason and the worded explanation are.
    public static func == (lhs: Check, rhs: Check) -> Bool {
        lhs.code == rhs.code && lhs.passed == rhs.passed && lhs.reason == rhs.reason && lhs.explanation == rhs.explanation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(passed)
        hasher.combine(reason)
        hasher.combine(explanation)
    }
}

extension Check {
    /// What a check found, as typed values; `Check.explanation` is these facts worded in English (see
    /// `VIPEvaluation` and `MDFEvaluation` for the words). Whether the check passed follows from the facts.
    public enum Facts: Sendable {
        /// Already worded (a check read back from a run stored before runs kept facts, or made from text).
        case text(String)
        /// The partner's tier against the tiers the program admits.
        case tier(tier: Tier, eligibleTiers: Set<Tier>)
        /// CSAT reports submitted in `period` against the number required.
        case csat(found: Int, required: Int, period: DayRange)
        /// A subtrack that requires no credentials.
        case noCredentialsRequired
        /// One `requires_all` credential: every credential the partner holds, valid or not, and the day it must be valid on.
        case credential(id: String, held: [Credential], deadline: Day, rule: KnowledgeDeadline)
        /// The `requires_any` list.
        case anyCredential(ids: [String], held: [Credential], deadline: Day, rule: KnowledgeDeadline)
        /// The qualifying volume against the minimum that applied (the partner country's when `byCountry`).
        case volume(volume: Money, minimum: Money, country: String, currency: String, byCountry: Bool)
        /// MDF: the partner's services (the strategic ones overlapping `period` count).
        case strategicService(services: [PoweredService], period: DayRange, tier: Tier)

        /// The English words, a function of the facts alone.
        public var text: String {
            switch self {
            case .text(let text): return text
            case .tier(let tier, let eligibleTiers):
                let allowed = eligibleTiers.sorted().map(\.rawValue).joined(separator: ", ")
                return eligibleTiers.contains(tier)
                    ? "tier \(tier.rawValue) is eligible (eligible tiers: \(allowed))"
                    : "tier \(tier.rawValue) is not eligible (eligible tiers: \(allowed))"
            case .csat(let found, let required, let period): return VIPEvaluation.csatExplanation(found: found, required: required, period: period)
            case .noCredentialsRequired: return "no credentials required"
            case .credential(let id, let held, let deadline, let rule):
                return VIPEvaluation.credentialExplanation(id: id, held: held, deadline: deadline, rule: rule)
            case .anyCredential(let ids, let held, let deadline, let rule):
                return VIPEvaluation.anyCredentialExplanation(ids: ids, held: held, deadline: deadline, rule: rule)
            case .volume(let volume, let minimum, let country, let currency, let byCountry):
                return VIPEvaluation.volumeExplanation(volume: volume, minimum: minimum, country: country, byCountry: byCountry, currency: currency)
            case .strategicService(let services, let period, let tier):
                return MDFEvaluation.strategicExplanation(services: services, period: period, tier: tier)
            }
        }

        /// How the partner's records of credential `id` stand on `deadline`, record by record (empty: not held).
        public static func records(of id: String, in held: [Credential], on deadline: Day) -> [CredentialStanding] {
            held.filter { $0.credential.isExactly(id) }.map { record in
                if record.achievedOn > deadline { return .achievedAfterDeadline(record.achievedOn) }
                if let expiry = record.expiresOn, expiry < deadline { return .expired(expiry) }
                return .valid
            }
        }

        /// Whether the partner holds credential `id`, valid on `deadline`.
        public static func holds(_ id: String, in held: [Credential], on deadline: Day) -> Bool {
            VIPEvaluation.holds(held, id, on: deadline)
        }

        /// What a credential check asked for and the day it was tested on; `nil` for other checks.
        public var credentialRequirement: CredentialRequirement? {
            switch self {
            case .credential(let id, _, let deadline, let rule): return CredentialRequirement(ids: [id], anyOf: false, deadline: deadline, rule: rule)
            case .anyCredential(let ids, _, let deadline, let rule):
                return CredentialRequirement(ids: ids, anyOf: true, deadline: deadline, rule: rule)
            default: return nil
            }
        }

        /// What is missing for the check to pass: `nil` when it passes, or when nothing countable is missing
        /// (tier, credentials, strategic service) or the facts are only words.
        public var shortfall: Shortfall? {
            switch self {
            case .csat(let found, let required, _): return found < required ? .csatReports(required - found) : nil
            case .volume(let volume, let minimum, _, _, _): return volume < minimum ? .volume(Money(cents: minimum.cents - volume.cents)) : nil
            default: return nil
            }
        }
    }

    /// The credentials a credential check asks for: one `requires_all` id, or the `requires_any` list (one of them
    /// is enough), and the day they must be valid on under the program's knowledge deadline.
    public struct CredentialRequirement: Sendable, Hashable {
        public var ids: [String]
        /// `requires_any`: any one of `ids` will do.
        public var anyOf: Bool
        public var deadline: Day
        public var rule: KnowledgeDeadline

        public init(ids: [String], anyOf: Bool, deadline: Day, rule: KnowledgeDeadline) {
            self.ids = ids
            self.anyOf = anyOf
            self.deadline = deadline
            self.rule = rule
        }
    }

    /// How far a failing check is from passing.
    public enum Shortfall: Sendable, Hashable {
        /// Qualifying volume still to book to reach the minimum.
        case volume(Money)
        /// CSAT reports still to collect within the period.
        case csatReports(Int)
    }

    /// One credential record against the day it must be valid on.
    public enum CredentialStanding: Sendable, Hashable {
        case valid
        case achievedAfterDeadline(Day)
        case expired(Day)
    }
}

/// One row of results: (program, partner, item), item being a subtrack path or an MDF tier.
public struct ResultRow: Sendable, Hashable {
    public var program: String
    public var kind: ProgramKind
    public var partnerID: String
    public var item: String
    public var qualifyingVolume: Money
    /// The minimum volume that applied to this partner.
    public var threshold: Money
    public var eligible: Bool
    /// The rebate (VIP) or accrual (MDF).
    public var amount: Money
    public var missedAmount: Money
    public var checks: [Check]
    /// How the amount is made: the rebate (VIP) or accrual (MDF) the row pays when eligible, `basis.amount`.
    /// A VIP row that is not eligible misses that amount. `nil` for a row read back from a stored run, and for
    /// the rows of a program using the rules of formats.md §5.2-5.4, whose amount `rebate` tells.
    public var basis: AmountBasis?
    /// How the amount is made under the rules of formats.md §5.4 (base, slices, attach bonus, baseline, cap):
    /// set on every VIP row of a program that `usesV2Rules`, `nil` otherwise (then `basis` tells), and on a row read
    /// back from a run stored before the workspace kept these facts (schema v6).
    public var rebate: RebateComputation? {
        get { v2?.rebate }
        set { v2 = V2Facts(rebate: newValue, leftOut: leftOut) }
    }
    /// The booking lines of this subtrack left out by the enrolment cut-off or by product entries' dates;
    /// set with `rebate`.
    public var leftOut: LeftOutLines? {
        get { v2?.leftOut }
        set { v2 = V2Facts(rebate: rebate, leftOut: newValue) }
    }
    /// `rebate` and `leftOut` behind one reference, so that a v1 row (most rows) stays as small as before.
    private var v2: V2Facts?

    private final class V2Facts: Sendable {
        let rebate: RebateComputation?
        let leftOut: LeftOutLines?

        init?(rebate: RebateComputation?, leftOut: LeftOutLines?) {
            if rebate == nil && leftOut == nil { return nil }
            self.rebate = rebate
            self.leftOut = leftOut
        }
    }

    /// Failed checks' reason codes, in check order.
    public var reasons: [String] { checks.compactMap { $0.passed ? nil : $0.reason } }

    public init(
        program: String, kind: ProgramKind, partnerID: String, item: String, qualifyingVolume: Money, threshold: Money,
        eligible: Bool, amount: Money, missedAmount: Money, checks: [Check], basis: AmountBasis? = nil, rebate: RebateComputation? = nil,
        leftOut: LeftOutLines? = nil
    ) {
        self.program = program
        self.kind = kind
        self.partnerID = partnerID
        self.item = item
        self.qualifyingVolume = qualifyingVolume
        self.threshold = threshold
        self.eligible = eligible
        self.amount = amount
        self.missedAmount = missedAmount
        self.checks = checks
        self.basis = basis
        self.v2 = V2Facts(rebate: rebate, leftOut: leftOut)
    }

    /// Equal when every result column and check is: the basis is how the amount was made, not part of the result
    /// (a row read back from a stored run has none).
    public static func == (lhs: ResultRow, rhs: ResultRow) -> Bool {
        lhs.program == rhs.program && lhs.kind == rhs.kind && lhs.partnerID == rhs.partnerID && lhs.item == rhs.item
            && lhs.qualifyingVolume == rhs.qualifyingVolume && lhs.threshold == rhs.threshold && lhs.eligible == rhs.eligible
            && lhs.amount == rhs.amount && lhs.missedAmount == rhs.missedAmount && lhs.checks == rhs.checks
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(program)
        hasher.combine(kind)
        hasher.combine(partnerID)
        hasher.combine(item)
        hasher.combine(qualifyingVolume)
        hasher.combine(threshold)
        hasher.combine(eligible)
        hasher.combine(amount)
        hasher.combine(missedAmount)
        hasher.combine(checks)
    }
}

/// How a rebate or accrual is made from a volume (formats.md §2, §3): `round(base × percent / 100)` to cents,
/// half to even, once on the total; nothing when the base is not positive.
public struct AmountBasis: Sendable, Hashable {
    /// The only rounding the rules know: to cents, ties to the even cent.
    public enum Rounding: String, Sendable, Hashable {
        case halfEvenToCents = "half_even"
    }

    /// The volume the percent is taken of (the qualifying volume).
    public var base: Money
    /// Scale 4.
    public var percent: ScaledDecimal
    public var rounding: Rounding

    public init(base: Money, percent: ScaledDecimal, rounding: Rounding = .halfEvenToCents) {
        self.base = base
        self.percent = percent
        self.rounding = rounding
    }

    /// The amount: `percent` of `base`, rounded; zero when the base is zero or negative (credits exceed bookings).
    @inline(__always)
    public var amount: Money {
        base.cents > 0 ? IncentiveEngine.Rounding.apply(percent: percent, to: base) : .zero
    }
}

/// A partner's standing in one program; the cases in the order lists and counts show them.
public enum PartnerStatus: String, Sendable, Hashable, CaseIterable {
    /// VIP: every enrolled subtrack eligible; MDF: accrual earned.
    case eligible
    /// VIP: some enrolled subtracks eligible.
    case partiallyEligible = "partially_eligible"
    case ineligible
    /// VIP: no enrolment in this program.
    case notEnrolled = "not_enrolled"
    /// MDF: not a provider, or a tier the program does not list.
    case notTakingPart = "not_taking_part"

    /// Enrolled (VIP) or a provider of a tier the program lists (MDF): the partners a program's lists and
    /// counts are about.
    public var takesPart: Bool { self != .notEnrolled && self != .notTakingPart }
    /// Paid in full or in part: VIP eligible or partially eligible, MDF accrual earned.
    public var isEligible: Bool { self == .eligible || self == .partiallyEligible }
}

/// One partner in one program: its status, rows and totals.
public struct PartnerResult: Sendable, Hashable {
    public var partnerID: String
    public var status: PartnerStatus
    public var rows: [ResultRow]
    /// The tier the program used, taken on its period's last day (formats.md §5.5): set when the partner has
    /// rows in `tiers.csv`, `nil` when its only tier is that of `partners.csv`.
    public var tier: TierOnDay? {
        get { tierBox?.tier }
        set { tierBox = newValue.map(TierBox.init) }
    }
    /// `tier` behind a reference: most partners have no tier history, and a result is kept per partner and program.
    private var tierBox: TierBox?

    private final class TierBox: Sendable, Hashable {
        let tier: TierOnDay
        init(_ tier: TierOnDay) { self.tier = tier }
        static func == (lhs: TierBox, rhs: TierBox) -> Bool { lhs.tier == rhs.tier }
        func hash(into hasher: inout Hasher) { hasher.combine(tier) }
    }

    public init(partnerID: String, status: PartnerStatus, rows: [ResultRow], tier: TierOnDay? = nil) {
        self.partnerID = partnerID
        self.status = status
        self.rows = rows
        self.tierBox = tier.map(TierBox.init)
    }

    public var amount: Money { Money(cents: rows.reduce(0) { $0 + $1.amount.cents }) }
    public var missedAmount: Money { Money(cents: rows.reduce(0) { $0 + $1.missedAmount.cents }) }
    public var takesPart: Bool { status.takesPart }
    /// Paid in full or in part (`PartnerStatus.isEligible`).
    public var isEligible: Bool { status.isEligible }
}

/// Every partner's result in one program, partners sorted by id.
public struct ProgramResult: Sendable {
    public var program: Program
    public var partners: [PartnerResult]

    public init(program: Program, partners: [PartnerResult]) {
        self.program = program
        self.partners = partners
    }

    public var rows: [ResultRow] {
        var rows: [ResultRow] = []
        rows.reserveCapacity(partners.reduce(0) { $0 + $1.rows.count })
        for partner in partners { rows.append(contentsOf: partner.rows) }
        return rows
    }
    public var amount: Money { Money(cents: partners.reduce(0) { $0 + $1.amount.cents }) }
    public var missedAmount: Money { Money(cents: partners.reduce(0) { $0 + $1.missedAmount.cents }) }
    /// Partners taking part in the program (enrolled, or MDF providers of a listed tier).
    public var partnersTakingPart: Int { partners.reduce(0) { $1.takesPart ? $0 + 1 : $0 } }
    /// Partners paid in full or in part (`PartnerResult.isEligible`): the one count every summary shows.
    public var eligiblePartners: Int { partners.reduce(0) { $1.isEligible ? $0 + 1 : $0 } }
}

/// The results of a computation, programs sorted by id.
public struct ComputeResult: Sendable {
    public var programs: [ProgramResult]

    public init(programs: [ProgramResult]) {
        self.programs = programs
    }

    /// Every row, sorted by program id, partner id, item (formats.md §4).
    public var rows: [ResultRow] {
        var rows: [ResultRow] = []
        rows.reserveCapacity(programs.reduce(0) { total, program in program.partners.reduce(total) { $0 + $1.rows.count } })
        for program in programs {
            for partner in program.partners { rows.append(contentsOf: partner.rows) }
        }
        return rows
    }
}

extension String {
    /// Orders by the bytes of the UTF-8 text, which is how results are sorted.
    static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

/// How a VIP subtrack's amount is made under formats.md §5.4:
/// `min(cap, round(Σ slice × (percent + bonus) / 100))`, rounded once, half to even; 0 when the base is 0 or less.
/// The rebate of an eligible row, the missed amount of an ineligible one.
public struct RebateComputation: Sendable, Hashable {
    /// One slice of the base and the percent it earns.
    public struct Slice: Sendable, Hashable {
        /// Where the slice starts on the base: its tier's `from` (0 for `rebate_percent`).
        public var from: Money
        /// The part of the base in this slice.
        public var amount: Money
        /// Scale 4: the tier's (or `rebate_percent`'s) percent, before the attach bonus.
        public var percent: ScaledDecimal
        /// Scale 4: `percent` plus the attach bonus, what the slice earns.
        public var totalPercent: ScaledDecimal

        public init(from: Money, amount: Money, percent: ScaledDecimal, totalPercent: ScaledDecimal) {
            self.from = from
            self.amount = amount
            self.percent = percent
            self.totalPercent = totalPercent
        }
    }

    /// The attach volume, its rate against the qualifying volume, and the band it reached.
    public struct Attach: Sendable, Hashable {
        /// Sum of the partner's in-period lines matching `attach_bonus.products` (program currency).
        public var volume: Money
        /// The band reached; `nil` when none (then no bonus).
        public var band: AttachBand?
        /// Scale 4: the band's percent, 0 without one.
        public var bonus: ScaledDecimal

        public init(volume: Money, band: AttachBand?, bonus: ScaledDecimal) {
            self.volume = volume
            self.band = band
            self.bonus = bonus
        }

        /// `100 × volume / qualifying` to two decimals, the rest cut off, for people (the band is chosen exactly):
        /// 14.999975% reads 14.99%, never a band's 15% it did not reach; `nil` when the qualifying volume is 0 or less.
        public func rate(qualifying: Money) -> ScaledDecimal? {
            guard qualifying.cents > 0 else { return nil }
            let hundredths = Int128(volume.cents) * 10_000 / Int128(qualifying.cents)
            return ScaledDecimal(units: Int64(clamping: hundredths), scale: 2)
        }
    }

    /// The growth baseline: the partner's lines of the subtrack in the baseline period, scaled to the program period.
    public struct BaselineFigure: Sendable, Hashable {
        public var period: DayRange
        public var periodName: String?
        /// Sum of the lines of the subtrack whose counting date lies in `period` (program currency).
        public var sum: Money
        /// `days(baseline period)` and `days(program period)`.
        public var baselineDays: Int
        public var programDays: Int
        /// `round(sum × programDays / baselineDays)`, half to even; 0 when that is negative.
        public var amount: Money

        public init(period: DayRange, periodName: String?, sum: Money, baselineDays: Int, programDays: Int, amount: Money) {
            self.period = period
            self.periodName = periodName
            self.sum = sum
            self.baselineDays = baselineDays
            self.programDays = programDays
            self.amount = amount
        }
    }

    public var rebateBase: RebateBase
    /// The qualifying volume, less the minimum (`above_minimum`) or the baseline (`growth`).
    public var base: Money
    /// `nil` for `rebate_percent`.
    public var tierMethod: TierMethod?
    /// With `rebate_percent` by tier: the partner tier whose percent applied; `nil` when the `default` did.
    public var percentTier: Tier?
    /// In order of `from`; empty when the base is 0 or less.
    public var slices: [Slice]
    /// `nil` without `attach_bonus`.
    public var attach: Attach?
    /// `nil` without `baseline`.
    public var baseline: BaselineFigure?
    /// `round(Σ slice × totalPercent / 100)`, before the cap.
    public var uncapped: Money
    public var cap: Money?
    /// `min(cap, uncapped)`; 0 when the base is 0 or less.
    public var amount: Money

    public init(
        rebateBase: RebateBase, base: Money, tierMethod: TierMethod?, percentTier: Tier?, slices: [Slice], attach: Attach?,
        baseline: BaselineFigure?, uncapped: Money, cap: Money?, amount: Money
    ) {
        self.rebateBase = rebateBase
        self.base = base
        self.tierMethod = tierMethod
        self.percentTier = percentTier
        self.slices = slices
        self.attach = attach
        self.baseline = baseline
        self.uncapped = uncapped
        self.cap = cap
        self.amount = amount
    }

    /// Whether the cap lowered the amount.
    public var capBound: Bool { cap.map { uncapped > $0 } ?? false }
}

/// Booking lines of one partner and subtrack that the rules of formats.md §5.2-5.3 left out, in program currency.
public struct LeftOutLines: Sendable, Hashable {
    /// The enrolment date when it is after `full_credit_enrollment_until`: lines counted before it are left out.
    public var enrolledLateOn: Day?
    /// In-period lines with a counting date before `enrolledLateOn`.
    public var beforeEnrollmentLines: Int
    public var beforeEnrollmentVolume: Money
    /// In-period lines whose SKU matches an entry of this subtrack by pattern but whose `booked_on` lies outside
    /// the entry's dates, and which no other subtrack took.
    public var outsideProductDatesLines: Int
    public var outsideProductDatesVolume: Money
    /// In-period lines matching the attach bonus's products with a counting date before `enrolledLateOn`: left out
    /// of the attach volume.
    public var attachBeforeEnrollmentLines: Int
    public var attachBeforeEnrollmentVolume: Money

    public init(
        enrolledLateOn: Day? = nil, beforeEnrollmentLines: Int = 0, beforeEnrollmentVolume: Money = .zero, outsideProductDatesLines: Int = 0,
        outsideProductDatesVolume: Money = .zero, attachBeforeEnrollmentLines: Int = 0, attachBeforeEnrollmentVolume: Money = .zero
    ) {
        self.attachBeforeEnrollmentLines = attachBeforeEnrollmentLines
        self.attachBeforeEnrollmentVolume = attachBeforeEnrollmentVolume
        self.enrolledLateOn = enrolledLateOn
        self.beforeEnrollmentLines = beforeEnrollmentLines
        self.beforeEnrollmentVolume = beforeEnrollmentVolume
        self.outsideProductDatesLines = outsideProductDatesLines
        self.outsideProductDatesVolume = outsideProductDatesVolume
    }
}

/// A partner's tier on a day (formats.md §5.5).
public struct TierOnDay: Sendable, Hashable {
    public var tier: Tier
    /// The day it was taken on (a program's period end).
    public var day: Day
    /// The `valid_from` of the `tiers.csv` row in force; `nil` when the tier is that of `partners.csv`.
    public var validFrom: Day?

    public init(tier: Tier, day: Day, validFrom: Day?) {
        self.tier = tier
        self.day = day
        self.validFrom = validFrom
    }
}
