import Foundation
import IncentiveEngine

/// The advice as a consultant reads it, as stable JSON (docs/advice.md), and in summary lines for the
/// partner page. The phrases they share come from `AdviceWords`.
public enum AdviceOutput {
    /// - Parameter calendar: the deadline calendar (`AdviceCalendar.actions`), printed last when given.
    public static func table(_ advice: PartnerAdvice, recommendation: Recommendation? = nil, calendar: [DatedAction]? = nil) -> String {
        let words = AdviceWords.english
        let partner = advice.partner
        var text = "Advice for \(partner.id) \(partner.name) (\(partner.country), \(partner.tier.rawValue)) as of \(advice.asOf)\n"
        for program in advice.programs {
            let p = program.program
            text += "\n\(p.id)  \(p.name)\n"
            text += "period \(p.period.start)..\(p.period.end): day \(program.daysElapsed) of \(program.daysInPeriod)\n"
            for subtrack in program.subtracks {
                let currency = p.currency
                text += "\n  \(subtrack.path)  \(subtrack.name), rebate \(subtrack.rebatePercent.text)%\n"
                if let on = subtrack.enrolledOn {
                    text += "    enrolled on \(on)\n"
                } else {
                    text += "    \(words.notEnrolled); " + (subtrack.canEnroll ? "enrolment is still possible\n" : "the period has ended\n")
                }
                text += standing(
                    "volume so far", volume: subtrack.qualifyingVolume, minimum: subtrack.minimum, gap: subtrack.gap,
                    met: subtrack.minimumAlreadyMet, projected: subtrack.projectedVolume, reachedOn: subtrack.minimumReachedOn,
                    currency: currency, running: program.periodRunning, words: words)
                for line in forecastLines(subtrack.forecast, words: .english, format: .plain, currency: currency, running: program.periodRunning) {
                    text += "    \(line)\n"
                }
                for check in subtrack.failingChecks {
                    let found = renewBeforeExpiry(check, asOf: advice.asOf, words: .english, format: .plain) ?? check.explanation
                    text += "    \(words.missing): \(found)\n"
                }
                if let csat = subtrack.csat {
                    text += "    " + ForecastWords.english.csat(csat.found, csat.required, csat.expected, csat.by.description) + "\n"
                }
                if subtrack.enrolled {
                    text += "    rebate on the volume so far: \(subtrack.rebateNow.groupedText) \(currency)\n"
                }
                for line in ForecastWords.english.missed(subtrack.missed, format: .plain, currency: currency) { text += "    \(line)\n" }
                let what = subtrack.enrolled ? "rebate" : words.enrollingWouldBring
                if subtrack.failingChecks.isEmpty {
                    text += "    \(what) at the projected volume: \(subtrack.rebateAtProjection.groupedText) \(currency)\n"
                } else {
                    text +=
                        "    \(what) at the projected volume once the missing items are in place: \(subtrack.rebateAtProjection.groupedText) \(currency)\n"
                }
                if let attach = subtrack.attachVolume, attach.cents != 0 || subtrack.projectedAttachVolume != .zero {
                    text += "    attach volume so far \(attach.groupedText) \(currency)"
                    if program.periodRunning, let projected = subtrack.projectedAttachVolume {
                        text += "; \(words.atThisPace): \(projected.groupedText) \(currency) \(words.byThePeriodEnd)"
                    }
                    text += "\n"
                }
                for line in v2Lines(subtrack, words: words, format: .plain, currency: currency, running: program.periodRunning, projections: true) {
                    text += "    \(line)\n"
                }
            }
            if let mdf = program.mdf {
                let currency = p.currency
                text += "\n  MDF, tier \(mdf.tier)\n"
                text += standing(
                    "qualifying volume so far", volume: mdf.qualifyingVolume, minimum: mdf.minimum, gap: mdf.gap, met: mdf.minimumMet,
                    projected: mdf.projectedVolume, reachedOn: mdf.minimumReachedOn, currency: currency, running: program.periodRunning,
                    words: words)
                for line in forecastLines(mdf.forecast, words: .english, format: .plain, currency: currency, running: program.periodRunning) {
                    text += "    \(line)\n"
                }
                let tags = words.tags(mdf.tags)
                text +=
                    "    \(words.tagged) \(tags): \(mdf.taggedVolume.groupedText) of \(mdf.inPeriodVolume.groupedText) \(currency) of orders in the period (\(AdviceFormat.plain.share(perMille: mdf.taggedPerMille)))\n"
                text +=
                    "    \(words.untagged) while a tag was required: \(mdf.untaggedLines) line(s), \(mdf.untaggedVolume.groupedText) \(currency); MDF lost: \(mdf.mdfLost.groupedText) \(currency)\n"
                for line in ForecastWords.english.missed(mdf.missed, format: .plain, currency: currency) { text += "    \(line)\n" }
                if mdf.creditLines > 0 {
                    text +=
                        "    "
                        + ForecastWords.english.credits(
                            mdf.creditLines, mdf.creditVolume.groupedText, mdf.untaggedCreditVolume.groupedText, currency) + "\n"
                }
                if !mdf.candidates.isEmpty {
                    text += "    lines to \(words.reTag) (\(words.heuristic(tags))):\n"
                    for candidate in mdf.candidates {
                        text +=
                            "      order \(candidate.orderID)/\(candidate.lineID) \(candidate.sku) booked \(candidate.bookedOn) \(candidate.amount.groupedText) \(currency) (same \(candidate.matches.joined(separator: " and ")))\n"
                    }
                }
            }
        }
        if let recommendation {
            text +=
                "\nRecommendation: expected rebate \(recommendation.expectedRebate.groupedText), investment \(recommendation.investment.groupedText), net \(recommendation.net.groupedText)\n"
            for line in recommendation.reasoning { text += "  \(line)\n" }
        }
        if let calendar { text += calendarSection(advice, calendar) }
        return text
    }

