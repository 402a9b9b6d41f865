/// The readable account of one partner: per program and item every check with its numbers,
/// the booking lines that counted and those left out (and why), the amount, the missed amount
/// and what would unlock it.
public enum Explanation {
    /// - Parameters:
    ///   - lineLimit: how many booking lines to list per item (`nil`: all).
    ///   - moreLines: how the front end asks for the lines left out by `lineLimit` (the CLI: `use --all-lines`),
    ///     shown in brackets after their count.
    public static func render(
        partnerID: String, input: LoadedInput, result: ComputeResult, lineLimit: Int? = 20, moreLines: String? = nil
    ) -> String {
        let listing = Listing(limit: lineLimit, moreLines: moreLines)
        guard let partnerIndex = input.dataset.partnerIndex(partnerID) else { return "no such partner: \(partnerID)\n" }
        let partner = input.dataset.partners[partnerIndex]
        var text = "Partner \(partner.id): \(partner.name)\n"
        text +=
            "country \(partner.country), tier \(partner.tier.rawValue), \(partner.provider ? "Partner Provider member" : "not a Partner Provider member")\n"
        for (programIndex, programResult) in result.programs.enumerated() {
            let program = programResult.program
            guard let partnerResult = programResult.partners.first(where: { $0.partnerID.isExactly(partnerID) }) else { continue }
            text += "\n\(program.id)  \(program.name)\n"
            text +=
                "\(program.kind == .vip ? "VIP back-end rebate" : "MDF accrual"), \(program.currency), period \(program.period.start)..\(program.period.end), bookings counted by \(program.countBookingsBy.rawValue)\n"
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
    }

    static func listing(_ entries: [(TracedLine, String)], _ listing: Listing, programIndex: Int, currency: String) -> String {
        var text = ""
        for (index, entry) in entries.enumerated() {
            if let limit = listing.limit, index >= limit {
                text += "      ... and \(entries.count - limit) more\(listing.moreLines.map { " (\($0))" } ?? "")\n"
                break
            }
            var converted: Money?
            switch entry.0.outcomes[programIndex] {
            case .counted(_, let amount), .qualifying(let amount), .untagged(let amount), .otherTag(let amount), .noRule(let amount):
                converted = amount
            default: converted = nil
            }
            text += "      \(entry.1) \(describe(entry.0, converted: converted, currency: currency))\n"
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
            text += "\n  \(row.item)  \(subtrack.name), rebate \(subtrack.rebatePercent.text)%"
            if let enrolled { text += ", enrolled \(enrolled)" }
            text += "\n" + checkLines(row.checks)
            var counted: [(TracedLine, String)] = []
            var leftOut: [(TracedLine, String)] = []
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
                default: break
                }
            }
            text += "    lines: \(counted.count) counted, \(row.qualifyingVolume.groupedText) \(program.currency) (credits included)"
            text += leftOut.isEmpty ? "\n" : "; \(leftOut.count) left out\n"
            text +=
                listing(counted, options, programIndex: programIndex, currency: program.currency)
                + listing(leftOut, options, programIndex: programIndex, currency: program.currency)
            if row.eligible {
                text += "    rebate: \(row.amount.groupedText) \(program.currency)\(made(row.basis))\n"
            } else {
                text += "    rebate: 0.00 \(program.currency); missed \(row.missedAmount.groupedText) \(program.currency)\n"
                let unlock = row.checks.filter { !$0.passed }.map { unlockAdvice($0, currency: program.currency) }
                text += "    to unlock: \(unlock.joined(separator: "; "))\n"
            }
        }
        let unmatched = input.totals.programs[programIndex].unmatchedLines[partnerIndex]
        if unmatched > 0 { text += "\n  \(unmatched) booking line(s) match no subtrack of this program\n" }
        return text
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
        guard let row = result.rows.first, let tier = rules.tiers[partner.tier] else {
            if !partner.provider { return "  status: not_taking_part (not a Partner Provider member)\n" }
            return "  status: not_taking_part (tier \(partner.tier.rawValue) earns no MDF in this program)\n"
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
        return text
    }
}
