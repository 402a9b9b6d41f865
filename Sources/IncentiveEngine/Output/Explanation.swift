/// The readable account of one partner: per program and item every check with its numbers,
/// the booking lines that counted and those left out (and why), the amount, the missed amount
/// and what would unlock it.
public enum Explanation {
    /// - Parameters:
    ///   - lineLimit: how many booking lines to list per item (`nil`: all).
    ///   - moreLines: how the front end asks for the lines left out by `lineLimit` (the CLI: `use --all-lines`),
    ///     shown in brackets after their count.
    ///   - asOf: the day the reader stands on: each missed amount is then split into what can still be had in the
    ///     period and what is lost (`MissedSplit`); `nil`: not split.
    public static func render(
        partnerID: String, input: LoadedInput, result: ComputeResult, lineLimit: Int? = 20, moreLines: String? = nil, asOf: Day? = nil
    ) -> String {
        let listing = Listing(limit: lineLimit, moreLines: moreLines, asOf: asOf)
        guard let partnerIndex = input.dataset.partnerIndex(partnerID) else { return "no such partner: \(partnerID)\n" }
        let partner = input.dataset.partners[partnerIndex]
        var text = "Partner \(partner.id): \(partner.name)\n"
        text +=
            "country \(partner.country), tier \(partner.tier.rawValue), \(partner.provider ? "Partner Provider member" : "not a Partner Provider member")\n"
        for (programIndex, programResult) in result.programs.enumerated() {
            let program = programResult.program
            guard let partnerResult = programResult.partners.first(where: { $0.partnerID.isExactly(partnerID) }) else { continue }
            text += "\n\(program.id)  \(program.name)\n"
            let period = program.periodName == nil ? "\(program.period.start)..\(program.period.end)" : program.periodLabel
            text +=
                "\(program.kind == .vip ? "VIP back-end rebate" : "MDF accrual"), \(program.currency), period \(period), bookings counted by \(program.countBookingsBy.rawValue)\n"
            if let tier = partnerResult.tier { text += "  " + tierText(tier) + "\n" }
            let lines = input.totals.traced.map { ($0, $0.outcomes[programIndex]) }
            switch program.rules {
            case .vip(let rules):
                text += vip(
                    partnerResult, program: program, rules: rules, lines: lines, input: input, partnerIndex: partnerIndex, programIndex: programIndex,
                    listing: listing)
            case .mdf(let rules):
                text += mdf(
                    partnerResult, program: program, rules: rules, lines: lines, input: input, partnerIndex: partnerIndex, programIndex: programIndex,
                    listing: listing)
            }
        }
        return text
    }

    static func status(_ result: PartnerResult, currency: String) -> String {
        "status: \(result.status.rawValue); earns \(result.amount.groupedText) \(currency), missed \(result.missedAmount.groupedText) \(currency)\n"
    }

    static func checkLines(_ checks: [Check]) -> String {
        checks.map { "    \($0.passed ? "[pass]" : "[FAIL]") \($0.explanation)\n" }.joined()
    }

    static func describe(_ line: TracedLine, converted: Money?, currency: String) -> String {
        var text = (line.line > 0 ? "line \(line.line): " : "") + "order \(line.orderID)/\(line.lineID) \(line.sku) booked \(line.bookedOn)"
        if let shipped = line.shippedOn { text += " shipped \(shipped)" }
        text += " \(line.amount.groupedText) \(line.currency)"
        if let converted, line.currency != currency { text += " = \(converted.groupedText) \(currency)" }
        if !line.intendedUse.isEmpty { text += " [\(line.intendedUse)]" }
        return text
    }

    /// How many booking lines to list, and how the front end asks for the rest.
    struct Listing {
        var limit: Int?
        var moreLines: String?
        /// The day the missed amounts are split on (`nil`: not split).
        var asOf: Day?
    }

