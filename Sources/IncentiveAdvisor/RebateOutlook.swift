import IncentiveEngine

/// What one partner's subtrack pays at other volumes than its own, with the engine's one home of the arithmetic,
/// `RebateFormula.compute`: the partner's tier (on the period's last day), the baseline the engine found and the
/// real program period. Every fact of the advice about rules v2 (formats.md §5.3-5.4) is read from here.
struct RebateOutlook {
    let subtrack: Subtrack
    let tier: Tier
    let minimum: Money
    /// The subtrack's lines in the baseline period, unscaled (`row.rebate?.baseline?.sum`).
    let baselineSum: Money
    let period: DayRange

    func computation(volume: Money, attach: Money) -> RebateComputation {
        RebateFormula.compute(
            subtrack, tier: tier, volume: volume, minimum: minimum, attachVolume: attach, baselineSum: baselineSum, period: period)
    }

    /// What the subtrack pays at `volume` with `attach` once every check but the volume check passes: nothing under
    /// the minimum. A subtrack that pays like v1 pays `VIPEvaluation.rebate`, as it always did.
    func rebate(volume: Money, attach: Money) -> Money {
        guard VIPEvaluation.meetsMinimum(volume, minimum) else { return .zero }
        if subtrack.paysLikeV1 { return VIPEvaluation.rebate(subtrack, at: volume, minimum: minimum) }
        return computation(volume: volume, attach: attach).amount
    }

    /// The next tier above the base of `volume` (the first `from` above the base, and above 0: below a base of 0
    /// the growth still needed tells), what reaching it takes and adds with `attach` held.
    func nextTier(volume: Money, attach: Money) -> NextTier? {
        guard case .tiers(let tiers, let method) = subtrack.rate else { return nil }
        let base = computation(volume: volume, attach: attach).base
        guard let next = tiers.first(where: { $0.from > max(base, .zero) }) else { return nil }
        // The base is the volume less a fixed deduction (the minimum, or the scaled baseline).
        let atTier = Money(cents: volume.cents + (next.from.cents - base.cents))
        let paid = rebate(volume: atTier, attach: attach)
        return NextTier(
            from: next.from, percent: next.percent, method: method, volume: atTier, volumeNeeded: Money(cents: atTier.cents - volume.cents),
            rebateAtTier: paid, adds: Money(cents: paid.cents - rebate(volume: volume, attach: attach).cents))
    }

    /// The first band of `attach_bonus` that `attach` does not reach at `volume`, the attach volume that reaches it and
    /// what that adds; `nil` in the last band or with no qualifying volume.
    func nextAttachBand(volume: Money, attach: Money) -> NextAttachBand? {
        guard let rule = subtrack.attachBonus, volume.cents > 0 else { return nil }
        let current = rule.band(attach: attach, qualifying: volume)
        guard let next = rule.bands.first(where: { band in current.map { Self.scale4($0.fromPercent) < Self.scale4(band.fromPercent) } ?? true })
        else { return nil }
        // 100 × attach >= from × qualifying, in cents and scale-4 percent units: attach × 10^6 >= from × qualifying.
        let needed = Self.divideRoundingUp(Int128(Self.scale4(next.fromPercent)) * Int128(volume.cents), by: 1_000_000)
        let reaching = Money(cents: Int64(clamping: needed))
        let paid = rebate(volume: volume, attach: reaching)
        return NextAttachBand(
            fromPercent: next.fromPercent, bonus: next.percent, attachVolume: reaching,
            attachNeeded: Money(cents: max(0, reaching.cents - attach.cents)),
            rebateWithBand: paid, adds: Money(cents: paid.cents - rebate(volume: volume, attach: attach).cents))
    }

