import IncentiveEngine

/// One step of the advice with the day it is tied to and what kind of day that is (docs/advice.md, "Dated
/// actions"): enrol on or after a day, renew before one, submit CSAT reports by the period end, and so on.
public struct DatedAction: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Enrol in a subtrack on or before `date`: the period end, the last day with full credit
        /// (`full_credit_enrollment_until`), or the advice day when a later enrolment would be tested differently.
        case enrollBy = "enroll_by"
        /// Enrol on or after `date` (and by `until`): under `knowledge_deadline: enrollment` the credentials are
        /// tested on the enrolment day, and `date` is the day the last of them is ready. Earlier pays nothing.
        case enrollOnOrAfter = "enroll_on_or_after"
        /// Unenrol and enrol again on or after `date` (and by `until`): the new enrolment day is the day the
        /// credentials are tested on.
        case reEnrollOnOrAfter = "re_enroll_on_or_after"
        /// Start acquiring `credential` now: it is ready on `date` (advice day + lead time), and must be held by `until`.
        case acquire
        /// A held `credential` whose last valid day, `date`, falls before the day its check uses (`until`): renew
        /// it before then.
        case renewBefore = "renew_before"
        /// A held `credential` that has lapsed already: a renewal started now is ready on `date`, by `until`.
        case renew
        /// Submit `count` more CSAT reports by `date`, the period end (a report dated on it still counts).
        case submitCSATBy = "submit_csat_by"
        /// Tag `count` untagged lines (the candidates to re-tag) by `date`, the period end.
        case tagBy = "tag_by"
    }

    /// A subtrack (`path`) of a program, or an MDF program (`path` nil).
    public struct Target: Sendable, Hashable {
        public var program: String
        public var path: String?

        public init(program: String, path: String?) {
            self.program = program
            self.path = path
        }

        public var text: String { path.map { "\(program) \($0)" } ?? program }
    }

    public var kind: Kind
    public var date: Day
    /// The last day the step still works, when that differs from `date` (the day a credential must be held by,
    /// the last day to enrol).
    public var until: Day?
    /// What the step is for: the subtracks (or the MDF program) whose money depends on it.
    public var targets: [Target]
    public var credential: String?
    /// CSAT reports still to submit, or lines to tag.
    public var count: Int?
    /// What the step costs (a credential acquired or renewed).
    public var cost: Money?
    /// The rebate (or MDF) of this period that depends on the step: the expected rebate (at the projected volume).
    public var atStake: Money
    /// For an enrolment: what the subtrack pays on the volume counted so far once enrolled (re-enrolled) as the step says.
    public var rebateSoFar: Money?

    public init(
        kind: Kind, date: Day, until: Day? = nil, targets: [Target], credential: String? = nil, count: Int? = nil, cost: Money? = nil,
        atStake: Money, rebateSoFar: Money? = nil
    ) {
        self.kind = kind
        self.date = date
        self.until = until
        self.targets = targets
        self.credential = credential
        self.count = count
        self.cost = cost
        self.atStake = atStake
        self.rebateSoFar = rebateSoFar
    }

    /// Date order; on one day, in the order of `Kind` (credentials before enrolments), then by what they are for.
    static func inDateOrder(_ a: DatedAction, _ b: DatedAction) -> Bool {
        if a.date != b.date { return a.date < b.date }
        let kinds = Kind.allCases
        let order: [Kind] = [.renew, .renewBefore, .acquire, .enrollBy, .enrollOnOrAfter, .reEnrollOnOrAfter, .submitCSATBy, .tagBy]
        let ka = order.firstIndex(of: a.kind) ?? kinds.count, kb = order.firstIndex(of: b.kind) ?? kinds.count
        if ka != kb { return ka < kb }
        let ta = a.targets.map(\.text).joined(separator: ","), tb = b.targets.map(\.text).joined(separator: ",")
        if ta != tb { return ta.utf8.lexicographicallyPrecedes(tb.utf8) }
        return (a.credential ?? "").utf8.lexicographicallyPrecedes((b.credential ?? "").utf8)
    }
}

/// A partner's deadline calendar: every dated step of the advice, in date order.
public enum AdviceCalendar {
    /// The plan's steps (`recommendation.actions`) and, for each MDF program still running, the lines to tag. Without a
    /// recommendation, the plan of `Recommender.recommend(advice, catalogue: [])`: enrolments, CSAT reports and tags,
    /// no credentials.
    public static func actions(_ advice: PartnerAdvice, recommendation: Recommendation? = nil) -> [DatedAction] {
        (recommendation ?? Recommender.recommend(advice, catalogue: [])).actions
    }

    /// The MDF programs' lines to tag while the period has not ended: the candidates to re-tag, by the period end, and
    /// the MDF they would accrue at the tier's `accrual_percent` on their sum (the engine's `AmountBasis`).
    static func tagActions(_ advice: PartnerAdvice) -> [DatedAction] {
        var actions: [DatedAction] = []
        for program in advice.programs {
            guard let mdf = program.mdf, !mdf.candidates.isEmpty, advice.asOf <= program.program.period.end,
                case .mdf(let rules) = program.program.rules
            else { continue }
            let volume = mdf.candidates.reduce(Int64(0)) { $0 + $1.amount.cents }
            let percent = Tier(rawValue: mdf.tier).flatMap { rules.tiers[$0]?.accrualPercent }
            let accrual = percent.map { AmountBasis(base: Money(cents: volume), percent: $0).amount } ?? .zero
            actions.append(
                DatedAction(
                    kind: .tagBy, date: program.program.period.end, targets: [DatedAction.Target(program: program.program.id, path: nil)],
                    count: mdf.candidates.count, atStake: accrual))
        }
        return actions
    }
}