    /// `missed 700.00 USD on 2018-01-20: can still be had by the period end 2018-01-27 (put right: credential)`, or lost
    /// and why; empty without a day or a missed amount.
    static func missedSplitText(_ row: ResultRow, program: Program, asOf: Day?) -> String {
        guard let asOf, let split = row.missedSplit(period: program.period, on: asOf) else { return "" }
        var text = ""
        if split.fixable.cents != 0 {
            text +=
                "    missed \(split.fixable.groupedText) \(program.currency) as of \(asOf): can still be had by the period end \(program.period.end) (put right: \(split.toFix.map(\.rawValue).joined(separator: ", ")))\n"
        }
        if split.lost.cents != 0 {
            text +=
                "    missed \(split.lost.groupedText) \(program.currency) as of \(asOf): lost (\(split.lostBecause.map(\.rawValue).joined(separator: ", ")))\n"
        }
        return text
    }

    static func listing(_ entries: [(TracedLine, String)], _ listing: Listing, programIndex: Int, currency: String) -> String {
        self.listing(
            entries.map { line, label in
                let converted: Money?
                switch line.outcomes[programIndex] {
                case .counted(_, let amount), .qualifying(let amount), .untagged(let amount), .otherTag(let amount), .noRule(let amount),
                    .beforeEnrollment(_, let amount, _), .outsideProductDates(_, let amount), .baseline(_, let amount, _):
                    converted = amount
                default: converted = nil
                }
                return (line, label, converted)
            }, listing, currency: currency)
    }

    /// Each line with its label and its amount in the program's currency (`nil`: not converted), up to the limit.
    static func listing(_ entries: [(TracedLine, String, Money?)], _ listing: Listing, currency: String) -> String {
        var text = ""
        for (index, entry) in entries.enumerated() {
            if let limit = listing.limit, index >= limit {
                text += "      ... and \(entries.count - limit) more\(listing.moreLines.map { " (\($0))" } ?? "")\n"
                break
            }
            text += "      \(entry.1) \(describe(entry.0, converted: entry.2, currency: currency))\n"
        }
        return text
    }

