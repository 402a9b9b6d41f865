/// What changed between two versions of one program, in the words of its definition:
/// `data-center/ucs rebate_percent: 6 -> 7`. Used to say why a run's results differ from another's.
public enum ProgramChanges {
    public static func between(_ old: Program, _ new: Program) -> [String] {
        var changes: [String] = []
        func compare<T: Equatable>(_ key: String, _ a: T, _ b: T, _ text: (T) -> String) {
            if a != b { changes.append("\(key): \(text(a)) -> \(text(b))") }
        }
        compare("name", old.name, new.name) { $0 }
        compare("kind", old.kind, new.kind) { $0.rawValue }
        compare("currency", old.currency, new.currency) { $0 }
        compare("period", old.period, new.period) { "\($0.start)..\($0.end)" }
        compare("period name", old.periodName, new.periodName) { $0 ?? "(dates)" }
        compare("count_bookings_by", old.countBookingsBy, new.countBookingsBy) { $0.rawValue }
        compare("max_rebate_percent", old.maxRebatePercent, new.maxRebatePercent) { $0.text }
        switch (old.rules, new.rules) {
        case (.vip(let a), .vip(let b)):
            compare("eligible_tiers", a.eligibleTiers, b.eligibleTiers) { tiers($0) }
            compare("csat_required", a.csatRequired, b.csatRequired) { String($0) }
            compare("knowledge_deadline", a.knowledgeDeadline, b.knowledgeDeadline) { $0.rawValue }
            compare("full_credit_enrollment_until", a.fullCreditEnrollmentUntil, b.fullCreditEnrollmentUntil) { $0?.description ?? "(none)" }
            let oldPaths = a.subtrackPaths, newPaths = b.subtrackPaths
            for entry in oldPaths where !newPaths.contains(where: { $0.path == entry.path }) { changes.append("\(entry.path): removed") }
            for entry in newPaths {
                guard let before = oldPaths.first(where: { $0.path == entry.path })?.subtrack else {
                    changes.append("\(entry.path): added (rebate_percent \(entry.subtrack.rebatePercent.text))")
                    continue
                }
                let after = entry.subtrack
                let prefix = entry.path
                compare("\(prefix) name", before.name, after.name) { $0 }
                if case .percent(let a) = before.rate, case .percent(let b) = after.rate, a.byTier.isEmpty, b.byTier.isEmpty {
                    compare("\(prefix) rebate_percent", before.rebatePercent, after.rebatePercent) { $0.text }
                } else {
                    compare("\(prefix) rate", before.rate, after.rate) { rate($0) }
                }
                compare("\(prefix) products", before.productEntries, after.productEntries) { list($0.map(Explanation.entryText)) }
                compare("\(prefix) rebate_base", before.rebateBase, after.rebateBase) { $0.rawValue }
                compare("\(prefix) attach_bonus", before.attachBonus, after.attachBonus) { bonus in
                    bonus.map {
                        list($0.products.map(\.text)) + " " + $0.bands.map { "\($0.fromPercent.text)%: +\($0.percent.text)" }.joined(separator: ", ")
                    }
                        ?? "(none)"
                }
                compare("\(prefix) baseline", before.baseline, after.baseline) { $0.map { $0.period.label(name: $0.periodName) } ?? "(none)" }
                compare("\(prefix) cap", before.cap, after.cap) { $0?.plainText ?? "(none)" }
                compare("\(prefix) requires_all", before.requiresAll, after.requiresAll) { list($0) }
                compare("\(prefix) requires_any", before.requiresAny, after.requiresAny) { list($0) }
                changes += minimum("\(prefix) minimum_volume", before.minimumVolume, after.minimumVolume)
            }
            if oldPaths.map(\.path) != newPaths.map(\.path) && Set(oldPaths.map(\.path)) == Set(newPaths.map(\.path)) {
                changes.append("subtracks reordered (a line belongs to the first subtrack whose pattern matches)")
            }
        case (.mdf(let a), .mdf(let b)):
            compare("intended_use_rules", a.intendedUseRules, b.intendedUseRules) { rules in
                rules.map { rule in "\(rule.from.map { "from \($0) " } ?? "")\(rule.counts.map { list($0.sorted()) } ?? "any")" }.joined(
                    separator: "; ")
            }
            for tier in Tier.allCases {
                let prefix = "tiers.\(tier.rawValue)"
                switch (a.tiers[tier], b.tiers[tier]) {
                case (nil, nil): continue
                case (.some, nil): changes.append("\(prefix): removed")
                case (nil, .some(let added)): changes.append("\(prefix): added (accrual_percent \(added.accrualPercent.text))")
                case (.some(let before), .some(let after)):
                    compare("\(prefix) accrual_percent", before.accrualPercent, after.accrualPercent) { $0.text }
                    changes += minimum("\(prefix) minimum_volume", before.minimumVolume, after.minimumVolume)
                    compare("\(prefix) requires_strategic_service", before.requiresStrategicService, after.requiresStrategicService) {
                        String($0)
                    }
                }
            }
            compare("funds_valid_months", a.fundsValidMonths, b.fundsValidMonths) { String($0) }
            compare("claim_within_days", a.claimWithinDays, b.claimWithinDays) { String($0) }
        default:
            break
        }
        return changes
    }

    /// `rebate_percent 1 (gold 2)` or `tiers 0: 2%, 100,000: 3% (marginal)`.
    static func rate(_ rate: RebateRate) -> String {
        switch rate {
        case .percent(let byTier):
            let listed = Tier.allCases.compactMap { tier in byTier.byTier[tier].map { "\(tier.rawValue) \($0.text)" } }
            return "rebate_percent \(byTier.defaultPercent.text)" + (listed.isEmpty ? "" : " (\(listed.joined(separator: ", ")))")
        case .tiers(let tiers, let method):
            return "tiers " + tiers.map { "\(whole($0.from)): \($0.percent.text)%" }.joined(separator: ", ") + " (\(method.rawValue))"
        }
    }

    /// `100,000` for 100,000.00, `99.50` otherwise.
    static func whole(_ amount: Money) -> String {
        let text = amount.groupedText
        return text.hasSuffix(".00") ? String(text.dropLast(3)) : text
    }

    static func tiers(_ set: Set<Tier>) -> String { list(Tier.allCases.filter(set.contains).map(\.rawValue)) }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func minimum(_ key: String, _ a: MinimumVolume, _ b: MinimumVolume) -> [String] {
        var changes: [String] = []
        if a.defaultAmount != b.defaultAmount { changes.append("\(key) default: \(a.defaultAmount.plainText) -> \(b.defaultAmount.plainText)") }
        for country in Set(a.byCountry.keys).union(b.byCountry.keys).sorted() where a.byCountry[country] != b.byCountry[country] {
            let before = a.byCountry[country].map(\.plainText) ?? "(default)"
            let after = b.byCountry[country].map(\.plainText) ?? "(default)"
            changes.append("\(key) \(country): \(before) -> \(after)")
        }
        return changes
    }
}
