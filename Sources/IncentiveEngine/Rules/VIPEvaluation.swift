import Synchronization

/// The Value Incentive Program rules of formats.md §2: checks, rebate and missed amount per enrolled subtrack.
public enum VIPEvaluation {
    /// What is the same for every partner of one program, worked out once per program. A class, so the
    /// evaluation of each partner reaches into it instead of copying (and retaining) its parts.
    final class Context: Sendable {
        let programID: String
        let currency: String
        let period: DayRange
        let knowledgeDeadline: KnowledgeDeadline
        let csatRequired: Int
        let subtracks: [SubtrackContext]
        /// The program uses the rules of formats.md §5.2-5.4: rows carry `RebateComputation` and `LeftOutLines`.
        let usesV2Rules: Bool
        let fullCreditEnrollmentUntil: Day?
        /// The tier check per tier, in `Tier.allCases` order.
        let tierChecks: [Check]
        /// `csat:<found>/<required>` for each failing count below `csatRequired` (when it is small).
        let csatReasons: [String]

        final class SubtrackContext: Sendable {
            let path: String
            /// Position of `path` among the program's paths in byte order (equal paths share one).
            let rank: Int
            let subtrack: Subtrack
            let rebatePercent: ScaledDecimal
            let requiresAll: [String]
            let requiresAny: [String]
            /// `credential:<id>` per `requires_all` credential.
            let allReasons: [String]
            /// `credential:<a>|<b>`.
            let anyReason: String
            let defaultMinimum: Money
            /// `minimum_volume` by country, for a scan instead of hashing the country per row.
            let byCountry: [(country: String, amount: Money)]
            /// `volume:0.00<<minimum>` per minimum this subtrack can apply (most partners book nothing).
            let zeroVolumeReasons: [(minimum: Money, reason: String)]

            init(path: String, rank: Int, subtrack: Subtrack) {
                self.path = path
                self.rank = rank
                self.subtrack = subtrack
                rebatePercent = subtrack.rebatePercent
                requiresAll = subtrack.requiresAll
                requiresAny = subtrack.requiresAny
                allReasons = subtrack.requiresAll.map { "credential:\($0)" }
                anyReason = "credential:\(subtrack.requiresAny.joined(separator: "|"))"
                defaultMinimum = subtrack.minimumVolume.defaultAmount
                byCountry = subtrack.minimumVolume.byCountry.map { ($0.key, $0.value) }
                let minimums = [defaultMinimum] + byCountry.map(\.amount)
                zeroVolumeReasons = minimums.map { ($0, TextBytes.volumeReason(volume: .zero, minimum: $0)) }
            }
        }

        init(program: Program, rules: VIPRules) {
            programID = program.id
            currency = program.currency
            period = program.period
            knowledgeDeadline = rules.knowledgeDeadline
            csatRequired = rules.csatRequired
            usesV2Rules = rules.usesV2Rules
            fullCreditEnrollmentUntil = rules.fullCreditEnrollmentUntil
            let paths = rules.subtrackPaths
            subtracks = paths.map { entry in
                let rank = Set(paths.map(\.path).filter { String.byteOrder($0, entry.path) }.map { Array($0.utf8) }).count
                return SubtrackContext(path: entry.path, rank: rank, subtrack: entry.subtrack)
            }
            tierChecks = Tier.allCases.map { tier in
                VIPEvaluation.tierCheck(partner: Partner(id: "", name: "", country: "", tier: tier, provider: false), rules: rules)
            }
            let required = rules.csatRequired
            csatReasons = (0..<(required > 0 && required <= 1000 ? required : 0)).map { TextBytes.csatReason(found: $0, required: required) }
        }

        /// The index of the subtrack whose path is `path`, byte for byte (the first one, in document order).
        @inline(__always)
        func subtrackIndex(_ path: String) -> Int? {
            subtracks.firstIndex { $0.path.isExactly(path) }
        }
    }