    static func vip(
        _ result: PartnerResult, program: Program, rules: VIPRules, lines: [(TracedLine, LineOutcome)], input: LoadedInput, partnerIndex: Int,
        programIndex: Int, listing options: Listing
    ) -> String {
        let paths = rules.subtrackPaths
        if result.status == .notEnrolled {
            var text = "  status: not_enrolled (no enrolment in this program, so no rebate)\n"
            let totals = input.totals.programs[programIndex]
            for (index, entry) in paths.enumerated() {
                let bucket = totals.subtrack(partner: partnerIndex, subtrack: index)
                if bucket.lines > 0 {
                    text += "  note: \(bucket.lines) line(s) in \(entry.path) in the period, \(bucket.volume.groupedText) \(program.currency)\n"
                }
            }
            return text
        }
        var text = "  " + status(result, currency: program.currency)
        let enrollments = input.dataset.enrollments.filter { $0.partnerID.isExactly(result.partnerID) && $0.program.isExactly(program.id) }
        for row in result.rows {
            guard let index = paths.firstIndex(where: { $0.path.isExactly(row.item) }) else { continue }
            let subtrack = paths[index].subtrack
            let enrolled = enrollments.first { $0.subtrack.isExactly(row.item) }?.enrolledOn
            text +=
                "\n  \(row.item)  \(subtrack.name), rebate \(subtrack.paysLikeV1 ? "\(subtrack.rebatePercent.text)%" : rateText(subtrack, program: program))"
            if let enrolled { text += ", enrolled \(enrolled)" }
            if let late = row.leftOut?.enrolledLateOn, let fullCredit = rules.fullCreditEnrollmentUntil {
                text += " (after full_credit_enrollment_until \(fullCredit): lines counted before \(late) are left out)"
            }
            text += "\n" + checkLines(row.checks)
            var counted: [(TracedLine, String)] = []
            var leftOut: [(TracedLine, String)] = []
            var baseline: [(TracedLine, String)] = []
            for (line, outcome) in lines {
                switch outcome {
                case .counted(let subtrackIndex, _) where subtrackIndex == index:
                    counted.append((line, "counted:"))
                case .outsidePeriod(let subtrackIndex, let date) where subtrackIndex == index:
                    leftOut.append(
                        (
                            line,
                            "left out (\(program.countBookingsBy.rawValue) \(date) is \(date < program.period.start ? "before" : "after") the period):"
                        ))
                case .undated(let subtrackIndex) where subtrackIndex == index:
                    leftOut.append((line, "left out (no \(program.countBookingsBy.rawValue)):"))
                case .beforeEnrollment(let subtrackIndex, _, let enrolledOn) where subtrackIndex == index:
                    leftOut.append((line, "left out (counted before the late enrolment \(enrolledOn)):"))
                case .outsideProductDates(let subtrackIndex, _) where subtrackIndex == index:
                    let entry = subtrack.productEntries.first { $0.pattern.matches(Array(line.sku.utf8)) }
                    leftOut.append((line, "left out (booked \(line.bookedOn), outside the dates of product entry \(entry.map(entryText) ?? "?")):"))
                case .baseline(let subtrackIndex, _, _) where subtrackIndex == index:
                    baseline.append((line, "baseline:"))
                case .baselineOutsideProductDates(let subtrackIndex, _) where subtrackIndex == index:
                    let entry = subtrack.productEntries.first { $0.pattern.matches(Array(line.sku.utf8)) }
                    baseline.append(
                        (line, "not baseline (booked \(line.bookedOn), outside the dates of product entry \(entry.map(entryText) ?? "?")):"))
                default: break
                }
            }
            // The lines the attach bonus looked at, counted or left out by a late enrolment.
            var attach: [(TracedLine, String, Money?)] = []
            if subtrack.attachBonus != nil {
                for line in input.totals.traced {
                    for use in line.attach where use.program == programIndex && use.subtrack == index {
                        let label = use.enrolledLateOn.map { "left out of the attach volume (counted before the late enrolment \($0)):" } ?? "attach:"
                        attach.append((line, label, use.amount))
                    }
                }
            }
            text += "    lines: \(counted.count) counted, \(row.qualifyingVolume.groupedText) \(program.currency) (credits included)"
            text += leftOut.isEmpty ? "\n" : "; \(leftOut.count) left out\n"
            text +=
                listing(counted, options, programIndex: programIndex, currency: program.currency)
                + listing(leftOut, options, programIndex: programIndex, currency: program.currency)
            if let leftOutLines = row.leftOut {
                text += leftOutText(leftOutLines, hasAttachBonus: row.rebate?.attach != nil, currency: program.currency)
            }
            if !baseline.isEmpty {
                let counted = baseline.count { if case .baseline = $0.0.outcomes[programIndex] { true } else { false } }
                text +=
                    "    \(counted) line(s) in the baseline period"
                    + (counted == baseline.count ? "\n" : "; \(baseline.count - counted) left out by their product entry's dates\n")
                    + listing(baseline, options, programIndex: programIndex, currency: program.currency)
            }
            if !attach.isEmpty {
                let counted = attach.count { $0.1 == "attach:" }
                text +=
                    "    \(counted) attach line(s) in the attach volume"
                    + (counted == attach.count ? "\n" : "; \(attach.count - counted) left out by the late enrolment\n")
                    + listing(attach, options, currency: program.currency)
            }
            if let rebate = row.rebate {
                text += rebateText(rebate, row: row, currency: program.currency)
                if !row.eligible {
                    let unlock = row.checks.filter { !$0.passed }.map { unlockAdvice($0, currency: program.currency) }
                    text += "    to unlock: \(unlock.joined(separator: "; "))\n"
                }
                text += missedSplitText(row, program: program, asOf: options.asOf)
            } else if row.eligible {
                text += "    rebate: \(row.amount.groupedText) \(program.currency)\(made(row.basis))\n"
            } else {
                text += "    rebate: 0.00 \(program.currency); missed \(row.missedAmount.groupedText) \(program.currency)\n"
                let unlock = row.checks.filter { !$0.passed }.map { unlockAdvice($0, currency: program.currency) }
                text += "    to unlock: \(unlock.joined(separator: "; "))\n"
                text += missedSplitText(row, program: program, asOf: options.asOf)
            }
        }
        let unmatched = input.totals.programs[programIndex].unmatchedLines[partnerIndex]
        if unmatched > 0 { text += "\n  \(unmatched) booking line(s) match no subtrack of this program\n" }
        return text
    }

