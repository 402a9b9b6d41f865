/// The Partner Provider MDF rules of formats.md §2: accrual and the MDF missed through untagged orders.
public enum MDFEvaluation {
    /// The result of partner `partnerIndex` in `program`.
    public static func evaluate(program: Program, rules: MDFRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int) -> PartnerResult {
        let partner = dataset.partners[partnerIndex]
        guard partner.provider, let tier = rules.tiers[partner.tier] else {
            return PartnerResult(partnerID: partner.id, status: .notTakingPart, rows: [])
        }
        let bucket = totals.mdf[partnerIndex]
        let minimum = tier.minimumVolume.amount(for: partner.country)
        let strategic = dataset.services[partnerIndex].filter { $0.strategic && $0.overlaps(program.period) }

        var checks: [Check] = []
        let volume = bucket.qualifyingVolume
        let byCountry = tier.minimumVolume.byCountry[partner.country] != nil
        checks.append(
            VIPEvaluation.volumeCheck(volume: volume, minimum: minimum, country: partner.country, byCountry: byCountry, currency: program.currency))
        if tier.requiresStrategicService {
            let passed = !strategic.isEmpty
            checks.append(
                Check(
                    code: .strategicService, passed: passed, reason: "strategic_service:none",
                    explanation: passed
                        ? "delivers strategic Cisco Powered Service \(strategic.map(\.service).joined(separator: ", ")) in the period"
                        : "\(tier.tier.rawValue) providers must deliver at least one strategic Cisco Powered Service in \(program.period.start)..\(program.period.end); none found"
                ))
        }
        let eligible = checks.allSatisfy(\.passed)
        let earned = accrual(volume: volume, eligible: eligible, percent: tier.accrualPercent)

        // With every untagged line tagged, re-evaluating every check on that volume.
        let taggedVolume = Money(cents: volume.cents + bucket.untaggedVolume.cents)
        let taggedEligible = taggedVolume >= minimum && (!tier.requiresStrategicService || !strategic.isEmpty)
        let potential = accrual(volume: taggedVolume, eligible: taggedEligible, percent: tier.accrualPercent)
        let missed = Money(cents: max(0, potential.cents - earned.cents))

        let row = ResultRow(
            program: program.id, kind: .mdf, partnerID: partner.id, item: tier.tier.rawValue, qualifyingVolume: volume, threshold: minimum,
            eligible: eligible, amount: earned, missedAmount: missed, checks: checks)
        return PartnerResult(partnerID: partner.id, status: eligible ? .eligible : .ineligible, rows: [row])
    }

    static func accrual(volume: Money, eligible: Bool, percent: ScaledDecimal) -> Money {
        eligible && volume.cents > 0 ? Rounding.apply(percent: percent, to: volume) : .zero
    }
}