    /// The result of partner `partnerIndex` with the per-program work done once in `context`.
    static func evaluate(
        _ context: Context, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int, enrollments: ArraySlice<Enrollment>
    ) -> PartnerResult {
        let partnerID = dataset.partners[partnerIndex].id
        // The tier in force on the period's last day (formats.md §5.5): that of partners.csv without tiers.csv rows.
        let tierOnDay = dataset.hasTierHistory(partner: partnerIndex) ? dataset.tier(partner: partnerIndex, on: context.period.end) : nil
        guard !enrollments.isEmpty else { return PartnerResult(partnerID: partnerID, status: .notEnrolled, rows: [], tier: tierOnDay) }
        let country = dataset.partners[partnerIndex].country
        let tier = tierOnDay?.tier ?? dataset.partners[partnerIndex].tier
        let tierCheck = context.tierChecks[tier.position]
        let found = dataset.csatCount(partner: partnerIndex, in: context.period)
        let required = context.csatRequired
        let csat = Check(
            code: .csat, passed: found >= required,
            reason: found >= required
                ? nil
                : found >= 0 && found < context.csatReasons.count
                    ? context.csatReasons[found] : TextBytes.csatReason(found: found, required: required),
            detail: .csat(found: found, required: required, period: context.period))
        let held = dataset.credentials[partnerIndex]
        var rows: [ResultRow] = []
        rows.reserveCapacity(enrollments.count)
        var lastRank = Int.min
        var inOrder = true
        for enrollment in enrollments {
            guard let subtrackIndex = context.subtrackIndex(enrollment.subtrack) else { continue }
            let entry = context.subtracks[subtrackIndex]
            let deadline = context.knowledgeDeadline.credentialDeadline(enrolledOn: enrollment.enrolledOn, period: context.period)
            var checks: [Check] = []
            checks.reserveCapacity(3 + max(1, entry.requiresAll.count + (entry.requiresAny.isEmpty ? 0 : 1)))
            checks.append(tierCheck)
            checks.append(csat)
            appendCredentialChecks(to: &checks, entry, held: held, deadline: deadline, rule: context.knowledgeDeadline)
            let volume = totals.subtracks[partnerIndex * totals.subtrackCount + subtrackIndex].volume
            let countryMinimum = entry.byCountry.first { $0.country == country }?.amount
            let minimum = countryMinimum ?? entry.defaultMinimum
            let volumePassed = VIPEvaluation.meetsMinimum(volume, minimum)
            let volumeReason: String? =
                volumePassed
                ? nil
                : (volume.cents == 0 ? entry.zeroVolumeReasons.first { $0.minimum == minimum }?.reason : nil)
                    ?? TextBytes.volumeReason(volume: volume, minimum: minimum)
            checks.append(
                Check(
                    code: .volume, passed: volumePassed, reason: volumeReason,
                    detail: .volume(volume: volume, minimum: minimum, country: country, currency: context.currency, byCountry: countryMinimum != nil))
            )
            let eligible = checks.allSatisfy(\.passed)
            if lastRank > entry.rank { inOrder = false }
            lastRank = entry.rank
            if context.usesV2Rules {
                let extras = totals.extras(partner: partnerIndex, subtrack: subtrackIndex)
                let computation = RebateFormula.compute(
                    entry.subtrack, tier: tier, volume: volume, minimum: minimum, attachVolume: extras.attachVolume,
                    baselineSum: extras.baselineVolume, period: context.period)
                let late = context.fullCreditEnrollmentUntil.map { enrollment.enrolledOn > $0 } ?? false
                let leftOut = LeftOutLines(
                    enrolledLateOn: late ? enrollment.enrolledOn : nil, beforeEnrollmentLines: Int(extras.beforeEnrollmentLines),
                    beforeEnrollmentVolume: extras.beforeEnrollmentVolume, outsideProductDatesLines: Int(extras.outsideProductDatesLines),
                    outsideProductDatesVolume: extras.outsideProductDatesVolume,
                    attachBeforeEnrollmentLines: Int(extras.attachBeforeEnrollmentLines),
                    attachBeforeEnrollmentVolume: extras.attachBeforeEnrollmentVolume)
                let potential = computation.amount
                rows.append(
                    ResultRow(
                        program: context.programID, kind: .vip, partnerID: partnerID, item: enrollment.subtrack, qualifyingVolume: volume,
                        threshold: minimum, eligible: eligible, amount: eligible ? potential : .zero, missedAmount: eligible ? .zero : potential,
                        checks: checks, rebate: computation, leftOut: leftOut))
                continue
            }
            let basis = AmountBasis(base: volume, percent: entry.rebatePercent)
            let potential = basis.amount
            rows.append(
                ResultRow(
                    program: context.programID, kind: .vip, partnerID: partnerID, item: enrollment.subtrack, qualifyingVolume: volume,
                    threshold: minimum, eligible: eligible, amount: eligible ? potential : .zero, missedAmount: eligible ? .zero : potential,
                    checks: checks, basis: basis))
        }
        if !inOrder {
            // Sorted by item in byte order; the ranks order exactly like the items, so the same sort moves rows the same way.
            var ranked = rows.map { row in (context.subtracks[context.subtrackIndex(row.item)!].rank, row) }
            ranked.sort { $0.0 < $1.0 }
            rows = ranked.map(\.1)
        }
        var eligibleCount = 0
        for row in rows where row.eligible { eligibleCount += 1 }
        let status: PartnerStatus = eligibleCount == rows.count ? .eligible : eligibleCount == 0 ? .ineligible : .partiallyEligible
        return PartnerResult(partnerID: partnerID, status: status, rows: rows, tier: tierOnDay)
    }