    /// `, minimum reached on D`, or that it is not reached within the period.
    /// The volume against the minimum and, while the period runs, where the pace leads.
    static func standing(
        _ label: String, volume: Money, minimum: Money, gap: Money, met: Bool, projected: Money, reachedOn: Day?, currency: String,
        running: Bool, words: AdviceWords
    ) -> String {
        var text = "    \(label) \(volume.groupedText) of minimum \(minimum.groupedText) \(currency)"
        text += met ? " (met)\n" : ", \(gap.groupedText) to go\n"
        if running {
            text += "    \(words.atThisPace): \(projected.groupedText) \(currency) \(words.byThePeriodEnd)"
            if !met { text += reached(reachedOn, words) }
            text += "\n"
        }
        return text
    }

    /// The facts of rules v2 (formats.md §5.3-5.4) in words, one sentence each, in the order: next tier, next attach
    /// band, growth, cap, enrolment cut-off. With `projections`, also the next tier and band at the projected volume
    /// while the period runs and they differ from those so far (the table); the cap and the growth still needed at the
    /// projection are always told.
    /// Empty for a subtrack without those rules.
    static func v2Lines(
        _ subtrack: SubtrackAdvice, words: AdviceWords, format: AdviceFormat, currency: String, running: Bool, projections: Bool
    ) -> [String] {
        var lines: [String] = []
        func tier(_ next: NextTier) -> String {
            words.nextTier(
                format.money(next.from), format.percent(next.percent), next.method == .retroactive, format.money(next.volumeNeeded),
                format.money(next.adds), currency)
        }
        func band(_ next: NextAttachBand) -> String {
            words.nextAttachBand(
                format.percent(next.fromPercent), format.percent(next.bonus), format.money(next.attachNeeded), format.money(next.adds), currency)
        }
        if let next = subtrack.nextTier { lines.append(tier(next)) }
        if projections && running, let next = subtrack.nextTierAtProjection, next != subtrack.nextTier {
            lines.append("\(words.atThisPace): " + tier(next))
        }
        if let next = subtrack.nextAttachBand { lines.append(band(next)) }
        if projections && running, let next = subtrack.nextAttachBandAtProjection, next != subtrack.nextAttachBand {
            lines.append("\(words.atThisPace): " + band(next))
        }
        if let growth = subtrack.growth {
            let period =
                growth.baselinePeriodName.map { "\($0) (\(format.date(growth.baselinePeriod.start)) .. \(format.date(growth.baselinePeriod.end)))" }
                ?? "\(format.date(growth.baselinePeriod.start)) .. \(format.date(growth.baselinePeriod.end))"
            var line = words.growthBaseline(format.money(growth.baseline), format.money(growth.baselineSum), period, currency)
            if growth.stillNeeded.cents > 0 { line += "; " + words.growthNeeded(format.money(growth.stillNeeded), currency) }
            lines.append(line)
            if running && growth.stillNeededAtProjection.cents > 0 {
                lines.append("\(words.atThisPace): " + words.growthNeeded(format.money(growth.stillNeededAtProjection), currency))
            }
        }
        if let cap = subtrack.cap {
            if cap.bindsNow {
                lines.append(words.capReached(format.money(cap.cap), cap.volumeReached.map(format.money), currency))
            } else if running && cap.bindsAtProjection {
                let reached = words.capReached(format.money(cap.cap), cap.volumeReachedAtProjection.map(format.money), currency)
                lines.append("\(words.atThisPace): " + reached)
            }
        }
        if let day = subtrack.fullCreditEnrollmentUntil { lines.append(words.enrollForFullCredit(format.date(day))) }
        if let forfeit = subtrack.lateEnrollmentForfeit, forfeit.lines > 0 || forfeit.attachLines > 0 {
            lines.append(
                words.lateEnrollmentForfeit(
                    format.date(forfeit.enrollOn), format.date(forfeit.fullCreditUntil), forfeit.lines, format.money(forfeit.volume),
                    forfeit.attachLines, subtrack.attachVolume == nil ? nil : format.money(forfeit.attachVolume), format.money(forfeit.rebate),
                    format.money(forfeit.rebateAtProjection), currency))
        }
        return lines
    }

