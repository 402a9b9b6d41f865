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
        compare("count_bookings_by", old.countBookingsBy, new.countBookingsBy) { $0.rawValue }
        compare("max_rebate_percent", old.maxRebatePercent, new.maxRebatePercent) { $0.text }
        switch (old.rules, new.rules) {
        case (.vip(let a), .vip(let b)):
            compare("eligible_tiers", a.eligibleTiers, b.eligibleTiers) { tiers($0) }
            compare("csat_required", a.csatRequired, b.csatRequired) { String($0) }
            compare("knowledge_deadline", a.knowledgeDeadline, b.knowledgeDeadline) { $0.rawValue }
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
                compare("\(prefix) rebate_percent", before.rebatePercent, after.rebatePercent) { $0.text }
                compare("\(prefix) products", before.products.map(\.text), after.products.map(\.text)) { list($0) }
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
        default:
            break
        }
        return changes
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