    static func tierCheck(partner: Partner, rules: VIPRules) -> Check {
        Check(
            code: .tier, passed: rules.eligibleTiers.contains(partner.tier), reason: "tier:\(partner.tier.rawValue)",
            detail: .tier(tier: partner.tier, eligibleTiers: rules.eligibleTiers))
    }

    static func csatExplanation(found: Int, required: Int, period: DayRange) -> String {
        if required == 0 {
            return "no CSAT reports required (\(found) submitted in the period)"
        } else if found >= required {
            return "\(found) CSAT reports submitted \(period.start)..\(period.end), \(required) required"
        } else {
            return "only \(found) of \(required) CSAT reports submitted \(period.start)..\(period.end): \(required - found) more needed"
        }
    }

    @inline(__always)
    static func holds(_ held: [Credential], _ id: String, on deadline: Day) -> Bool {
        held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) }
    }

    static func appendCredentialChecks(
        to checks: inout [Check], _ entry: Context.SubtrackContext, held: [Credential], deadline: Day, rule: KnowledgeDeadline
    ) {
        for (id, reason) in zip(entry.requiresAll, entry.allReasons) {
            let passed = holds(held, id, on: deadline)
            checks.append(
                Check(code: .credential, passed: passed, reason: reason, detail: .credential(id: id, held: held, deadline: deadline, rule: rule)))
        }
        if !entry.requiresAny.isEmpty {
            let passed = entry.requiresAny.contains { holds(held, $0, on: deadline) }
            checks.append(
                Check(
                    code: .credential, passed: passed, reason: entry.anyReason,
                    detail: .anyCredential(ids: entry.requiresAny, held: held, deadline: deadline, rule: rule)))
        }
        if entry.requiresAll.isEmpty && entry.requiresAny.isEmpty {
            checks.append(Check(code: .credential, passed: true, reason: nil, detail: .noCredentialsRequired))
        }
    }

    static func deadlineText(_ deadline: Day, rule: KnowledgeDeadline) -> String {
        rule == .enrollment ? "on the enrolment date \(deadline)" : "at the period end \(deadline)"
    }

    /// What the partner holds of credential `id`, record by record.
    static func describe(_ id: String, held: [Credential], deadline: Day) -> String {
        let records = held.filter { $0.credential.isExactly(id) }
        if records.isEmpty { return "\(id) not held" }
        return records.map { record in
            if record.achievedOn > deadline { return "\(id) achieved \(record.achievedOn), after the deadline" }
            if let expiry = record.expiresOn, expiry < deadline { return "\(id) expired \(expiry)" }
            return "\(id) valid"
        }.joined(separator: "; ")
    }

    static func credentialExplanation(id: String, held: [Credential], deadline: Day, rule: KnowledgeDeadline) -> String {
        let when = deadlineText(deadline, rule: rule)
        return holds(held, id, on: deadline) ? "holds \(id) \(when)" : "requires \(id) \(when): \(describe(id, held: held, deadline: deadline))"
    }

    static func anyCredentialExplanation(ids: [String], held: [Credential], deadline: Day, rule: KnowledgeDeadline) -> String {
        let when = deadlineText(deadline, rule: rule)
        let valid = ids.filter { holds(held, $0, on: deadline) }
        let list = ids.joined(separator: " or ")
        return !valid.isEmpty
            ? "holds \(valid.joined(separator: " and ")) \(when) (needs \(list))"
            : "requires \(list) \(when): \(ids.map { describe($0, held: held, deadline: deadline) }.joined(separator: "; "))"
    }

    /// The volume check of VIP and MDF: the qualifying volume reaches the minimum that applies.
    @inline(__always)
    public static func meetsMinimum(_ volume: Money, _ minimum: Money) -> Bool { volume >= minimum }

    /// What a subtrack pays at `volume` once every check but the volume check passes, when it reaches `minimum`
    /// (nothing otherwise): `rebate_percent` of the volume, rounded half to even, for a v1 subtrack; with the rules of
    /// formats.md §5.4, `RebateFormula.compute` with the `default` percent, no attach volume and no baseline (tiers,
    /// `above_minimum` and the cap apply). For a partner's tier, attach volume and baseline call `RebateFormula.compute`.
    public static func rebate(_ subtrack: Subtrack, at volume: Money, minimum: Money) -> Money {
        guard meetsMinimum(volume, minimum) else { return .zero }
        if subtrack.paysLikeV1 { return AmountBasis(base: volume, percent: subtrack.rebatePercent).amount }
        let period = DayRange(start: Day(daysSinceEpoch: 0), end: Day(daysSinceEpoch: 0))
        return RebateFormula.compute(subtrack, tier: nil, volume: volume, minimum: minimum, period: period).amount
    }

    static func volumeCheck(volume: Money, minimum: Money, country: String, byCountry: Bool, currency: String) -> Check {
        let passed = meetsMinimum(volume, minimum)
        return Check(
            code: .volume, passed: passed, reason: passed ? nil : TextBytes.volumeReason(volume: volume, minimum: minimum),
            detail: .volume(volume: volume, minimum: minimum, country: country, currency: currency, byCountry: byCountry))
    }

    static func volumeExplanation(volume: Money, minimum: Money, country: String, byCountry: Bool, currency: String) -> String {
        let which = byCountry ? "minimum volume \(country)" : "minimum volume"
        if volume >= minimum {
            return "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency): met"
        } else {
            let short = Money(cents: minimum.cents - volume.cents)
            return "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency), short by \(short.groupedText)"
        }
    }
}