    static func reached(_ day: Day?, _ words: AdviceWords) -> String {
        day.map { ", \(words.minimumReachedOn) \($0)" } ?? ", \(words.minimumNotReached)"
    }

    struct Document: Encodable {
        struct Program: Encodable {
            var id, kind, currency: String
            var daysElapsed, daysInPeriod: Int
            var subtracks: [Subtrack]
            var mdf: MDF?
            enum CodingKeys: String, CodingKey {
                case id, kind, currency, subtracks, mdf
                case daysElapsed = "days_elapsed", daysInPeriod = "days_in_period"
            }
        }

        struct Subtrack: Encodable {
            var path, rebatePercent: String
            var enrolledOn: String?
            var canEnroll: Bool
            var qualifyingVolume, minimum, gap, projectedVolume: String
            var minimumMet: Bool
            var minimumReachedOn: String?
            var missing: [String]
            var missingCredentials: [[String]]
            var rebateNow, rebateAtProjection: String
            // Rules v2 (formats.md §5.3-5.4): absent for a program without them.
            var attachVolume, projectedAttachVolume: String?
            var nextTier, nextTierAtProjection: NextTierDocument?
            var nextAttachBand, nextAttachBandAtProjection: NextBandDocument?
            var fullCreditEnrollmentUntil: String?
            var lateEnrollmentForfeit: ForfeitDocument?
            var growth: GrowthDocument?
            var cap: CapDocument?
            var forecast: ForecastDocument?
            var csat: CSATDocument?
            var missed: MissedDocument?
            enum CodingKeys: String, CodingKey {
                case path, minimum, gap, missing, growth, cap, forecast, csat, missed
                case rebatePercent = "rebate_percent", enrolledOn = "enrolled_on", canEnroll = "can_enroll"
                case qualifyingVolume = "qualifying_volume", projectedVolume = "projected_volume", minimumMet = "minimum_met"
                case minimumReachedOn = "minimum_reached_on", missingCredentials = "missing_credentials", rebateNow = "rebate_now"
                case rebateAtProjection = "rebate_at_projection"
                case attachVolume = "attach_volume", projectedAttachVolume = "projected_attach_volume", nextTier = "next_tier"
                case nextTierAtProjection = "next_tier_at_projection", nextAttachBand = "next_attach_band"
                case nextAttachBandAtProjection = "next_attach_band_at_projection", fullCreditEnrollmentUntil = "full_credit_enrollment_until"
                case lateEnrollmentForfeit = "late_enrollment_forfeit"
            }
        }

