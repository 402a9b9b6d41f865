/// The Value Incentive Program rules of formats.md §2: checks, rebate and missed amount per enrolled subtrack.
public enum VIPEvaluation {
    /// The result of partner `partnerIndex` in `program`.
    public static func evaluate(
        program: Program, rules: VIPRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int, enrollments: [Enrollment]
    ) -> PartnerResult {
        let partner = dataset.partners[partnerIndex]
        guard !enrollments.isEmpty else { return PartnerResult(partnerID: partner.id, status: .notEnrolled, rows: []) }
        let paths = rules.subtrackPaths
        let tierCheck = tierCheck(partner: partner, rules: rules)
        let csat = csatCheck(found: dataset.csatCount(partner: partnerIndex, in: program.period), rules: rules, period: program.period)
        var rows: [ResultRow] = []
        for enrollment in enrollments {
            guard let subtrackIndex = paths.firstIndex(where: { $0.path.isExactly(enrollment.subtrack) }) else { continue }
            let subtrack = paths[subtrackIndex].subtrack
            let deadline = rules.knowledgeDeadline == .enrollment ? enrollment.enrolledOn : program.period.end
            var checks = [tierCheck, csat]
            checks += credentialChecks(subtrack: subtrack, held: dataset.credentials[partnerIndex], deadline: deadline, rule: rules.knowledgeDeadline)
            let bucket = totals.subtrack(partner: partnerIndex, subtrack: subtrackIndex)
            let minimum = subtrack.minimumVolume.amount(for: partner.country)
            checks.append(
                volumeCheck(
                    volume: bucket.volume, minimum: minimum, country: partner.country,
                    byCountry: subtrack.minimumVolume.byCountry[partner.country] != nil, currency: program.currency))
            let eligible = checks.allSatisfy(\.passed)
            let potential = bucket.volume.cents > 0 ? Rounding.apply(percent: subtrack.rebatePercent, to: bucket.volume) : .zero
            rows.append(
                ResultRow(
                    program: program.id, kind: .vip, partnerID: partner.id, item: enrollment.subtrack, qualifyingVolume: bucket.volume,
                    threshold: minimum, eligible: eligible, amount: eligible ? potential : .zero, missedAmount: eligible ? .zero : potential,
                    checks: checks))
        }
        rows.sort { String.byteOrder($0.item, $1.item) }
        let eligibleCount = rows.filter(\.eligible).count
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
        let explanation: String
        if required == 0 {
            explanation = "no CSAT reports required (\(found) submitted in the period)"
        } else if passed {
            explanation = "\(found) CSAT reports submitted \(period.start)..\(period.end), \(required) required"
        } else {
            explanation = "only \(found) of \(required) CSAT reports submitted \(period.start)..\(period.end): \(required - found) more needed"
        }
        return Check(code: .csat, passed: passed, reason: "csat:\(found)/\(required)", explanation: explanation)
    }

    /// One check per `requires_all` credential, then one for `requires_any` (when not empty).
    static func credentialChecks(subtrack: Subtrack, held: [Credential], deadline: Day, rule: KnowledgeDeadline) -> [Check] {
        let when = rule == .enrollment ? "on the enrolment date \(deadline)" : "at the period end \(deadline)"
        func describe(_ id: String) -> String {
            let records = held.filter { $0.credential.isExactly(id) }
            if records.isEmpty { return "\(id) not held" }
            return records.map { record in
                if record.achievedOn > deadline { return "\(id) achieved \(record.achievedOn), after the deadline" }
                if let expiry = record.expiresOn, expiry < deadline { return "\(id) expired \(expiry)" }
                return "\(id) valid"
            }.joined(separator: "; ")
        }
        var checks: [Check] = []
        for id in subtrack.requiresAll {
            let passed = held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) }
            checks.append(
                Check(
                    code: .credential, passed: passed, reason: "credential:\(id)",
                    explanation: passed ? "holds \(id) \(when)" : "requires \(id) \(when): \(describe(id))"))
        }
        if !subtrack.requiresAny.isEmpty {
            let valid = subtrack.requiresAny.filter { id in held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) } }
            let list = subtrack.requiresAny.joined(separator: " or ")
            let passed = !valid.isEmpty
            checks.append(
                Check(
                    code: .credential, passed: passed, reason: "credential:\(subtrack.requiresAny.joined(separator: "|"))",
                    explanation: passed
                        ? "holds \(valid.joined(separator: " and ")) \(when) (needs \(list))"
                        : "requires \(list) \(when): \(subtrack.requiresAny.map(describe).joined(separator: "; "))"))
        }
        if checks.isEmpty {
            checks.append(Check(code: .credential, passed: true, reason: nil, explanation: "no credentials required"))
        }
        return checks
    }

    static func volumeCheck(volume: Money, minimum: Money, country: String, byCountry: Bool, currency: String) -> Check {
        let passed = volume >= minimum
        let which = byCountry ? "minimum volume \(country)" : "minimum volume"
        let explanation: String
        if passed {
            explanation = "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency): met"
        } else {
            let short = Money(cents: minimum.cents - volume.cents)
            explanation = "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency), short by \(short.groupedText)"
        }
        return Check(code: .volume, passed: passed, reason: "volume:\(volume.plainText)<\(minimum.plainText)", explanation: explanation)
    }
}