extension KnowledgeDeadline {
    /// The day a subtrack's credentials must be valid on: the enrolment date under `enrollment` (the period
    /// end while the partner is not enrolled), the period end under `period_end`.
    public func credentialDeadline(enrolledOn: Day?, period: DayRange) -> Day {
        switch self {
        case .enrollment: return enrolledOn ?? period.end
        case .periodEnd: return period.end
        }
    }
}

extension Tier {
    /// Position in `allCases`.
    var position: Int {
        switch self {
        case .gold: return 0
        case .premier: return 1
        case .select: return 2
        case .registered: return 3
        }
    }
}

extension VIPEvaluation.Context {
    /// Contexts worked out before, by program. A server computes one partner at a time, and working out a
    /// program's context cost more than evaluating the partner; a program is a value, so an equal one
    /// has the same context. Bounded: when full it starts over. Kept by program id: hashing a whole program (every SKU of every subtrack) cost more than the lookup
    /// saved; an equal program (compared in full; equal arrays that share storage compare at once) is a hit.
    private static let kept = Mutex<[String: [(program: Program, context: VIPEvaluation.Context)]]>([:])
    static let keptLimit = 64

    /// The context of `program`: the one kept for an equal program, or a new one (then kept).
    static func of(program: Program, rules: VIPRules) -> VIPEvaluation.Context {
        if let context = kept.withLock({ $0[program.id]?.first { $0.program == program }?.context }) { return context }
        let context = VIPEvaluation.Context(program: program, rules: rules)
        kept.withLock { kept in
            if kept.values.reduce(0, { $0 + $1.count }) >= keptLimit { kept.removeAll() }
            kept[program.id, default: []].append((program, context))
        }
        return context
    }
}