    /// `tier gold on 2015-07-25 (tiers.csv, valid from 2015-03-01)`.
    static func tierText(_ tier: TierOnDay) -> String {
        "tier \(tier.tier.rawValue) on \(tier.day), the period's last day ("
            + (tier.validFrom.map { "tiers.csv, valid from \($0)" } ?? "partners.csv: no tiers.csv row on or before it") + ")"
    }

    /// A product entry with its dates: `UCS-OLD-* until 2015-03-31`.
    static func entryText(_ entry: ProductEntry) -> String {
        var text = entry.pattern.text
        if let from = entry.from { text += " from \(from)" }
        if let until = entry.until { text += " until \(until)" }
        return text
    }

    /// A rate structure in words: `tiers 0.00: 2%, 100,000.00: 3% (marginal), on the volume above the minimum, attach bonus ...`.
    static func rateText(_ subtrack: Subtrack, program: Program) -> String {
        var text: String
        switch subtrack.rate {
        case .percent(let byTier):
            text = "\(byTier.defaultPercent.text)%"
            let listed = Tier.allCases.compactMap { tier in byTier.byTier[tier].map { "\(tier.rawValue) \($0.text)%" } }
            if !listed.isEmpty { text += " (\(listed.joined(separator: ", ")); others the default)" }
        case .tiers(let tiers, let method):
            text = "tiers " + tiers.map { "\($0.from.groupedText): \($0.percent.text)%" }.joined(separator: ", ") + " (\(method.rawValue))"
        }
        switch subtrack.rebateBase {
        case .all: break
        case .aboveMinimum: text += ", on the volume above the minimum"
        case .growth: text += ", on growth over the baseline"
        }
        if let attach = subtrack.attachBonus {
            text +=
                ", attach bonus on \(attach.products.map(\.text).joined(separator: " "))"
                + " (" + attach.bands.map { "from \($0.fromPercent.text)%: +\($0.percent.text)" }.joined(separator: ", ") + ")"
        }
        if let cap = subtrack.cap { text += ", cap \(cap.groupedText) \(program.currency)" }
        return text
    }

    /// The lines the enrolment cut-off and product entries' dates left out, in totals.
    static func leftOutText(_ lines: LeftOutLines, hasAttachBonus: Bool, currency: String) -> String {
        var text = ""
        if let late = lines.enrolledLateOn {
            text +=
                "    late enrolment \(late): \(lines.beforeEnrollmentLines) line(s) counted before it left out, \(lines.beforeEnrollmentVolume.groupedText) \(currency)\n"
            if hasAttachBonus {
                text +=
                    "    late enrolment \(late): \(lines.attachBeforeEnrollmentLines) attach line(s) counted before it left out of the attach volume, \(lines.attachBeforeEnrollmentVolume.groupedText) \(currency)\n"
            }
        }
        if lines.outsideProductDatesLines > 0 {
            text +=
                "    \(lines.outsideProductDatesLines) line(s) booked outside their product entry's dates left out, \(lines.outsideProductDatesVolume.groupedText) \(currency)\n"
        }
        return text
    }

