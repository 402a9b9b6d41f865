/// The Partner Provider MDF rules of formats.md §2: accrual and the MDF missed through untagged orders.
public enum MDFEvaluation {
    /// The result of partner `partnerIndex` in `program`.
    public static func evaluate(program: Program, rules: MDFRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int) -> PartnerResult {
        let partnerID = dataset.partners[partnerIndex].id
        // The tier in force on the period's last day (formats.md §5.5): that of partners.csv without tiers.csv rows.
        let tierOnDay = dataset.hasTierHistory(partner: partnerIndex) ? dataset.tier(partner: partnerIndex, on: program.period.end) : nil
        guard dataset.partners[partnerIndex].provider, let tier = rules.tiers[tierOnDay?.tier ?? dataset.partners[partnerIndex].tier] else {
            return PartnerResult(partnerID: partnerID, status: .notTakingPart, rows: [], tier: tierOnDay)
        }
        let country = dataset.partners[partnerIndex].country
        let bucket = totals.mdf[partnerIndex]
        let countryMinimum = tier.minimumVolume.byCountry.isEmpty ? nil : tier.minimumVolume.byCountry[country]
        let minimum = countryMinimum ?? tier.minimumVolume.defaultAmount
        let services = dataset.services[partnerIndex]
        let hasStrategic = services.contains { $0.strategic && $0.overlaps(program.period) }

        var checks: [Check] = []
        checks.reserveCapacity(tier.requiresStrategicService ? 2 : 1)
        let volume = bucket.qualifyingVolume
        checks.append(
            VIPEvaluation.volumeCheck(
                volume: volume, minimum: minimum, country: country, byCountry: countryMinimum != nil, currency: program.currency))
        if tier.requiresStrategicService {
            checks.append(
                Check(
                    code: .strategicService, passed: hasStrategic, reason: "strategic_service:none",
                    detail: .strategicService(services: services, period: program.period, tier: tier.tier)))
        }
        let eligible = checks.allSatisfy(\.passed)
        let basis = AmountBasis(base: volume, percent: tier.accrualPercent)
        let earned = eligible ? basis.amount : .zero

        // With every untagged line tagged, re-evaluating every check on that volume. Cannot overflow: the
        // amounts counted add up to at most `BookingAccumulator.sumLimit`, credits by their size.
        let taggedVolume = Money(cents: volume.cents + bucket.untaggedVolume.cents)
        let taggedEligible = VIPEvaluation.meetsMinimum(taggedVolume, minimum) && (!tier.requiresStrategicService || hasStrategic)
        let potential = taggedEligible ? AmountBasis(base: taggedVolume, percent: tier.accrualPercent).amount : .zero
        let missed = Money(cents: max(0, potential.cents - earned.cents))

        let row = ResultRow(
            program: program.id, kind: .mdf, partnerID: partnerID, item: tier.tier.rawValue, qualifyingVolume: volume, threshold: minimum,
            eligible: eligible, amount: earned, missedAmount: missed, checks: checks, basis: basis)
        return PartnerResult(partnerID: partnerID, status: eligible ? .eligible : .ineligible, rows: [row], tier: tierOnDay)
    }

    /// The words of the strategic-service check.
    static func strategicExplanation(services: [PoweredService], period: DayRange, tier: Tier) -> String {
        let strategic = services.filter { $0.strategic && $0.overlaps(period) }
        return !strategic.isEmpty
            ? "delivers strategic Cisco Powered Service \(strategic.map(\.service).joined(separator: ", ")) in the period"
            : "\(tier.rawValue) providers must deliver at least one strategic Cisco Powered Service in \(period.start)..\(period.end); none found"
    }
}
