import Yams

/// The subtrack keys of formats.md §5.2 and §5.4: dated product entries and how a subtrack pays.
extension ProgramParser {
    /// How one subtrack pays, as read from its keys.
    struct SubtrackRate {
        var rate: RebateRate
        var base: RebateBase
        var attach: AttachBonus?
        var baseline: Baseline?
        var cap: Money?
    }

    static let zeroPercent = ScaledDecimal(units: 0, scale: 4)

    /// `products`: SKU patterns, or maps `{sku: PATTERN, from: DATE, until: DATE}` (both dates optional).
    mutating func productEntries(_ node: Node?, _ key: String) -> [ProductEntry]? {
        guard let node else { return nil }
        guard case let .sequence(items) = node else {
            error(node, key, "expected a list, like [a, b]")
            return nil
        }
        var entries: [ProductEntry] = []
        var failed = false
        for item in items {
            if item.mapping == nil {
                guard let pattern = text(item, key) else {
                    failed = true
                    continue
                }
                entries.append(ProductEntry(SKUPattern(pattern)))
                continue
            }
            guard
                let fields = mapping(
                    item, "a product entry (like {sku: UCS-*, from: 2015-01-25, until: 2015-03-31})", allowed: ["sku", "from", "until"],
                    required: ["sku"])
            else {
                failed = true
                continue
            }
            let pattern = text(fields["sku"], "products.sku")
            let from = day(fields["from"], "products.from")
            let until = day(fields["until"], "products.until")
            guard let pattern, fields["from"] == nil || from != nil, fields["until"] == nil || until != nil else {
                failed = true
                continue
            }
            if let from, let until, from > until {
                error(item, "products", value: pattern, "the entry's from (\(from)) is after its until (\(until))")
                failed = true
                continue
            }
            entries.append(ProductEntry(SKUPattern(pattern), from: from, until: until))
        }
        if items.isEmpty { error(node, key, "expected at least one SKU pattern") }
        return failed ? nil : entries
    }

    /// The rate keys of one subtrack (`rebate_percent` or `rebate_tiers`, `tier_method`, `rebate_base`,
    /// `attach_bonus`, `baseline`, `cap`), checked together; `nil` when any is wrong (reported).
    mutating func subtrackRate(_ fields: [String: Node], _ node: Node, maximum: ScaledDecimal) -> SubtrackRate? {
        let errorsBefore = collector.errorCount
        var attach: AttachBonus?
        if let attachNode = fields["attach_bonus"] { attach = attachBonus(attachNode) }
        let bonus = attach?.bands.map(\.percent).max()

        var rate: RebateRate?
        switch (fields["rebate_percent"], fields["rebate_tiers"]) {
        case (nil, nil):
            error(node, "rebate_percent", "missing required key in a subtrack: give rebate_percent (or rebate_tiers)")
        case (.some, .some(let tiersNode)):
            error(tiersNode, "rebate_tiers", "a subtrack has either rebate_percent or rebate_tiers, not both")
        case (.some(let percentNode), nil):
            rate = percentByTier(percentNode, maximum: maximum, bonus: bonus).map(RebateRate.percent)
        case (nil, .some(let tiersNode)):
            let method: TierMethod =
                fields["tier_method"] == nil
                ? .retroactive : choice(fields["tier_method"], "tier_method", expected: "retroactive or marginal") ?? .retroactive
            if let tiers = rebateTiers(tiersNode, maximum: maximum, bonus: bonus) { rate = .tiers(tiers, method: method) }
        }
        if let methodNode = fields["tier_method"], fields["rebate_tiers"] == nil {
            error(methodNode, "tier_method", "tier_method applies to rebate_tiers only; this subtrack has none")
        }

        let base: RebateBase =
            fields["rebate_base"] == nil ? .all : choice(fields["rebate_base"], "rebate_base", expected: "all, above_minimum or growth") ?? .all
        var baseline: Baseline?
        if let baselineNode = fields["baseline"] {
            if let baselineFields = mapping(baselineNode, "baseline", allowed: ["period"], required: ["period"]),
                let periodNode = baselineFields["period"], let (period, name) = period(periodNode, "baseline.period")
            {
                baseline = Baseline(period: period, periodName: name)
            }
            if base != .growth {
                error(baselineNode, "baseline", "a baseline is used only with rebate_base: growth; this subtrack's base is \(base.rawValue)")
            }
        } else if base == .growth {
            error(fields["rebate_base"], "rebate_base", value: "growth", "rebate_base: growth needs a baseline, like baseline: {period: FY15-H1}")
        }

        var cap: Money?
        if let capNode = fields["cap"], let cents = decimal(capNode, "cap", scale: 2, what: "an amount", allowNegative: true) {
            if cents < 0 {
                error(capNode, "cap", value: Money(cents: cents).plainText, "a cap must not be negative")
            } else {
                cap = Money(cents: cents)
            }
        }
        guard collector.errorCount == errorsBefore, let rate else { return nil }
        return SubtrackRate(rate: rate, base: base, attach: attach, baseline: baseline, cap: cap)
    }

