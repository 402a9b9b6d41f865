/// How much a VIP subtrack pays (formats.md §5.4), whatever its rate structure: the one home of that arithmetic.
///
/// `amount = min(cap, round(Σ slice × (percent + bonus) / 100))`, the sum exact over the slices and rounded once,
/// half to even; 0 when the base is 0 or less.
public enum RebateFormula {
    /// `round(sum × days(program period) / days(baseline period))`, half to even; 0 when negative.
    public static func scaledBaseline(sum: Money, baseline: DayRange, period: DayRange) -> Money {
        let scaled = Rounding.divideHalfEven(Int128(sum.cents) * Int128(period.length), by: Int128(baseline.length))
        return scaled <= 0 ? .zero : Money(cents: Int64(clamping: scaled))
    }

    /// The computation for one partner and subtrack.
    ///
    /// - Parameters:
    ///   - tier: the partner's tier on the period's last day (chooses a `rebate_percent` by tier); `nil`: the `default`.
    ///   - volume: the qualifying volume (lines counted after the enrolment cut-off).
    ///   - minimum: the minimum volume that applied.
    ///   - attachVolume: the attach volume (ignored without `attach_bonus`).
    ///   - baselineSum: the subtrack's lines in the baseline period, unscaled (ignored without `baseline`).
    ///   - period: the program period.
    public static func compute(
        _ subtrack: Subtrack, tier: Tier?, volume: Money, minimum: Money, attachVolume: Money = .zero, baselineSum: Money = .zero,
        period: DayRange
    ) -> RebateComputation {
        var baseline: RebateComputation.BaselineFigure?
        if let rule = subtrack.baseline {
            baseline = RebateComputation.BaselineFigure(
                period: rule.period, periodName: rule.periodName, sum: baselineSum, baselineDays: rule.period.length, programDays: period.length,
                amount: scaledBaseline(sum: baselineSum, baseline: rule.period, period: period))
        }
        let deduction: Int64
        switch subtrack.rebateBase {
        case .all: deduction = 0
        case .aboveMinimum: deduction = minimum.cents
        case .growth: deduction = baseline?.amount.cents ?? 0
        }
        let base = Money(cents: Int64(clamping: Int128(volume.cents) - Int128(deduction)))

        var attach: RebateComputation.Attach?
        var bonus = ScaledDecimal(units: 0, scale: 4)
        if let rule = subtrack.attachBonus {
            let band = rule.band(attach: attachVolume, qualifying: volume)
            bonus = band?.percent ?? bonus
            attach = RebateComputation.Attach(volume: attachVolume, band: band, bonus: bonus)
        }
        func total(_ percent: ScaledDecimal) -> ScaledDecimal { ScaledDecimal(units: percent.units + bonus.units, scale: 4) }

        var slices: [RebateComputation.Slice] = []
        var tierMethod: TierMethod?
        var percentTier: Tier?
        switch subtrack.rate {
        case .percent(let byTier):
            if let tier, byTier.byTier[tier] != nil { percentTier = tier }
            let percent = tier.map(byTier.percent(for:)) ?? byTier.defaultPercent
            if base.cents > 0 { slices = [.init(from: .zero, amount: base, percent: percent, totalPercent: total(percent))] }
        case .tiers(let tiers, let method):
            tierMethod = method
            guard base.cents > 0 else { break }
            switch method {
            case .retroactive:
                if let reached = tiers.last(where: { $0.from <= base }) {
                    slices = [.init(from: reached.from, amount: base, percent: reached.percent, totalPercent: total(reached.percent))]
                }
            case .marginal:
                for (position, step) in tiers.enumerated() where step.from < base {
                    let upper = position + 1 < tiers.count ? min(base, tiers[position + 1].from) : base
                    slices.append(
                        .init(
                            from: step.from, amount: Money(cents: upper.cents - step.from.cents), percent: step.percent,
                            totalPercent: total(step.percent)))
                }
            }
        }
        var sum: Int128 = 0
        for slice in slices { sum += Int128(slice.amount.cents) * Int128(slice.totalPercent.units) }
        let uncapped = Money(cents: Int64(clamping: Rounding.divideHalfEven(sum, by: 1_000_000)))
        let amount = subtrack.cap.map { min($0, uncapped) } ?? uncapped
        return RebateComputation(
            rebateBase: subtrack.rebateBase, base: base, tierMethod: tierMethod, percentTier: percentTier, slices: slices, attach: attach,
            baseline: baseline, uncapped: uncapped, cap: subtrack.cap, amount: amount)
    }
}