        struct NextTierDocument: Encodable {
            var from, percent, method, volume, volumeNeeded, rebateAtTier, adds: String
            enum CodingKeys: String, CodingKey {
                case from, percent, method, volume, adds
                case volumeNeeded = "volume_needed", rebateAtTier = "rebate_at_tier"
            }
            init(_ next: NextTier) {
                from = next.from.plainText
                percent = next.percent.text
                method = next.method.rawValue
                volume = next.volume.plainText
                volumeNeeded = next.volumeNeeded.plainText
                rebateAtTier = next.rebateAtTier.plainText
                adds = next.adds.plainText
            }
        }

        struct NextBandDocument: Encodable {
            var fromPercent, bonus, attachVolume, attachNeeded, rebateWithBand, adds: String
            enum CodingKeys: String, CodingKey {
                case bonus, adds
                case fromPercent = "from_percent", attachVolume = "attach_volume", attachNeeded = "attach_needed"
                case rebateWithBand = "rebate_with_band"
            }
            init(_ next: NextAttachBand) {
                fromPercent = next.fromPercent.text
                bonus = next.bonus.text
                attachVolume = next.attachVolume.plainText
                attachNeeded = next.attachNeeded.plainText
                rebateWithBand = next.rebateWithBand.plainText
                adds = next.adds.plainText
            }
        }

        struct ForfeitDocument: Encodable {
            var fullCreditUntil, enrollOn, volume, attachVolume, rebate, rebateAtProjection: String
            var lines, attachLines: Int
            enum CodingKeys: String, CodingKey {
                case volume, rebate, lines
                case fullCreditUntil = "full_credit_until", enrollOn = "enroll_on", attachVolume = "attach_volume"
                case rebateAtProjection = "rebate_at_projection", attachLines = "attach_lines"
            }
            init(_ forfeit: LateEnrollmentForfeit) {
                fullCreditUntil = forfeit.fullCreditUntil.description
                enrollOn = forfeit.enrollOn.description
                lines = forfeit.lines
                volume = forfeit.volume.plainText
                attachLines = forfeit.attachLines
                attachVolume = forfeit.attachVolume.plainText
                rebate = forfeit.rebate.plainText
                rebateAtProjection = forfeit.rebateAtProjection.plainText
            }
        }

        struct GrowthDocument: Encodable {
            var baselinePeriod: [String: String]
            var baselinePeriodName: String?
            var baselineSum, baseline, stillNeeded, stillNeededAtProjection: String
            enum CodingKeys: String, CodingKey {
                case baseline
                case baselinePeriod = "baseline_period", baselinePeriodName = "baseline_period_name", baselineSum = "baseline_sum"
                case stillNeeded = "still_needed", stillNeededAtProjection = "still_needed_at_projection"
            }
            init(_ growth: GrowthOutlook) {
                baselinePeriod = ["start": growth.baselinePeriod.start.description, "end": growth.baselinePeriod.end.description]
                baselinePeriodName = growth.baselinePeriodName
                baselineSum = growth.baselineSum.plainText
                baseline = growth.baseline.plainText
                stillNeeded = growth.stillNeeded.plainText
                stillNeededAtProjection = growth.stillNeededAtProjection.plainText
            }
        }

        struct CapDocument: Encodable {
            var cap: String
            var bindsNow, bindsAtProjection: Bool
            var volumeReached, volumeReachedAtProjection: String?
            enum CodingKeys: String, CodingKey {
                case cap
                case bindsNow = "binds_now", bindsAtProjection = "binds_at_projection", volumeReached = "volume_reached"
                case volumeReachedAtProjection = "volume_reached_at_projection"
            }
            init(_ cap: CapOutlook) {
                self.cap = cap.cap.plainText
                bindsNow = cap.bindsNow
                bindsAtProjection = cap.bindsAtProjection
                volumeReached = cap.volumeReached?.plainText
                volumeReachedAtProjection = cap.volumeReachedAtProjection?.plainText
            }
        }

        struct Candidate: Encodable {
            var orderID, lineID, sku, bookedOn, amount: String
            var matches: [String]
            enum CodingKeys: String, CodingKey {
                case sku, amount, matches
                case orderID = "order_id", lineID = "line", bookedOn = "booked_on"
            }
        }