    /// One percent of `key` bounded by `max_rebate_percent`, the largest attach `bonus` included.
    mutating func boundedPercent(_ node: Node, _ key: String, maximum: ScaledDecimal, bonus: ScaledDecimal?) -> ScaledDecimal? {
        guard let bonus else { return percent(node, key, maximum: maximum) }
        guard let value = percent(node, key, maximum: maximum) else { return nil }
        let total = ScaledDecimal(units: value.units + bonus.units, scale: 4)
        if total > maximum {
            error(
                node, key, value: value.text,
                "\(value.text) plus the largest attach bonus \(bonus.text) is \(total.text), above max_rebate_percent (\(maximum.text))")
            return nil
        }
        return value
    }

    /// `rebate_percent`: a number, or a map by partner tier with a required `default`.
    mutating func percentByTier(_ node: Node, maximum: ScaledDecimal, bonus: ScaledDecimal?) -> PercentByTier? {
        if node.scalar != nil {
            return boundedPercent(node, "rebate_percent", maximum: maximum, bonus: bonus).map { PercentByTier(defaultPercent: $0) }
        }
        guard case let .mapping(mapping) = node else {
            error(node, "rebate_percent", "expected a percent or a map of partner tiers to percents, like {default: 1, gold: 2}")
            return nil
        }
        var defaultPercent: ScaledDecimal?
        var byTier: [Tier: ScaledDecimal] = [:]
        var failed = false
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string.trimmingSpaces() else {
                error(keyNode, "rebate_percent", "keys of rebate_percent must be default or partner tiers")
                failed = true
                continue
            }
            if name == "default" {
                if defaultPercent != nil {
                    error(keyNode, "rebate_percent", value: name, "default given twice")
                    failed = true
                }
                defaultPercent = boundedPercent(valueNode, "rebate_percent.default", maximum: maximum, bonus: bonus)
                if defaultPercent == nil { failed = true }
                continue
            }
            guard let tier = FieldParsing.tier(name) else {
                error(keyNode, "rebate_percent", value: name, "expected default or a partner tier (gold, premier, select or registered)")
                failed = true
                continue
            }
            if byTier[tier] != nil {
                error(keyNode, "rebate_percent", value: name, "tier given twice")
                failed = true
            }
            guard let value = boundedPercent(valueNode, "rebate_percent.\(tier.rawValue)", maximum: maximum, bonus: bonus) else {
                failed = true
                continue
            }
            byTier[tier] = value
        }
        if defaultPercent == nil && !failed {
            error(node, "rebate_percent", "a rebate_percent by tier needs a default, like {default: 1, gold: 2}")
        }
        guard !failed, let defaultPercent else { return nil }
        return PercentByTier(defaultPercent: defaultPercent, byTier: byTier)
    }

    /// `rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3.5}]`: `from` strictly ascending, the first 0.
    mutating func rebateTiers(_ node: Node, maximum: ScaledDecimal, bonus: ScaledDecimal?) -> [RebateTier]? {
        guard case let .sequence(items) = node, !items.isEmpty else {
            error(node, "rebate_tiers", "expected a non-empty list of tiers, like [{from: 0, percent: 2}, {from: 100000, percent: 3.5}]")
            return nil
        }
        var tiers: [RebateTier] = []
        var failed = false
        for item in items {
            guard
                let fields = mapping(
                    item, "a rebate tier (like {from: 100000, percent: 3.5})", allowed: ["from", "percent"], required: ["from", "percent"])
            else {
                failed = true
                continue
            }
            let from = decimal(fields["from"], "rebate_tiers.from", scale: 2, what: "an amount")
            let percent = fields["percent"].flatMap { boundedPercent($0, "rebate_tiers.percent", maximum: maximum, bonus: bonus) }
            guard let from, let percent else {
                failed = true
                continue
            }
            if let previous = tiers.last, from <= previous.from.cents {
                error(
                    fields["from"], "rebate_tiers", value: Money(cents: from).plainText,
                    "tiers must be in strictly ascending order of from (this one follows \(previous.from.plainText))")
                failed = true
            } else if tiers.isEmpty && from != 0 {
                error(fields["from"], "rebate_tiers", value: Money(cents: from).plainText, "the first tier must start at from: 0")
                failed = true
            }
            tiers.append(RebateTier(from: Money(cents: from), percent: percent))
        }
        return failed ? nil : tiers
    }

    /// `attach_bonus: {products: [PATTERN, ...], bands: [{from_percent: 15, percent: 4}, ...]}`.
    mutating func attachBonus(_ node: Node) -> AttachBonus? {
        guard let fields = mapping(node, "attach_bonus", allowed: ["products", "bands"], required: ["products", "bands"]) else { return nil }
        var failed = false
        var patterns: [SKUPattern] = []
        if let productsNode = fields["products"] {
            if case let .sequence(items) = productsNode, !items.isEmpty {
                for item in items {
                    if item.mapping != nil {
                        error(item, "attach_bonus.products", "attach_bonus products are plain SKU patterns (no dates)")
                        failed = true
                    } else if let pattern = text(item, "attach_bonus.products") {
                        patterns.append(SKUPattern(pattern))
                    } else {
                        failed = true
                    }
                }
            } else {
                error(productsNode, "attach_bonus.products", "expected a non-empty list of SKU patterns, like [\"CTI-*\"]")
                failed = true
            }
        }
        var bands: [AttachBand] = []
        if let bandsNode = fields["bands"] {
            if case let .sequence(items) = bandsNode, !items.isEmpty {
                for item in items {
                    guard
                        let band = mapping(
                            item, "an attach band (like {from_percent: 15, percent: 4})", allowed: ["from_percent", "percent"],
                            required: ["from_percent", "percent"])
                    else {
                        failed = true
                        continue
                    }
                    let from = decimal(band["from_percent"], "attach_bonus.bands.from_percent", scale: 4, what: "a percent")
                    let percent = decimal(band["percent"], "attach_bonus.bands.percent", scale: 4, what: "a percent")
                    guard let from, let percent else {
                        failed = true
                        continue
                    }
                    let fromPercent = ScaledDecimal(units: from, scale: 4)
                    if from <= 0 {
                        error(band["from_percent"], "attach_bonus.bands", value: fromPercent.text, "from_percent must be above 0")
                        failed = true
                    } else if let previous = bands.last, fromPercent <= previous.fromPercent {
                        error(
                            band["from_percent"], "attach_bonus.bands", value: fromPercent.text,
                            "bands must be in strictly ascending order of from_percent (this one follows \(previous.fromPercent.text))")
                        failed = true
                    }
                    bands.append(AttachBand(fromPercent: fromPercent, percent: ScaledDecimal(units: percent, scale: 4)))
                }
            } else {
                error(bandsNode, "attach_bonus.bands", "expected a non-empty list of bands, like [{from_percent: 15, percent: 4}]")
                failed = true
            }
        }
        return failed ? nil : AttachBonus(products: patterns, bands: bands)
    }
}
