import Foundation
import IncentiveEngine

/// The advice as a consultant reads it, as stable JSON (docs/advice.md), and in summary lines for the
/// partner page. The phrases they share come from `AdviceWords`.
public enum AdviceOutput {
    public static func table(_ advice: PartnerAdvice, recommendation: Recommendation? = nil) -> String {
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
                for check in subtrack.failingChecks { text += "    \(words.missing): \(check.explanation)\n" }
                if subtrack.enrolled {
                    text += "    rebate on the volume so far: \(subtrack.rebateNow.groupedText) \(currency)\n"
                }
                let what = subtrack.enrolled ? "rebate" : words.enrollingWouldBring
                if subtrack.failingChecks.isEmpty {
                    text += "    \(what) at the projected volume: \(subtrack.rebateAtProjection.groupedText) \(currency)\n"
                } else {
                    text +=
                        "    \(what) at the projected volume once the missing items are in place: \(subtrack.rebateAtProjection.groupedText) \(currency)\n"
                }
            }
            if let mdf = program.mdf {
                let currency = p.currency
                text += "\n  MDF, tier \(mdf.tier)\n"
                text += standing(
                    "qualifying volume so far", volume: mdf.qualifyingVolume, minimum: mdf.minimum, gap: mdf.gap, met: mdf.minimumMet,
                    projected: mdf.projectedVolume, reachedOn: mdf.minimumReachedOn, currency: currency, running: program.periodRunning,
                    words: words)
                let tags = words.tags(mdf.tags)
                text +=
                    "    \(words.tagged) \(tags): \(mdf.taggedVolume.groupedText) of \(mdf.inPeriodVolume.groupedText) \(currency) in the period (\(AdviceFormat.plain.share(perMille: mdf.taggedPerMille)))\n"
                text +=
                    "    \(words.untagged) while a tag was required: \(mdf.untaggedLines) line(s), \(mdf.untaggedVolume.groupedText) \(currency); MDF lost: \(mdf.mdfLost.groupedText) \(currency)\n"
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
            enum CodingKeys: String, CodingKey {
                case path, minimum, gap, missing
                case rebatePercent = "rebate_percent", enrolledOn = "enrolled_on", canEnroll = "can_enroll"
                case qualifyingVolume = "qualifying_volume", projectedVolume = "projected_volume", minimumMet = "minimum_met"
                case minimumReachedOn = "minimum_reached_on", missingCredentials = "missing_credentials", rebateNow = "rebate_now"
                case rebateAtProjection = "rebate_at_projection"
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
            enum CodingKeys: String, CodingKey {
                case tier, candidates, heuristic, minimum
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
            enum CodingKeys: String, CodingKey {
                case credentials, subtracks, investment, net, reasoning, exact
                case expectedRebate = "expected_rebate"
            }
        }

        var partnerID, asOf: String
        var programs: [Program]
        var recommendation: Plan?
        enum CodingKeys: String, CodingKey {
            case programs, recommendation
            case partnerID = "partner_id", asOf = "as_of"
        }
    }

    /// Pretty-printed, keys sorted, money as decimal strings.
    public static func json(_ advice: PartnerAdvice, recommendation: Recommendation? = nil) -> String {
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
                            rebateAtProjection: $0.rebateAtProjection.plainText)
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
                            })
                    })
            })
        document.recommendation = recommendation.map { plan in
            Document.Plan(
                credentials: plan.credentials.map(\.id), subtracks: plan.subtracks.map { "\($0.program) \($0.path)" },
                expectedRebate: plan.expectedRebate.plainText, investment: plan.investment.plainText, net: plan.net.plainText,
                reasoning: plan.reasoning, exact: plan.exact)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}

extension AdviceOutput {
    /// The advice in a few lines, one per subtrack the partner is in or can still enrol in and one per MDF
    /// program: what the partner page shows.
    public static func summary(_ advice: PartnerAdvice, words: AdviceWords, format: AdviceFormat) -> [String] {
        var lines: [String] = []
        for program in advice.programs {
            let currency = program.program.currency
            for subtrack in program.subtracks where subtrack.enrolled || subtrack.canEnroll {
                var text = "\(program.program.id) \(subtrack.path): "
                text += words.standing(format.money(subtrack.qualifyingVolume), format.money(subtrack.minimum), currency)
                if program.periodRunning {
                    text += "; \(words.atThisPace) \(format.money(subtrack.projectedVolume)) \(words.byThePeriodEnd)"
                    if let day = subtrack.minimumReachedOn { text += ", \(words.minimumReachedOn) \(format.date(day))" }
                }
                if !subtrack.enrolled { text += "; " + words.notEnrolledBrings(format.money(subtrack.rebateAtProjection)) }
                if !subtrack.failingChecks.isEmpty {
                    text += "; \(words.missing): " + subtrack.failingChecks.map(format.check).joined(separator: "; ")
                }
                lines.append(text)
            }
            if let mdf = program.mdf {
                var text = "\(program.program.id): " + words.taggedShare(format.share(perMille: mdf.taggedPerMille), words.tags(mdf.tags, readable: true))
                text += "; " + words.untaggedCost(format.money(mdf.untaggedVolume), currency, format.money(mdf.mdfLost))
                if !mdf.candidates.isEmpty {
                    text +=
                        "; \(words.reTag): "
                        + mdf.candidates.map { "\($0.orderID)/\($0.lineID) \($0.sku) \(format.money($0.amount))" }.joined(separator: ", ")
                }
                lines.append(text)
            }
        }
        return lines
    }
}