    /// How a rebate (or the missed amount) is made under formats.md §5.4, step by step.
    static func rebateText(_ rebate: RebateComputation, row: ResultRow, currency: String) -> String {
        var text = ""
        let volume = row.qualifyingVolume.groupedText
        if let baseline = rebate.baseline {
            text +=
                "    baseline: \(baseline.period.label(name: baseline.periodName)): \(baseline.sum.groupedText) \(currency)"
                + " x \(baseline.programDays) / \(baseline.baselineDays) days = \(baseline.amount.groupedText) \(currency)"
                + (baseline.sum.cents < 0 ? " (negative: counts as 0)" : "") + "\n"
        }
        switch rebate.rebateBase {
        case .all: text += "    base: \(rebate.base.groupedText) \(currency) (the qualifying volume)\n"
        case .aboveMinimum:
            text += "    base: \(volume) - minimum \(row.threshold.groupedText) = \(rebate.base.groupedText) \(currency)\n"
        case .growth:
            text +=
                "    base: \(volume) - baseline \((rebate.baseline?.amount ?? .zero).groupedText) = \(rebate.base.groupedText) \(currency)\n"
        }
        if let attach = rebate.attach {
            let rate = attach.rate(qualifying: row.qualifyingVolume).map { "\($0.text)% of the qualifying volume" } ?? "no qualifying volume"
            text += "    attach: \(attach.volume.groupedText) \(currency), \(rate): "
            text += attach.band.map { "band from \($0.fromPercent.text)% adds \($0.percent.text) points" } ?? "no band reached, no bonus"
            text += "\n"
        }
        let what = row.eligible ? "rebate:" : "rebate: 0.00 \(currency); missed"
        if rebate.slices.isEmpty {
            text += "    \(what) 0.00 \(currency) (a base of 0 or less pays nothing)\n"
            return text
        }
        let terms = rebate.slices.map { "\($0.amount.groupedText) x \($0.totalPercent.text)%" }.joined(separator: " + ")
        text += "    \(what) \(rebate.amount.groupedText) \(currency) = round(\(terms)), rounded half to even once"
        if rebate.capBound, let cap = rebate.cap {
            text += "; \(rebate.uncapped.groupedText) capped at \(cap.groupedText)"
        }
        return text + "\n"
    }

    /// How an amount was made, as the engine recorded it: ` = 57,500.00 x 6%, rounded half to even`. A row
    /// without its basis (made outside the engine, or read back from a stored run) shows the amount alone:
    /// the rate is the engine's fact, not one to work out again here.
    static func made(_ basis: AmountBasis?) -> String {
        guard let basis else { return "" }
        switch basis.rounding {
        case .halfEvenToCents: return " = \(basis.base.groupedText) x \(basis.percent.text)%, rounded half to even"
        }
    }

    /// What would make a failed check pass, worded from its facts.
    static func unlockAdvice(_ check: Check, currency: String) -> String {
        let facts = check.facts
        switch check.code {
        case .tier: return "the partner's tier must be one of the eligible tiers"
        case .csat:
            guard case .csatReports(let missing) = facts.shortfall else { return "submit the required CSAT reports" }
            return "submit \(missing) more CSAT report\(missing == 1 ? "" : "s") within the period"
        case .credential:
            guard let requirement = facts.credentialRequirement else { return "hold the required credentials" }
            let deadline = requirement.rule == .enrollment ? "by the enrolment date" : "by the period end"
            return requirement.ids.count > 1
                ? "hold one of \(requirement.ids.joined(separator: " or ")) \(deadline)" : "hold \(requirement.ids.joined()) \(deadline)"
        case .volume:
            guard case .volume(let short) = facts.shortfall else { return "book more qualifying volume" }
            return "book \(short.groupedText) \(currency) more qualifying volume"
        case .strategicService: return "deliver a strategic Cisco Powered Service during the period"
        }
    }