        struct MDF: Encodable {
            var tier, qualifyingVolume, minimum, projectedVolume: String
            var minimumReachedOn: String?
            var inPeriodVolume, taggedVolume, taggedShare, untaggedVolume, mdfLost, heuristic: String
            var untaggedLines: Int
            var candidates: [Candidate]
            var engineMissed, creditVolume, taggedCreditVolume, untaggedCreditVolume: String
            var creditLines: Int
            var forecast: ForecastDocument?
            var missed: MissedDocument?
            enum CodingKeys: String, CodingKey {
                case tier, candidates, heuristic, minimum, forecast, missed
                case engineMissed = "engine_missed", creditVolume = "credit_volume", taggedCreditVolume = "tagged_credit_volume"
                case untaggedCreditVolume = "untagged_credit_volume", creditLines = "credit_lines"
                case qualifyingVolume = "qualifying_volume", projectedVolume = "projected_volume", minimumReachedOn = "minimum_reached_on"
                case inPeriodVolume = "in_period_volume", taggedVolume = "tagged_volume", taggedShare = "tagged_share"
                case untaggedVolume = "untagged_volume", untaggedLines = "untagged_lines", mdfLost = "mdf_lost"
            }
        }

        struct Plan: Encodable {
            var credentials: [String]
            var subtracks: [String]
            var expectedRebate, investment, net: String
            var reasoning: [String]
            var exact: Bool
            var horizon: Int
            var expectedRebateOverHorizon, netOverHorizon: String
            enum CodingKeys: String, CodingKey {
                case credentials, subtracks, investment, net, reasoning, exact, horizon
                case expectedRebate = "expected_rebate", expectedRebateOverHorizon = "expected_rebate_over_horizon"
                case netOverHorizon = "net_over_horizon"
            }
        }

        var partnerID, asOf: String
        var programs: [Program]
        var recommendation: Plan?
        var calendar: [CalendarEntry]?
        /// What the partner's ledger says (from a workspace only).
        var ledger: LedgerOutlook.Document?
        enum CodingKeys: String, CodingKey {
            case programs, recommendation, calendar, ledger
            case partnerID = "partner_id", asOf = "as_of"
        }
    }