    /// The baseline and the growth still needed at `volume` and at `projected`; `nil` unless `rebate_base: growth`.
    func growth(volume: Money, projected: Money) -> GrowthOutlook? {
        guard subtrack.rebateBase == .growth, let rule = subtrack.baseline else { return nil }
        let baseline = RebateFormula.scaledBaseline(sum: baselineSum, baseline: rule.period, period: period)
        return GrowthOutlook(
            baselinePeriod: rule.period, baselinePeriodName: rule.periodName, baselineSum: baselineSum, baseline: baseline,
            stillNeeded: Money(cents: max(0, baseline.cents - volume.cents)),
            stillNeededAtProjection: Money(cents: max(0, baseline.cents - projected.cents)))
    }

    /// Whether the cap binds at the volume so far and at the projection, and the volume at which it is reached at
    /// either moment's percent; `nil` without a cap.
    func cap(volume: Money, attach: Money, projected: Money, projectedAttach: Money) -> CapOutlook? {
        guard let cap = subtrack.cap else { return nil }
        let now = computation(volume: volume, attach: attach), then = computation(volume: projected, attach: projectedAttach)
        return CapOutlook(
            cap: cap, bindsNow: now.uncapped >= cap, bindsAtProjection: then.uncapped >= cap,
            volumeReached: volumeReachingCap(cap, bonus: now.attach?.bonus, deduction: volume.cents - now.base.cents),
            volumeReachedAtProjection: volumeReachingCap(cap, bonus: then.attach?.bonus, deduction: projected.cents - then.base.cents))
    }

    /// The least volume (in cents) whose exact rebate before rounding, `Σ slice × (percent + bonus) / 100`, reaches
    /// `cap`, the attach bonus held at `bonus`; never under the minimum (nothing is paid there). The slices come from
    /// `RebateFormula.compute` (without the attach bonus, which would move with the volume); between two tiers' `from`s
    /// the exact rebate grows with the base, so each such stretch is searched by halving, lowest first.
    func volumeReachingCap(_ cap: Money, bonus: ScaledDecimal?, deduction: Int64) -> Money? {
        var held = subtrack
        held.attachBonus = nil
        held.cap = nil
        let points = bonus.map(Self.scale4) ?? 0
        let target = Int128(cap.cents) * 1_000_000
        func exact(base: Int64) -> Int128 {
            let volume = Money(cents: Int64(clamping: Int128(base) + Int128(deduction)))
            let slices = RebateFormula.compute(
                held, tier: tier, volume: volume, minimum: minimum, baselineSum: baselineSum, period: period
            ).slices
            return slices.reduce(Int128(0)) { $0 + Int128($1.amount.cents) * (Int128(Self.scale4($1.totalPercent)) + Int128(points)) }
        }
        let starts: [Int64]
        switch subtrack.rate {
        case .percent: starts = [0]
        case .tiers(let tiers, _): starts = tiers.map(\.from.cents).filter { $0 >= 0 }
        }
        let limit: Int64 = 1_000_000_000_000_000  // 10^16 currency units, in cents: no cap is reached beyond it
        for (position, start) in starts.enumerated() {
            var low = max(start, 0)
            var high: Int64
            if position + 1 < starts.count {
                high = starts[position + 1] - 1
                guard exact(base: high) >= target else { continue }
            } else {
                high = max(low, 100)
                while exact(base: high) < target {
                    guard high < limit else { return nil }
                    high = min(limit, high * 2)
                }
            }
            while low < high {
                let middle = low + (high - low) / 2
                if exact(base: middle) >= target { high = middle } else { low = middle + 1 }
            }
            let volume = Int64(clamping: Int128(low) + Int128(deduction))
            return Money(cents: max(volume, minimum.cents))
        }
        return nil
    }

    /// A percent's units at scale 4.
    static func scale4(_ value: ScaledDecimal) -> Int64 {
        var units = value.units
        var scale = value.scale
        while scale < 4 {
            units *= 10
            scale += 1
        }
        while scale > 4 {
            units /= 10
            scale -= 1
        }
        return units
    }

    /// `⌈numerator / denominator⌉` for a positive denominator.
    static func divideRoundingUp(_ numerator: Int128, by denominator: Int128) -> Int128 {
        let quotient = numerator / denominator
        return numerator % denominator > 0 ? quotient + 1 : quotient
    }
}
