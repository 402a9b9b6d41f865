/// The Value Incentive Program rules of formats.md §2: checks, rebate and missed amount per enrolled subtrack.
public enum VIPEvaluation {
    /// The result of partner `partnerIndex` in `program`.
    public static func evaluate(
        program: Program, rules: VIPRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int, enrollments: [Enrollment]
    ) -> PartnerResult {
        evaluate(Context(program: program, rules: rules), dataset: dataset, totals: totals, partnerIndex: partnerIndex, enrollments: enrollments[...])
    }

    /// What is the same for every partner of one program, worked out once per program.
    struct Context: Sendable {
        let program: Program
        let rules: VIPRules
        let subtracks: [SubtrackContext]
        /// The tier check per tier, in `Tier.allCases` order.
        let tierChecks: [Check]

        struct SubtrackContext: Sendable {
            let path: String
            let subtrack: Subtrack
            /// Position of `path` among the program's paths in byte order (equal paths share one).
            let rank: Int
            /// `credential:<id>` per `requires_all` credential.
            let allReasons: [String]
            /// `credential:<a>|<b>`.
            let anyReason: String
            /// `minimum_volume` by country, for a scan instead of hashing the country per row.
            let byCountry: [(country: String, amount: Money)]
        }

        init(program: Program, rules: VIPRules) {
            self.program = program
            self.rules = rules
            let paths = rules.subtrackPaths
            subtracks = paths.map { entry in
                let rank = Set(paths.map(\.path).filter { String.byteOrder($0, entry.path) }.map { Array($0.utf8) }).count
                return SubtrackContext(
                    path: entry.path, subtrack: entry.subtrack, rank: rank, allReasons: entry.subtrack.requiresAll.map { "credential:\($0)" },
                    anyReason: "credential:\(entry.subtrack.requiresAny.joined(separator: "|"))",
                    byCountry: entry.subtrack.minimumVolume.byCountry.map { ($0.key, $0.value) })
            }
            tierChecks = Tier.allCases.map { tier in
                VIPEvaluation.tierCheck(partner: Partner(id: "", name: "", country: "", tier: tier, provider: false), rules: rules)
            }
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
        let partner = dataset.partners[partnerIndex]
        guard !enrollments.isEmpty else { return PartnerResult(partnerID: partner.id, status: .notEnrolled, rows: []) }
        let program = context.program
        let rules = context.rules
        let tierCheck = context.tierChecks[partner.tier.position]
        let csat = csatCheck(found: dataset.csatCount(partner: partnerIndex, in: program.period), rules: rules, period: program.period)
        let held = dataset.credentials[partnerIndex]
        var rows: [ResultRow] = []
        rows.reserveCapacity(enrollments.count)
        var lastRank = Int.min
        var inOrder = true
        for enrollment in enrollments {
            guard let subtrackIndex = context.subtrackIndex(enrollment.subtrack) else { continue }
            let entry = context.subtracks[subtrackIndex]
            let subtrack = entry.subtrack
            let deadline = rules.knowledgeDeadline == .enrollment ? enrollment.enrolledOn : program.period.end
            var checks: [Check] = []
            checks.reserveCapacity(3 + max(1, subtrack.requiresAll.count + (subtrack.requiresAny.isEmpty ? 0 : 1)))
            checks.append(tierCheck)
            checks.append(csat)
            appendCredentialChecks(to: &checks, entry, held: held, deadline: deadline, rule: rules.knowledgeDeadline)
            let bucket = totals.subtrack(partner: partnerIndex, subtrack: subtrackIndex)
            let countryMinimum = entry.byCountry.first { $0.country == partner.country }?.amount
            let minimum = countryMinimum ?? subtrack.minimumVolume.defaultAmount
            checks.append(
                volumeCheck(
                    volume: bucket.volume, minimum: minimum, country: partner.country, byCountry: countryMinimum != nil, currency: program.currency))
            let eligible = checks.allSatisfy(\.passed)
            let potential = bucket.volume.cents > 0 ? Rounding.apply(percent: subtrack.rebatePercent, to: bucket.volume) : .zero
            if lastRank > entry.rank { inOrder = false }
            lastRank = entry.rank
            rows.append(
                ResultRow(
                    program: program.id, kind: .vip, partnerID: partner.id, item: enrollment.subtrack, qualifyingVolume: bucket.volume,
                    threshold: minimum, eligible: eligible, amount: eligible ? potential : .zero, missedAmount: eligible ? .zero : potential,
                    checks: checks))
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
        return PartnerResult(partnerID: partner.id, status: status, rows: rows)
    }

    static func tierCheck(partner: Partner, rules: VIPRules) -> Check {
        let allowed = rules.eligibleTiers.sorted().map(\.rawValue).joined(separator: ", ")
        let passed = rules.eligibleTiers.contains(partner.tier)
        return Check(
            code: .tier, passed: passed, reason: "tier:\(partner.tier.rawValue)",
            explanation: passed
                ? "tier \(partner.tier.rawValue) is eligible (eligible tiers: \(allowed))"
                : "tier \(partner.tier.rawValue) is not eligible (eligible tiers: \(allowed))")
    }

    static func csatCheck(found: Int, rules: VIPRules, period: DayRange) -> Check {
        let required = rules.csatRequired
        let passed = found >= required
        return Check(
            code: .csat, passed: passed, reason: passed ? nil : TextBytes.csatReason(found: found, required: required),
            detail: .csat(found: found, required: required, period: period))
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

    /// One check per `requires_all` credential, then one for `requires_any` (when not empty).
    static func credentialChecks(subtrack: Subtrack, held: [Credential], deadline: Day, rule: KnowledgeDeadline) -> [Check] {
        let entry = Context.SubtrackContext(
            path: "", subtrack: subtrack, rank: 0, allReasons: subtrack.requiresAll.map { "credential:\($0)" },
            anyReason: "credential:\(subtrack.requiresAny.joined(separator: "|"))", byCountry: [])
        var checks: [Check] = []
        appendCredentialChecks(to: &checks, entry, held: held, deadline: deadline, rule: rule)
        return checks
    }

    @inline(__always)
    static func holds(_ held: [Credential], _ id: String, on deadline: Day) -> Bool {
        held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) }
    }

    static func appendCredentialChecks(
        to checks: inout [Check], _ entry: Context.SubtrackContext, held: [Credential], deadline: Day, rule: KnowledgeDeadline
    ) {
        let subtrack = entry.subtrack
        for (id, reason) in zip(subtrack.requiresAll, entry.allReasons) {
            let passed = holds(held, id, on: deadline)
            checks.append(Check(code: .credential, passed: passed, reason: reason, detail: .credential(id: id, held: held, deadline: deadline, rule: rule)))
        }
        if !subtrack.requiresAny.isEmpty {
            let passed = subtrack.requiresAny.contains { holds(held, $0, on: deadline) }
            checks.append(
                Check(
                    code: .credential, passed: passed, reason: entry.anyReason,
                    detail: .anyCredential(ids: subtrack.requiresAny, held: held, deadline: deadline, rule: rule)))
        }
        if subtrack.requiresAll.isEmpty && subtrack.requiresAny.isEmpty {
            checks.append(Check(code: .credential, passed: true, reason: nil, explanation: "no credentials required"))
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

    static func volumeCheck(volume: Money, minimum: Money, country: String, byCountry: Bool, currency: String) -> Check {
        let passed = volume >= minimum
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