    /// Pretty-printed, keys sorted, money as decimal strings.
    /// - Parameter calendar: the deadline calendar (`AdviceCalendar.actions`), under `calendar` when given.
    /// - Parameter ledger: what the partner's ledger says (`PartnerLedger.outlook`), under `ledger` when given.
    public static func json(
        _ advice: PartnerAdvice, recommendation: Recommendation? = nil, calendar: [DatedAction]? = nil, ledger: LedgerOutlook? = nil
    ) -> String {
        var document = Document(
            partnerID: advice.partner.id, asOf: advice.asOf.description,
            programs: advice.programs.map { program in
                Document.Program(
                    id: program.program.id, kind: program.program.kind.rawValue, currency: program.program.currency,
                    daysElapsed: program.daysElapsed, daysInPeriod: program.daysInPeriod,
                    subtracks: program.subtracks.map {
                        Document.Subtrack(
                            path: $0.path, rebatePercent: $0.rebatePercent.text, enrolledOn: $0.enrolledOn?.description, canEnroll: $0.canEnroll,
                            qualifyingVolume: $0.qualifyingVolume.plainText, minimum: $0.minimum.plainText, gap: $0.gap.plainText,
                            projectedVolume: $0.projectedVolume.plainText, minimumMet: $0.minimumAlreadyMet,
                            minimumReachedOn: $0.minimumReachedOn?.description, missing: $0.failingChecks.compactMap(\.reason),
                            missingCredentials: $0.missingCredentials, rebateNow: $0.rebateNow.plainText,
                            rebateAtProjection: $0.rebateAtProjection.plainText, attachVolume: $0.attachVolume?.plainText,
                            projectedAttachVolume: $0.projectedAttachVolume?.plainText, nextTier: $0.nextTier.map(Document.NextTierDocument.init),
                            nextTierAtProjection: $0.nextTierAtProjection.map(Document.NextTierDocument.init),
                            nextAttachBand: $0.nextAttachBand.map(Document.NextBandDocument.init),
                            nextAttachBandAtProjection: $0.nextAttachBandAtProjection.map(Document.NextBandDocument.init),
                            fullCreditEnrollmentUntil: $0.fullCreditEnrollmentUntil?.description,
                            lateEnrollmentForfeit: $0.lateEnrollmentForfeit.map(Document.ForfeitDocument.init),
                            growth: $0.growth.map(Document.GrowthDocument.init), cap: $0.cap.map(Document.CapDocument.init),
                            forecast: $0.forecast.map(ForecastDocument.init), csat: $0.csat.map(CSATDocument.init),
                            missed: $0.missed.map(MissedDocument.init))
                    },
                    mdf: program.mdf.map { mdf in
                        Document.MDF(
                            tier: mdf.tier, qualifyingVolume: mdf.qualifyingVolume.plainText, minimum: mdf.minimum.plainText,
                            projectedVolume: mdf.projectedVolume.plainText, minimumReachedOn: mdf.minimumReachedOn?.description,
                            inPeriodVolume: mdf.inPeriodVolume.plainText, taggedVolume: mdf.taggedVolume.plainText,
                            taggedShare: AdviceFormat.plain.share(perMille: mdf.taggedPerMille), untaggedVolume: mdf.untaggedVolume.plainText,
                            mdfLost: mdf.mdfLost.plainText, heuristic: AdviceWords.english.heuristic(AdviceWords.english.tags(mdf.tags)),
                            untaggedLines: mdf.untaggedLines,
                            candidates: mdf.candidates.map {
                                Document.Candidate(
                                    orderID: $0.orderID, lineID: $0.lineID, sku: $0.sku, bookedOn: $0.bookedOn.description,
                                    amount: $0.amount.plainText, matches: $0.matches)
                            }, engineMissed: mdf.engineMissed.plainText, creditVolume: mdf.creditVolume.plainText,
                            taggedCreditVolume: mdf.taggedCreditVolume.plainText, untaggedCreditVolume: mdf.untaggedCreditVolume.plainText,
                            creditLines: mdf.creditLines, forecast: mdf.forecast.map(ForecastDocument.init),
                            missed: mdf.missed.map(MissedDocument.init))
                    })
            })
        document.recommendation = recommendation.map { plan in
            Document.Plan(
                credentials: plan.credentials.map(\.id), subtracks: plan.subtracks.map { "\($0.program) \($0.path)" },
                expectedRebate: plan.expectedRebate.plainText, investment: plan.investment.plainText, net: plan.net.plainText,
                reasoning: plan.reasoning, exact: plan.exact, horizon: plan.horizon,
                expectedRebateOverHorizon: plan.expectedRebateOverHorizon.plainText, netOverHorizon: plan.netOverHorizon.plainText)
        }
        document.calendar = calendar.map { $0.map(Document.CalendarEntry.init) }
        document.ledger = ledger.map(LedgerOutlook.Document.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}

extension AdviceOutput {
    /// The advice in a few lines, one per subtrack the partner is in or can still enrol in and one per MDF
    /// program: what the partner page shows.
    /// - Parameter calendarWords: the language's words for a credential valid today but not on the day its check looks at.
    public static func summary(
        _ advice: PartnerAdvice, words: AdviceWords, format: AdviceFormat, forecastWords: ForecastWords = .english,
        calendarWords: CalendarWords = .english
    ) -> [String] {
        var lines: [String] = []
        for program in advice.programs {
            let currency = program.program.currency
            for subtrack in program.subtracks where subtrack.enrolled || subtrack.canEnroll {
                var text = "\(program.program.id) \(subtrack.path): "
                text += words.standing(format.money(subtrack.qualifyingVolume), format.money(subtrack.minimum), currency)
                if program.periodRunning {
                    let forecast = forecastSummary(subtrack.forecast, words: forecastWords, format: format, running: true)
                    text += "; \(words.atThisPace) \(format.money(subtrack.projectedVolume)) \(words.byThePeriodEnd)\(forecast?.range ?? "")"
                    if let day = subtrack.minimumReachedOn { text += ", \(words.minimumReachedOn) \(format.date(day))" }
                    text += forecast?.apart ?? ""
                }
                if !subtrack.enrolled { text += "; " + words.notEnrolledBrings(format.money(subtrack.rebateAtProjection)) }
                if !subtrack.failingChecks.isEmpty {
                    text +=
                        "; \(words.missing): "
                        + subtrack.failingChecks.map {
                            renewBeforeExpiry($0, asOf: advice.asOf, words: calendarWords, format: format) ?? format.check($0)
                        }.joined(separator: "; ")
                }
                for line in v2Lines(subtrack, words: words, format: format, currency: currency, running: program.periodRunning, projections: false) {
                    text += "; " + line
                }
                for line in forecastWords.missed(subtrack.missed, format: format, currency: currency) { text += "; " + line }
                lines.append(text)
            }
            if let mdf = program.mdf {
                var text =
                    "\(program.program.id): " + words.taggedShare(format.share(perMille: mdf.taggedPerMille), words.tags(mdf.tags, readable: true))
                text += "; " + words.untaggedCost(format.money(mdf.untaggedVolume), currency, format.money(mdf.mdfLost))
                if !mdf.candidates.isEmpty {
                    text +=
                        "; \(words.reTag): "
                        + mdf.candidates.map { "\($0.orderID)/\($0.lineID) \($0.sku) \(format.money($0.amount))" }.joined(separator: ", ")
                }
                for line in forecastWords.missed(mdf.missed, format: format, currency: currency) { text += "; " + line }
                lines.append(text)
            }
        }
        return lines
    }
}

// The deadline calendar (docs/advice.md, "Dated actions").
extension AdviceOutput {
    /// The currency of the program a step is for (its first target's).
    static func currency(of action: DatedAction, in advice: PartnerAdvice) -> String {
        advice.programs.first { $0.program.id == action.targets.first?.program }?.program.currency ?? ""
    }

    /// The calendar's lines, in date order, in the reader's language: the partner page's short list.
    public static func calendarLines(
        _ advice: PartnerAdvice, _ actions: [DatedAction], words: CalendarWords, format: AdviceFormat
    ) -> [String] {
        actions.map { words.line($0, format, currency(of: $0, in: advice)) }
    }

    /// The table's last section: one line per step, in date order.
    static func calendarSection(_ advice: PartnerAdvice, _ actions: [DatedAction]) -> String {
        var text = "\n\(CalendarWords.english.heading)\n"
        if actions.isEmpty { return text + "  nothing to do by a date\n" }
        for line in calendarLines(advice, actions, words: .english, format: .plain) { text += "  \(line)\n" }
        return text
    }

    /// For a failing credential check with a record still valid on the advice day whose last valid day falls before
    /// the day the check looks at: "renew before <expiry>" in place of the engine's "expired <day>" (a day still ahead).
    /// `nil` otherwise.
    static func renewBeforeExpiry(_ check: Check, asOf: Day, words: CalendarWords, format: AdviceFormat) -> String? {
        guard check.code == .credential, !check.passed, let requirement = check.facts.credentialRequirement,
            let held = Recommender.held(check.facts)
        else { return nil }
        for id in requirement.ids {
            for standing in Check.Facts.records(of: id, in: held, on: requirement.deadline) {
                if case .expired(let expiry) = standing, expiry >= asOf {
                    return words.renewBeforeExpiry(id, format.date(expiry), format.date(requirement.deadline))
                }
            }
        }
        return nil
    }
}

extension AdviceOutput.Document {
    /// One step of the calendar (docs/advice.md).
    struct CalendarEntry: Encodable {
        var kind, date: String
        var until: String?
        var targets: [String]
        var credential: String?
        var count: Int?
        var cost: String?
        var atStake: String
        var rebateSoFar: String?
        enum CodingKeys: String, CodingKey {
            case kind, date, until, targets, credential, count, cost
            case atStake = "at_stake", rebateSoFar = "rebate_so_far"
        }
        init(_ action: DatedAction) {
            kind = action.kind.rawValue
            date = action.date.description
            until = action.until?.description
            targets = action.targets.map(\.text)
            credential = action.credential
            count = action.count
            cost = action.cost?.plainText
            atStake = action.atStake.plainText
            rebateSoFar = action.rebateSoFar?.plainText
        }
    }
}
