/// One entry of a subtrack's `products` (formats.md §5.2): a SKU pattern, in force from `from` through
/// `until` (both inclusive, open when `nil`) by the line's `booked_on`, whatever the program counts by.
public struct ProductEntry: Sendable, Hashable {
    public var pattern: SKUPattern
    public var from: Day?
    public var until: Day?

    public init(_ pattern: SKUPattern, from: Day? = nil, until: Day? = nil) {
        self.pattern = pattern
        self.from = from
        self.until = until
    }

    /// A v1 entry: in force on every date.
    public var isDated: Bool { from != nil || until != nil }

    /// Whether a line with `sku` ordered on `bookedOn` matches this entry.
    public func matches(_ sku: some Collection<UInt8>, bookedOn: Day) -> Bool {
        (from.map { $0 <= bookedOn } ?? true) && (until.map { bookedOn <= $0 } ?? true) && pattern.matches(sku)
    }
}

/// What the rebate percent is taken of (formats.md §5.4 `rebate_base`).
public enum RebateBase: String, Sendable, Hashable {
    /// The qualifying volume (v1).
    case all
    /// The qualifying volume minus the minimum volume that applied.
    case aboveMinimum = "above_minimum"
    /// The qualifying volume minus the baseline.
    case growth
}

/// How `rebate_tiers` apply to the base.
public enum TierMethod: String, Sendable, Hashable {
    /// The percent of the last tier reached applies to the whole base.
    case retroactive
    /// Each slice of the base between consecutive `from`s earns its own tier's percent.
    case marginal
}

/// One step of `rebate_tiers`: from `from` of base on, `percent`.
public struct RebateTier: Sendable, Hashable {
    public var from: Money
    /// Scale 4.
    public var percent: ScaledDecimal

    public init(from: Money, percent: ScaledDecimal) {
        self.from = from
        self.percent = percent
    }
}

/// `rebate_percent`: one percent, or one per partner tier with a `default` (formats.md §5.4).
public struct PercentByTier: Sendable, Hashable {
    /// Scale 4: the percent of a partner whose tier is not listed (the only one of a plain `rebate_percent`).
    public var defaultPercent: ScaledDecimal
    public var byTier: [Tier: ScaledDecimal]

    public init(defaultPercent: ScaledDecimal, byTier: [Tier: ScaledDecimal] = [:]) {
        self.defaultPercent = defaultPercent
        self.byTier = byTier
    }

    /// The percent of a partner of `tier`.
    public func percent(for tier: Tier) -> ScaledDecimal { byTier[tier] ?? defaultPercent }
}

/// A subtrack's rate structure: exactly one of `rebate_percent` and `rebate_tiers`.
public enum RebateRate: Sendable, Hashable {
    case percent(PercentByTier)
    /// `from` strictly ascending, the first 0.
    case tiers([RebateTier], method: TierMethod)

    /// Every percent the rate can apply (for the bound by `max_rebate_percent`).
    public var percents: [ScaledDecimal] {
        switch self {
        case .percent(let byTier): return [byTier.defaultPercent] + Tier.allCases.compactMap { byTier.byTier[$0] }
        case .tiers(let tiers, _): return tiers.map(\.percent)
        }
    }
}

/// A band of `attach_bonus`: from an attach rate of `fromPercent` on, `percent` more.
public struct AttachBand: Sendable, Hashable {
    /// Scale 4; above 0.
    public var fromPercent: ScaledDecimal
    /// Scale 4: added to the subtrack's percent (to every tier's percent).
    public var percent: ScaledDecimal

    public init(fromPercent: ScaledDecimal, percent: ScaledDecimal) {
        self.fromPercent = fromPercent
        self.percent = percent
    }
}

/// `attach_bonus` (formats.md §5.4): more percent for partners who also sell `products`.
public struct AttachBonus: Sendable, Hashable {
    /// Plain patterns, in force on every date.
    public var products: [SKUPattern]
    /// `fromPercent` strictly ascending.
    public var bands: [AttachBand]

    public init(products: [SKUPattern], bands: [AttachBand]) {
        self.products = products
        self.bands = bands
    }

    /// The band reached: the last with `100 × attach >= fromPercent × qualifying`, compared exactly; `nil` when
    /// none is, or the qualifying volume is 0 or less.
    public func band(attach: Money, qualifying: Money) -> AttachBand? {
        guard qualifying.cents > 0 else { return nil }
        let left = Int128(attach.cents) * 100 * 10_000
        var reached: AttachBand?
        for band in bands {
            let right = Int128(band.fromPercent.units) * Int128(pow10(4 - band.fromPercent.scale)) * Int128(qualifying.cents)
            if left >= right { reached = band }
        }
        return reached
    }
}

/// `baseline` (formats.md §5.4): the period whose sales a `growth` rebate is measured against.
public struct Baseline: Sendable, Hashable {
    public var period: DayRange
    /// The fiscal name it was given by (`FY15-H1`), if any.
    public var periodName: String?

    public init(period: DayRange, periodName: String? = nil) {
        self.period = period
        self.periodName = periodName
    }
}