    static func mdf(
        _ result: PartnerResult, program: Program, rules: MDFRules, lines: [(TracedLine, LineOutcome)], input: LoadedInput, partnerIndex: Int,
        programIndex: Int, listing options: Listing
    ) -> String {
        let partner = input.dataset.partners[partnerIndex]
        // The tier in force on the period's last day (formats.md §5.5), as the engine took it.
        let partnerTier = result.tier?.tier ?? partner.tier
        guard let row = result.rows.first, let tier = rules.tiers[partnerTier] else {
            if !partner.provider { return "  status: not_taking_part (not a Partner Provider member)\n" }
            return "  status: not_taking_part (tier \(partnerTier.rawValue) earns no MDF in this program)\n"
        }
        let bucket = input.totals.programs[programIndex].mdf[partnerIndex]
        var text = "  " + status(result, currency: program.currency)
        text += "\n  tier \(tier.tier.rawValue), accrual \(tier.accrualPercent.text)%\n"
        text +=
            "  intended-use rules: "
            + rules.intendedUseRules.map { rule in
                let from = rule.from.map { "from \($0)" } ?? "from the start"
                let counts = rule.counts.map { "only \($0.sorted().joined(separator: ", "))" } ?? "any booking"
                return "\(from): \(counts)"
            }.joined(separator: "; ") + "\n"
        text += checkLines(row.checks)
        var qualifying: [(TracedLine, String)] = []
        var untagged: [(TracedLine, String)] = []
        var other: [(TracedLine, String)] = []
        var outside: [(TracedLine, String)] = []
        for (line, outcome) in lines {
            switch outcome {
            case .qualifying: qualifying.append((line, "qualifying:"))
            case .untagged: untagged.append((line, "untagged:"))
            case .otherTag: other.append((line, "tagged \(line.intendedUse), not counted:"))
            case .noRule: other.append((line, "no intended-use rule in force:"))
            case .outsidePeriod(_, let date): outside.append((line, "left out (\(program.countBookingsBy.rawValue) \(date) outside the period):"))
            case .undated: outside.append((line, "left out (no \(program.countBookingsBy.rawValue)):"))
            default: break
            }
        }
        text += "    lines: \(bucket.qualifyingLines) qualifying, \(bucket.qualifyingVolume.groupedText) \(program.currency)"
        if bucket.qualifyingUntaggedLines > 0 { text += " (\(bucket.qualifyingUntaggedLines) of them untagged, counted before the tagging rule)" }
        text += "\n"
        if bucket.untaggedLines > 0 {
            text +=
                "    \(bucket.untaggedLines) untagged line(s) after the tagging rule, \(bucket.untaggedVolume.groupedText) \(program.currency): earn no MDF\n"
        }
        if bucket.otherTagLines > 0 {
            text +=
                "    \(bucket.otherTagLines) line(s) tagged for another use, \(bucket.otherTagVolume.groupedText) \(program.currency): not counted (declared on purpose)\n"
        }
        if !outside.isEmpty { text += "    \(outside.count) line(s) outside the period\n" }
        text +=
            listing(qualifying, options, programIndex: programIndex, currency: program.currency)
            + listing(untagged, options, programIndex: programIndex, currency: program.currency)
            + listing(other, options, programIndex: programIndex, currency: program.currency)
            + listing(outside, options, programIndex: programIndex, currency: program.currency)
        if row.eligible {
            text += "    accrual: \(row.amount.groupedText) \(program.currency)\(made(row.basis))\n"
        } else {
            text += "    accrual: 0.00 \(program.currency)\n"
            let unlock = row.checks.filter { !$0.passed }.map { unlockAdvice($0, currency: program.currency) }
            text += "    to unlock: \(unlock.joined(separator: "; "))\n"
        }
        if row.missedAmount.cents > 0 {
            text +=
                "    missed: \(row.missedAmount.groupedText) \(program.currency): tagging the \(bucket.untaggedLines) untagged line(s) as managed services would have earned it\n"
        } else if bucket.untaggedLines > 0 {
            text += "    missed: 0.00 \(program.currency): tagging the untagged lines would not change the accrual (another check fails)\n"
        }
        text += missedSplitText(row, program: program, asOf: options.asOf)
        return text
    }
}
