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
    /// A check read back from a stored run has only its words: `.text`.
    public var facts: Facts { detail }
    /// The explanation, or the facts it is worded from. Most results are never read by people (a CSV
    /// has no explanations), so the engine words them only when asked.
    var detail: Facts

    public init(code: Code, passed: Bool, reason: String?, explanation: String) {
        self.init(code: code, passed: passed, reason: reason, detail: .text(explanation))
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
        /// Already worded (a check read back from a stored run, or made from text).
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
    /// A VIP row that is not eligible misses that amount. `nil` for a row read back from a stored run.
    public var basis: AmountBasis?

    /// Failed checks' reason codes, in check order.
    public var reasons: [String] { checks.compactMap { $0.passed ? nil : $0.reason } }

    public init(
        program: String, kind: ProgramKind, partnerID: String, item: String, qualifyingVolume: Money, threshold: Money,
        eligible: Bool, amount: Money, missedAmount: Money, checks: [Check], basis: AmountBasis? = nil
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

    public init(partnerID: String, status: PartnerStatus, rows: [ResultRow]) {
        self.partnerID = partnerID
        self.status = status
        self.rows = rows
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
